import { describe, expect, it } from 'vitest';
import { columnsByDepth, formatDuration, formatRate, formatUsd } from './pipeline-format';

describe('pipeline display helpers', () => {
  it('formats durations, money and rates for people', () => {
    expect(formatDuration(90_000)).toBe('1 min 30 s');
    expect(formatDuration(3_720_000)).toBe('1 h 2 min');
    expect(formatDuration(null)).toBe('—');
    expect(formatUsd(1.5)).toBe('$1.50');
    expect(formatUsd(0.0012)).toBe('$0.0012');
    expect(formatRate(0.75)).toBe('75%');
  });

  it('lays steps out in columns by depth, keeping template order', () => {
    const steps = [{ key: 'a', depth: 0 }, { key: 'c', depth: 1 }, { key: 'b', depth: 0 }, { key: 'd', depth: 2 }];
    expect(columnsByDepth(steps).map((c) => c.map((s) => s.key))).toEqual([['a', 'b'], ['c'], ['d']]);
  });
});
