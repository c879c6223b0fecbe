// Text for session cells: tokens, the context gauge and cost ("unpriced", never $0 for unknown).
const exact = new Intl.NumberFormat(undefined);
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const usd = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const usdPrecise = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', maximumFractionDigits: 6 });

export function formatCount(value: number): string {
  return exact.format(value);
}

export function formatTokens(value: number | null): string {
  if (value === null) return '—';
  return value < 10_000 ? exact.format(value) : compact.format(value);
}

/** null means no known price: "unpriced", never "$0.00". */
export function formatSessionCost(value: number | null): string {
  if (value === null) return 'unpriced';
  if (value > 0 && value < 0.005) return `<${usd.format(0.01)}`;
  return usd.format(value);
}

export function formatCostExact(value: number | null): string {
  return value === null ? 'No known price for this session' : usdPrecise.format(value);
}

/** Share of the context window in use, 0–100, or null when either side is unknown. */
export function contextPercent(tokens: number | null, limit: number | null): number | null {
  if (tokens === null || limit === null || limit <= 0) return null;
  return Math.min(100, Math.round((tokens / limit) * 100));
}

export function contextLevel(percent: number | null): 'unknown' | 'ok' | 'high' | 'full' {
  if (percent === null) return 'unknown';
  if (percent >= 90) return 'full';
  if (percent >= 70) return 'high';
  return 'ok';
}

export function sessionLabel(session: { title: string | null; sessionKey: string }): string {
  return session.title?.trim() || session.sessionKey;
}
