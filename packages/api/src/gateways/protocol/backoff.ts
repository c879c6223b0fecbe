// Reconnect delay policy (GATEWAY.md §10): exponential with ±jitter, capped. Pure: the caller keeps
// the attempt counter and resets it after a hello-ok.

export type BackoffOptions = {
  initialMs: number;
  factor: number;
  maxMs: number;
  /** fraction of the delay, e.g. 0.2 = ±20 % */
  jitter: number;
};

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, factor: 2, maxMs: 30_000, jitter: 0.2 };

/** Delay before retry number `attempt` (0-based). `random` returns [0, 1) like Math.random. */
export function computeBackoffDelayMs(attempt: number, options: BackoffOptions, random: () => number): number {
  const base = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, attempt));
  const spread = base * options.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(base + spread));
}
