// The gateway's own 30-day cost totals (usage.cost, GATEWAY.md §11), shown next to the gateway as a
// cross-check of the imported per-message records. Its cache answers stale or "refreshing" zeros: any
// result whose cacheStatus is not "fresh" is ignored (the previous totals stay) and asked again later.
// Kept in memory only; the usage records are the source of truth for billing.
import { asRecord, readInteger, readNumber, readString } from './payload-readers.ts';

export type GatewayUsageTotals = { days: number; costUsd: number; totalTokens: number; missingCostEntries: number; at: string };

export const USAGE_TOTALS_DAYS = 30;
export const USAGE_TOTALS_REFRESH_MS = 5 * 60_000;
export const USAGE_TOTALS_RETRY_MS = 30_000;

/** Fresh totals, or null for an incomplete (stale / refreshing) or unreadable answer. */
export function readFreshUsageTotals(result: unknown, now: Date): GatewayUsageTotals | null {
  const body = asRecord(result);
  if (readString(asRecord(body.cacheStatus).status) !== 'fresh') return null;
  const totals = asRecord(body.totals);
  const costUsd = readNumber(totals.totalCost);
  const totalTokens = readInteger(totals.totalTokens);
  if (costUsd === null || totalTokens === null) return null;
  return { days: readInteger(body.days) ?? USAGE_TOTALS_DAYS, costUsd, totalTokens, missingCostEntries: readInteger(totals.missingCostEntries) ?? 0, at: now.toISOString() };
}
