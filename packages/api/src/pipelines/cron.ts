// A small 5-field cron (minute hour day-of-month month day-of-week) with time zones via Intl.
// Supports *, lists, ranges, steps (*/5, 1-10/2), month and weekday names, 7 = Sunday. When both
// day fields are restricted a day matches either (classic cron). Times are walked in UTC minutes and
// matched in the zone's wall clock, so DST gaps are skipped and repeated hours match twice.
import { validationFailed } from '../errors.ts';

export type CronSpec = { minute: Set<number>; hour: Set<number>; day: Set<number>; month: Set<number>; weekday: Set<number>; dayRestricted: boolean; weekdayRestricted: boolean };

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function parseField(text: string, name: string, min: number, max: number, names?: string[], nameBase = 0): Set<number> {
  const values = new Set<number>();
  const value = (token: string) => {
    const named = names?.indexOf(token.toLowerCase()) ?? -1;
    const n = named >= 0 ? named + nameBase : /^\d+$/.test(token) ? Number(token) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}: "${token}" is not in ${min}–${max}`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : /^\d+$/.test(stepText) && Number(stepText) > 0 ? Number(stepText) : Number.NaN;
    if (Number.isNaN(step)) throw new Error(`${name}: step "${stepText}" must be a positive integer`);
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [min, max];
    else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      [from, to] = [value(a), value(b)];
      if (from > to) throw new Error(`${name}: range ${range} runs backwards`);
    } else {
      from = value(range);
      to = stepText === undefined ? from : max;
    }
    for (let n = from; n <= to; n += step) values.add(n);
  }
  return values;
}

/** Parses a 5-field expression; throws VALIDATION_FAILED (path schedule.cron) with the reason. */
export function parseCron(expression: string): CronSpec {
  const fields = expression.trim().split(/\s+/);
  try {
    if (fields.length !== 5) throw new Error(`expected 5 fields (minute hour day month weekday), got ${fields.length}`);
    const [m = '', h = '', dom = '', mon = '', dow = ''] = fields;
    const weekday = parseField(dow, 'weekday', 0, 7, DAYS);
    if (weekday.has(7)) {
      weekday.delete(7);
      weekday.add(0);
    }
    return {
      minute: parseField(m, 'minute', 0, 59),
      hour: parseField(h, 'hour', 0, 23),
      day: parseField(dom, 'day of month', 1, 31),
      month: parseField(mon, 'month', 1, 12, MONTHS, 1),
      weekday,
      dayRestricted: dom !== '*',
      weekdayRestricted: dow !== '*',
    };
  } catch (error) {
    const message = `not a valid cron expression: ${(error as Error).message}`;
    throw validationFailed(`schedule.cron: ${message}`, [{ path: 'schedule.cron', message }]);
  }
}

export function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw validationFailed(`schedule.timeZone: unknown time zone "${timeZone}"`, [{ path: 'schedule.timeZone', message: `unknown time zone "${timeZone}" (use an IANA name such as Europe/Berlin)` }]);
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function wallClock(ms: number, timeZone: string) {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short' });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const p of format.formatToParts(new Date(ms))) parts[p.type] = p.value;
  return { month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour) % 24, minute: Number(parts.minute), weekday: DAYS.indexOf((parts.weekday ?? '').toLowerCase().slice(0, 3)) };
}

const MINUTE = 60_000;
/** How far ahead nextCronTime looks before giving up (e.g. "0 0 31 2 *" never fires). */
const HORIZON_MS = 5 * 366 * 86_400_000;

/** The first tick strictly after `after`, in `timeZone`; null when none within five years. */
export function nextCronTime(spec: CronSpec | string, after: Date, timeZone = 'UTC'): Date | null {
  const cron = typeof spec === 'string' ? parseCron(spec) : spec;
  let t = Math.floor(after.getTime() / MINUTE) * MINUTE + MINUTE;
  const end = t + HORIZON_MS;
  while (t <= end) {
    const w = wallClock(t, timeZone);
    const dayOk = cron.dayRestricted && cron.weekdayRestricted ? cron.day.has(w.day) || cron.weekday.has(w.weekday) : cron.day.has(w.day) && cron.weekday.has(w.weekday);
    if (!cron.month.has(w.month) || !dayOk) {
      // Towards the next local day: to about 23:00 (an hour of margin for a DST shift), then hour by hour.
      t += (Math.max(0, 22 - w.hour) * 60 + (60 - w.minute)) * MINUTE;
      continue;
    }
    if (!cron.hour.has(w.hour)) {
      t += (60 - w.minute) * MINUTE;
      continue;
    }
    if (!cron.minute.has(w.minute)) {
      t += MINUTE;
      continue;
    }
    return new Date(t);
  }
  return null;
}
