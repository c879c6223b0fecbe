// Calendar periods (day / week from Monday / month) in an IANA time zone, as UTC instants. DST-safe: a
// day starts at the first instant whose local date is that day (local midnight, or the end of a DST gap
// when midnight is skipped), so a period can be 23, 24 or 25 hours long. Results are cached.

export type Period = 'day' | 'week' | 'month';
export type PeriodRange = { start: number; end: number };
type LocalDate = { year: number; month: number; day: number };
type LocalTime = LocalDate & { hour: number; minute: number; second: number };

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** True for a time zone this runtime knows (IANA name or "UTC"). */
export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone.length === 0 || timeZone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch (error) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}

const dateKey = (date: LocalDate) => date.year * 10_000 + date.month * 100 + date.day;

/** Civil-date arithmetic (proleptic Gregorian, no time zone involved). */
function addDays(date: LocalDate, days: number): LocalDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * DAY_MS);
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

export function createZonedCalendar(timeZone: string) {
  if (!isValidTimeZone(timeZone)) throw new RangeError(`Unknown time zone ${timeZone}`);
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  const dayStartCache = new Map<number, number>();
  const periodCache = new Map<string, PeriodRange>();
  const lastHit: Partial<Record<Period, PeriodRange>> = {};

  function localTime(ms: number): LocalTime {
    const parts: Record<string, number> = {};
    for (const part of format.formatToParts(ms)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
    return { year: parts.year ?? 0, month: parts.month ?? 0, day: parts.day ?? 0, hour: parts.hour ?? 0, minute: parts.minute ?? 0, second: parts.second ?? 0 };
  }

  /** local wall clock − UTC at `ms`, in ms (whole seconds). */
  function offsetAt(ms: number): number {
    const t = localTime(ms);
    return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - Math.floor(ms / 1000) * 1000;
  }

  function computeDayStart(date: LocalDate): number {
    const wall = Date.UTC(date.year, date.month - 1, date.day);
    const key = dateKey(date);
    // Fixed point of t = wall − offset(t): local midnight when it exists.
    let t = wall - offsetAt(wall);
    for (let i = 0; i < 4; i++) {
      const next = wall - offsetAt(t);
      if (next === t) break;
      t = next;
    }
    // A midnight repeated by a fall-back transition: the earlier one starts the day.
    for (const earlier of [t - HOUR_MS, t - HOUR_MS / 2]) {
      const local = localTime(earlier);
      if (dateKey(local) === key && local.hour === 0 && local.minute === 0 && local.second === 0) t = earlier;
    }
    const local = localTime(t);
    if (dateKey(local) === key && local.hour === 0 && local.minute === 0 && local.second === 0) return t;
    // Midnight skipped by a spring-forward gap: the day starts where the gap ends. Binary search the first
    // instant whose local date is `date` (local dates only grow across the few hours around it).
    let low = wall - 15 * HOUR_MS - DAY_MS / 2;
    let high = wall + 15 * HOUR_MS;
    while (high - low > 1000) {
      const middle = low + Math.floor((high - low) / 2000) * 1000;
      if (dateKey(localTime(middle)) >= key) high = middle;
      else low = middle;
    }
    return high;
  }

  /** The first instant (UTC ms) of a local date. */
  function dayStart(date: LocalDate): number {
    const key = dateKey(date);
    let start = dayStartCache.get(key);
    if (start === undefined) {
      start = computeDayStart(date);
      if (dayStartCache.size > 5_000) dayStartCache.clear();
      dayStartCache.set(key, start);
    }
    return start;
  }

  function firstDayOf(period: Period, date: LocalDate): LocalDate {
    if (period === 'day') return date;
    if (period === 'month') return { year: date.year, month: date.month, day: 1 };
    const weekday = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay(); // 0 = Sunday
    return addDays(date, -((weekday + 6) % 7));
  }

  function nextFirstDay(period: Period, first: LocalDate): LocalDate {
    if (period === 'day') return addDays(first, 1);
    if (period === 'week') return addDays(first, 7);
    return first.month === 12 ? { year: first.year + 1, month: 1, day: 1 } : { year: first.year, month: first.month + 1, day: 1 };
  }

  /** The period containing instant `ms`: [start, end) in UTC ms. */
  function periodOf(period: Period, ms: number): PeriodRange {
    const hit = lastHit[period];
    if (hit && ms >= hit.start && ms < hit.end) return hit;
    // The local date of `ms` is not always the date of the day that contains it right at a skipped
    // midnight, so confirm against the computed start.
    const first = firstDayOf(period, localTime(ms));
    let range = rangeFrom(period, first);
    // Around a skipped or repeated local midnight the local date can disagree with the computed day
    // boundaries by one day: step to the neighbour that contains `ms`.
    if (ms < range.start) range = rangeFrom(period, firstDayOf(period, addDays(first, -1)));
    else if (ms >= range.end) range = rangeFrom(period, nextFirstDay(period, first));
    lastHit[period] = range;
    return range;
  }

  function rangeFrom(period: Period, first: LocalDate): PeriodRange {
    const key = `${period}:${dateKey(first)}`;
    let range = periodCache.get(key);
    if (!range) {
      range = { start: dayStart(first), end: dayStart(nextFirstDay(period, first)) };
      if (periodCache.size > 5_000) periodCache.clear();
      periodCache.set(key, range);
    }
    return range;
  }

  /** Successive period starts covering [from, to): the buckets of a time series. */
  function periodStarts(period: Period, from: number, to: number): number[] {
    const starts: number[] = [];
    let range = periodOf(period, from);
    while (range.start < to) {
      starts.push(range.start);
      range = periodOf(period, range.end);
    }
    return starts;
  }

  /** Local date of an instant, for labels and tests. */
  function localDateOf(ms: number): string {
    const t = localTime(ms);
    return `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
  }

  return { timeZone, periodOf, periodStarts, localDateOf, offsetAt };
}

export type ZonedCalendar = ReturnType<typeof createZonedCalendar>;
