// nanosToUsd / usdToNanos: exact at the edge, loud beyond float precision.

import { describe, expect, it } from 'vitest';
import { nanosToUsd, usdToNanos } from './money.ts';

describe('money', () => {
  it('converts nano-USD to USD', () => {
    expect(nanosToUsd(78_440_100n)).toBe(0.0784401);
    expect(nanosToUsd(0n)).toBe(0);
    expect(nanosToUsd(BigInt(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER / 1e9);
  });

  it('throws above Number.MAX_SAFE_INTEGER nano-USD instead of losing precision', () => {
    expect(() => nanosToUsd(BigInt(Number.MAX_SAFE_INTEGER) + 1n)).toThrow(RangeError);
    expect(() => nanosToUsd(-BigInt(Number.MAX_SAFE_INTEGER) - 1n)).toThrow(RangeError);
  });

  it('rounds reported USD to the nearest nano-USD', () => {
    expect(usdToNanos(0.0784401)).toBe(78_440_100n);
    expect(usdToNanos(0.05261175)).toBe(52_611_750n);
    expect(usdToNanos(1.0000000004)).toBe(1_000_000_000n);
    expect(usdToNanos(1.0000000006)).toBe(1_000_000_001n);
    expect(() => usdToNanos(Number.NaN)).toThrow(RangeError);
  });
});
