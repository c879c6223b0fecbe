// Periods in a time zone: local midnight / Monday / 1st of month, across DST changes and :30 offsets.
import { describe, expect, it } from 'vitest';
import { createZonedCalendar, isValidTimeZone } from './zoned-calendar.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const at = (text: string) => Date.parse(text);
function period(timeZone: string, kind: 'day' | 'week' | 'month', instant: string) {
  const range = createZonedCalendar(timeZone).periodOf(kind, at(instant));
  return [iso(range.start), iso(range.end)];
}

describe('zoned calendar', () => {
  it('accepts IANA names and UTC, rejects anything else', () => {
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('America/New_York')).toBe(true);
    expect(isValidTimeZone('Asia/Kolkata')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });

  it('starts UTC days, Monday weeks and months at midnight UTC', () => {
    expect(period('UTC', 'day', '2026-11-26T10:00:00Z')).toEqual(['2026-11-26T00:00:00.000Z', '2026-11-27T00:00:00.000Z']);
    expect(period('UTC', 'week', '2026-11-26T10:00:00Z')).toEqual(['2026-11-23T00:00:00.000Z', '2026-11-30T00:00:00.000Z']);
    expect(period('UTC', 'week', '2026-11-29T23:59:59.999Z')).toEqual(['2026-11-23T00:00:00.000Z', '2026-11-30T00:00:00.000Z']);
    expect(period('UTC', 'month', '2026-12-31T23:59:59Z')).toEqual(['2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
  });

  it('makes the New York spring-forward day 23 hours and the fall-back day 25 hours long', () => {
    expect(period('America/New_York', 'day', '2026-03-08T12:00:00Z')).toEqual(['2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z']);
    expect(period('America/New_York', 'day', '2026-11-01T12:00:00Z')).toEqual(['2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z']);
    expect(period('America/New_York', 'month', '2026-11-01T03:59:59Z')).toEqual(['2026-10-01T04:00:00.000Z', '2026-11-01T04:00:00.000Z']);
    expect(period('America/New_York', 'week', '2026-03-09T03:00:00Z')).toEqual(['2026-03-02T05:00:00.000Z', '2026-03-09T04:00:00.000Z']);
  });

  it('starts Kolkata days at 18:30 UTC the day before', () => {
    expect(period('Asia/Kolkata', 'day', '2026-11-26T18:29:59.999Z')).toEqual(['2026-11-25T18:30:00.000Z', '2026-11-26T18:30:00.000Z']);
    expect(period('Asia/Kolkata', 'day', '2026-11-26T18:30:00Z')).toEqual(['2026-11-26T18:30:00.000Z', '2026-11-27T18:30:00.000Z']);
  });

  it('starts a day whose midnight is skipped (Santiago) where the DST gap ends', () => {
    // Chile moves 2026-09-06 00:00 → 01:00 (UTC−4 → UTC−3).
    expect(period('America/Santiago', 'day', '2026-09-06T12:00:00Z')).toEqual(['2026-09-06T04:00:00.000Z', '2026-09-07T03:00:00.000Z']);
    expect(period('America/Santiago', 'day', '2026-09-06T03:59:59Z')).toEqual(['2026-09-05T04:00:00.000Z', '2026-09-06T04:00:00.000Z']);
  });

  it('lists bucket starts across a DST change', () => {
    const calendar = createZonedCalendar('America/New_York');
    expect(calendar.periodStarts('day', at('2026-11-01T04:00:00Z'), at('2026-11-03T05:00:00Z')).map(iso)).toEqual([
      '2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z',
    ]);
  });
});
