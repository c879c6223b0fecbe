// The `totals` block of every parser summary (TELEMETRY.md §6): per record model, record count and
// token sums; reportedCostUsd = Σ record costUsd, summed in integer nano-USD, null when no record has one.

import { nanosToUsd, usdToNanos } from './token-count.ts';
import type { UsageRecord } from './usage-record.ts';

export type ModelUsageTotals = {
  records: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cacheWrite1hTokens: number;
};

export type UsageTotals = {
  byModel: Record<string, ModelUsageTotals>;
  reportedCostUsd: number | null;
};

export type UsageTotalsAccumulator = {
  add(record: UsageRecord): void;
  snapshot(): UsageTotals;
};

export function createUsageTotals(): UsageTotalsAccumulator {
  // A Map keeps first-seen order for any model string (a plain object would reorder "123"-like keys).
  const byModel = new Map<string, ModelUsageTotals>();
  let reportedNanos: number | null = null;

  function add(record: UsageRecord): void {
    let totals = byModel.get(record.model);
    if (totals === undefined) {
      totals = { records: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, cacheWrite1hTokens: 0 };
      byModel.set(record.model, totals);
    }
    totals.records += 1;
    totals.inputTokens += record.inputTokens;
    totals.outputTokens += record.outputTokens;
    totals.cacheReadTokens += record.cacheReadTokens;
    totals.cacheWriteTokens += record.cacheWriteTokens;
    totals.cacheWrite1hTokens += record.cacheWrite1hTokens ?? 0;
    const costNanos = record.costUsd === undefined ? null : usdToNanos(record.costUsd);
    if (costNanos !== null) reportedNanos = (reportedNanos ?? 0) + costNanos;
  }

  function snapshot(): UsageTotals {
    return {
      byModel: Object.fromEntries([...byModel].map(([model, totals]) => [model, { ...totals }])),
      reportedCostUsd: reportedNanos === null ? null : nanosToUsd(reportedNanos),
    };
  }

  return { add, snapshot };
}
