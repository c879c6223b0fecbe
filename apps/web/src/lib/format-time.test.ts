import { describe, expect, it } from 'vitest';
import { formatDateTime, formatRelative, formatUptime } from './format-time';

describe('formatUptime', () => {
  it('uses the two largest units that matter', () => {
    expect(formatUptime(42)).toBe('42 s');
    expect(formatUptime(125)).toBe('2 min');
    expect(formatUptime(3 * 3600 + 5 * 60)).toBe('3 h 5 min');
    expect(formatUptime(2 * 86_400 + 7 * 3600)).toBe('2 d 7 h');
  });
});

describe('formatRelative', () => {
  const now = Date.parse('2026-11-26T10:00:00Z');

  it('reads events slightly ahead of the coarse UI clock as now', () => {
    expect(formatRelative('2026-11-26T10:00:20Z', now)).toBe(formatRelative('2026-11-26T10:00:00Z', now));
  });

  it('describes the past in the largest fitting unit', () => {
    const fiveMinutesAgo = formatRelative('2026-11-26T09:55:00Z', now);
    expect(fiveMinutesAgo).toMatch(/5/);
    expect(fiveMinutesAgo).toMatch(/min/);
  });
});

describe('formatDateTime', () => {
  it('says Never for missing times', () => {
    expect(formatDateTime(null)).toBe('Never');
    expect(formatDateTime(undefined, '—')).toBe('—');
  });
});
