import { describe, expect, it } from 'vitest';
import { computeBackoffDelayMs, DEFAULT_BACKOFF } from './backoff.ts';

describe('reconnect backoff', () => {
  const noJitter = { ...DEFAULT_BACKOFF, jitter: 0 };

  it('doubles from 1 s and caps at 30 s by default', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 10].map((attempt) => computeBackoffDelayMs(attempt, noJitter, () => 0.5));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('spreads each delay by at most ±20 %', () => {
    expect(computeBackoffDelayMs(2, DEFAULT_BACKOFF, () => 0)).toBe(3200);
    expect(computeBackoffDelayMs(2, DEFAULT_BACKOFF, () => 0.5)).toBe(4000);
    expect(computeBackoffDelayMs(2, DEFAULT_BACKOFF, () => 0.999_999)).toBe(4800);
    expect(computeBackoffDelayMs(20, DEFAULT_BACKOFF, () => 0.999_999)).toBe(36000);
  });
});
