// Text for the fleet: status labels, "last seen", token counts and money (USD numbers from the API).
import type { AgentStatus } from './fleet-store';

export const STATUS_LABELS: Record<AgentStatus, string> = {
  needs_input: 'Needs input',
  error: 'Error',
  busy: 'Busy',
  online: 'Online',
  idle: 'Idle',
  offline: 'Offline',
};

/** Filter order: the states that want attention first. */
export const STATUS_ORDER: readonly AgentStatus[] = ['needs_input', 'error', 'busy', 'online', 'idle', 'offline'];

export function isAgentStatus(value: string | undefined): value is AgentStatus {
  return value !== undefined && (STATUS_ORDER as readonly string[]).includes(value);
}

export function statusLabel(status: string): string {
  return isAgentStatus(status) ? STATUS_LABELS[status] : status;
}

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago": short enough to tick every second. */
export function formatLastSeen(iso: string | null, nowMs: number): string {
  if (!iso) return 'Never';
  const thenMs = new Date(iso).getTime();
  if (Number.isNaN(thenMs)) return iso;
  // A server clock slightly ahead of this browser reads as "just now", never "in 2 s".
  const seconds = Math.max(0, Math.floor((nowMs - thenMs) / 1000));
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

const exactNumber = new Intl.NumberFormat(undefined);
const compactNumber = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

export function formatCount(value: number): string {
  return exactNumber.format(value);
}

/** 950, 12.3K, 4.1M; the exact number goes in a title. */
export function formatTokens(value: number): string {
  return value < 10_000 ? exactNumber.format(value) : compactNumber.format(value);
}

const usd = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const usdPrecise = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', maximumFractionDigits: 6 });

/** Priced cost only: "$1.23", "<$0.01" for fractions of a cent, "$0.00" for nothing. */
export function formatUsd(value: number): string {
  if (value > 0 && value < 0.005) return `<${usd.format(0.01)}`;
  return usd.format(value);
}

export function formatUsdExact(value: number): string {
  return usdPrecise.format(value);
}

/**
 * The cost cell as text parts: the priced amount (omitted when everything was unpriced, so an
 * unpriced agent never reads "$0.00") and whether to show the "unpriced" marker.
 */
export function describeCost(costUsd: number, unpriced: number): { amount: string | null; unpriced: boolean } {
  if (unpriced > 0 && costUsd === 0) return { amount: null, unpriced: true };
  return { amount: formatUsd(costUsd), unpriced: unpriced > 0 };
}

export function unpricedTitle(unpriced: number): string {
  return `${formatCount(unpriced)} usage ${unpriced === 1 ? 'record has' : 'records have'} no known price, so the cost is incomplete`;
}

export function agentPath(agentName: string): string {
  return `/agents/${encodeURIComponent(agentName)}`;
}
