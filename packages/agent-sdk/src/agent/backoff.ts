// Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): a fleet
// that lost its server does not come back in lockstep. Retry-After from a 429 overrides the computed delay.

export type RetryPolicy = {
  /** First retry waits up to this long (default 500 ms). */
  baseDelayMs?: number;
  /** Upper bound of any one wait (default 30 s). */
  maxDelayMs?: number;
};

export type Backoff = {
  /** The next wait: random in [cap/2, cap] with cap = min(max, base * 2^failures). */
  next(): number;
  reset(): void;
  readonly failures: number;
};

export function createBackoff(policy: RetryPolicy = {}, random: () => number = Math.random): Backoff {
  const baseDelayMs = Math.max(1, policy.baseDelayMs ?? 500);
  const maxDelayMs = Math.max(baseDelayMs, policy.maxDelayMs ?? 30_000);
  let failures = 0;
  return {
    next() {
      const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(failures, 30));
      failures += 1;
      return Math.round(cap / 2 + (random() * cap) / 2);
    },
    reset() {
      failures = 0;
    },
    get failures() {
      return failures;
    },
  };
}

/** ±10 % around the interval, so a fleet started together spreads its heartbeats. */
export function jitter(intervalMs: number, random: () => number = Math.random): number {
  return Math.max(1, Math.round(intervalMs * (0.9 + random() * 0.2)));
}
