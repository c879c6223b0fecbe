// The costs time zone (setting `costs.timeZone`, default UTC): day/week/month buckets and budget periods.
// Read synchronously on the raw connection, because the ingestion path needs it inside its transaction.
import type BetterSqlite3 from 'better-sqlite3';
import { createZonedCalendar, isValidTimeZone, type ZonedCalendar } from './zoned-calendar.ts';

export const TIME_ZONE_SETTING = 'costs.timeZone';

export function createTimeZoneSetting(sqlite: BetterSqlite3.Database) {
  const read = sqlite.prepare(`SELECT value FROM "Setting" WHERE key = ?`);
  const listeners = new Set<() => void>();
  let calendar: ZonedCalendar = createZonedCalendar(load());

  function load(): string {
    const row = read.get(TIME_ZONE_SETTING) as { value: string } | undefined;
    if (!row) return 'UTC';
    const value: unknown = JSON.parse(row.value);
    return typeof value === 'string' && isValidTimeZone(value) ? value : 'UTC';
  }

  return {
    timeZone: () => calendar.timeZone,
    calendar: () => calendar,
    /** After the setting row was written: switch calendars and tell dependants (budgets) to drop caches. */
    changed(timeZone: string) {
      calendar = createZonedCalendar(timeZone);
      for (const listener of listeners) listener();
    },
    /** Re-reads the setting another connection may have written (the heartbeat worker's copy); no listeners run. */
    reload() {
      const timeZone = load();
      if (timeZone !== calendar.timeZone) calendar = createZonedCalendar(timeZone);
    },
    onChange(listener: () => void) {
      listeners.add(listener);
    },
  };
}

export type TimeZoneSetting = ReturnType<typeof createTimeZoneSetting>;

const perConnection = new WeakMap<BetterSqlite3.Database, TimeZoneSetting>();

/** The one setting holder of a connection, so every writer and query on it agrees on the calendar. */
export function timeZoneSettingFor(sqlite: BetterSqlite3.Database): TimeZoneSetting {
  let setting = perConnection.get(sqlite);
  if (!setting) {
    setting = createTimeZoneSetting(sqlite);
    perConnection.set(sqlite, setting);
  }
  return setting;
}
