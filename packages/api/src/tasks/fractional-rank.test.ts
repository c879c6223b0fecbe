import { describe, expect, it } from 'vitest';
import { isValidRank, rankBetween } from './fractional-rank.ts';

describe('fractional ranks', () => {
  it('makes a first key and keys after, before and between existing ones that sort as strings', () => {
    const first = rankBetween(null, null);
    const later = rankBetween(first, null);
    const earlier = rankBetween(null, first);
    const middle = rankBetween(first, later);
    expect([later, middle, earlier, first].sort()).toEqual([earlier, first, middle, later]);
  });

  it('keeps inserting at the same spot without collisions, keys growing slowly', () => {
    const low = rankBetween(null, null);
    let high = rankBetween(low, null);
    const seen = new Set([low, high]);
    for (let i = 0; i < 1000; i++) {
      high = rankBetween(low, high);
      expect(seen.has(high)).toBe(false);
      seen.add(high);
    }
    expect(high.length).toBeLessThan(200);
    expect(low < high).toBe(true);
  });

  it('refuses bounds in the wrong order or equal', () => {
    expect(() => rankBetween('a1', 'a0')).toThrow(/must sort before/);
    expect(() => rankBetween('a1', 'a1')).toThrow(/must sort before/);
  });

  it('accepts keys it made and rejects malformed ones', () => {
    expect(isValidRank(rankBetween(null, null))).toBe(true);
    expect(isValidRank('a0V')).toBe(true);
    for (const bad of ['', 'a0 ', 'a0-', 'a00', '!', 'x'.repeat(200)]) expect(isValidRank(bad), bad).toBe(false);
  });
});
