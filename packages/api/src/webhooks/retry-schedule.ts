// Retry schedule: 6 attempts over about 12 h (1 min, 10 min, 1 h, 3 h, 8 h after each failure), each
// delay with ±20 % jitter so a recovering receiver isn't hit by every queued delivery at once.
export const RETRY_DELAYS_MS = [60_000, 10 * 60_000, 3_600_000, 3 * 3_600_000, 8 * 3_600_000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
export const JITTER_RATIO = 0.2;

/** Delay before the next attempt after `attemptsMade` failed ones, or null when none is left. */
export function retryDelayMs(attemptsMade: number, random: () => number = Math.random): number | null {
  const base = RETRY_DELAYS_MS[attemptsMade - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 - JITTER_RATIO + 2 * JITTER_RATIO * random()));
}
