import { describe, expect, it } from 'vitest';
import { DomainError } from '../errors.ts';
import { nextCronTime, parseCron } from './cron.ts';

const next = (expr: string, after: string, tz?: string) => nextCronTime(expr, new Date(after), tz)?.toISOString() ?? null;

describe('cron next time', () => {
  it('finds the next minute, hour and step matches strictly after the given time', () => {
    expect(next('* * * * *', '2026-11-26T10:00:00Z')).toBe('2026-11-26T10:01:00.000Z');
    expect(next('*/15 * * * *', '2026-11-26T10:00:30Z')).toBe('2026-11-26T10:15:00.000Z');
    expect(next('30 9 * * *', '2026-11-26T10:00:00Z')).toBe('2026-11-27T09:30:00.000Z');
    expect(next('0 0 1 * *', '2026-11-26T10:00:00Z')).toBe('2026-12-01T00:00:00.000Z');
  });

  it('understands weekday and month names, ranges, lists and 7 as Sunday', () => {
    expect(next('0 9 * * mon-fri', '2026-11-27T10:00:00Z')).toBe('2026-11-30T09:00:00.000Z'); // Fri → Mon
    expect(next('0 12 * * 7', '2026-11-26T10:00:00Z')).toBe('2026-11-29T12:00:00.000Z');
    expect(next('0 0 1 jan,jul *', '2026-11-26T10:00:00Z')).toBe('2027-01-01T00:00:00.000Z');
  });

  it('matches either day field when both are restricted (classic cron)', () => {
    // The 1st of the month or any Monday: Monday 30 Nov comes first.
    expect(next('0 0 1 * 1', '2026-11-26T10:00:00Z')).toBe('2026-11-30T00:00:00.000Z');
  });

  it('fires at wall-clock times in a time zone, across a DST change', () => {
    expect(next('0 9 * * *', '2026-11-26T10:00:00Z', 'Europe/Berlin')).toBe('2026-11-27T08:00:00.000Z');
    expect(next('0 9 * * *', '2026-07-01T10:00:00Z', 'Europe/Berlin')).toBe('2026-07-02T07:00:00.000Z');
    // Berlin springs forward on 29 March 2026: 02:30 does not exist that day, the next one is on the 30th.
    expect(next('30 2 * * *', '2026-03-28T12:00:00Z', 'Europe/Berlin')).toBe('2026-03-30T00:30:00.000Z');
    expect(next('0 0 * * *', '2026-03-28T12:00:00Z', 'America/New_York')).toBe('2026-03-29T04:00:00.000Z');
  });

  it('answers null for a date that never comes', () => {
    expect(next('0 0 31 2 *', '2026-11-26T10:00:00Z')).toBeNull();
  });

  it('refuses malformed expressions with the reason', () => {
    for (const [expr, reason] of [['* * * *', /expected 5 fields/], ['60 * * * *', /minute: "60" is not in 0–59/], ['*/0 * * * *', /step/], ['5-1 * * * *', /backwards/], ['* * * foo *', /month/]] as const) {
      try {
        parseCron(expr);
        throw new Error(`accepted ${expr}`);
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        expect((error as DomainError).message, expr).toMatch(reason);
      }
    }
  });
});
