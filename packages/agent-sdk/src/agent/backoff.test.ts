import { describe, expect, it } from 'vitest';
import { createBackoff, jitter } from './backoff.ts';
import { parseRetryAfterMs } from './http-api.ts';

describe('backoff', () => {
  it('doubles its cap per failure up to the maximum, waiting between half the cap and the cap', () => {
    const low = createBackoff({ baseDelayMs: 100, maxDelayMs: 1_000 }, () => 0);
    expect([low.next(), low.next(), low.next(), low.next(), low.next()]).toEqual([50, 100, 200, 400, 500]);
    const high = createBackoff({ baseDelayMs: 100, maxDelayMs: 1_000 }, () => 1);
    expect([high.next(), high.next(), high.next(), high.next(), high.next()]).toEqual([100, 200, 400, 800, 1_000]);
    high.reset();
    expect(high.next()).toBe(100);
  });

  it('spreads heartbeats by ±10 %', () => {
    expect([jitter(30_000, () => 0), jitter(30_000, () => 1)]).toEqual([27_000, 33_000]);
  });

  it('reads Retry-After as seconds or an HTTP date, 1 s when absent or nonsense', () => {
    expect(parseRetryAfterMs('7')).toBe(7_000);
    expect(parseRetryAfterMs('Thu, 26 Nov 2026 10:00:30 GMT', Date.parse('2026-11-26T10:00:00Z'))).toBe(30_000);
    expect(parseRetryAfterMs(null)).toBe(1_000);
    expect(parseRetryAfterMs('soon')).toBe(1_000);
  });
});
