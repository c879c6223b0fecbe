// Exact usage sums over any [from, to): partial hours at either edge come from the raw records, whole hours
// from the rollups (same dimension expressions), so results equal raw sums to the nano. A query on at most one
// dimension (group or filter) reads the one-dimension slices: whole local days (costs time zone) from day
// slices, the hours around them from hour slices. Anything else reads the full-dimension hourly rollup.
// In zones whose days start mid-hour (e.g. Asia/Kolkata) day slices are not exact, so hour slices are used.
import { sqliteDate } from '@mc/db/raw';
import type BetterSqlite3 from 'better-sqlite3';
import { RAW_DIMENSION_SQL, RAW_METRICS_SQL, type RollupDimensions } from '../usage/rollups/rollup-writer.ts';
import { timeZoneSettingFor } from './time-zone-setting.ts';
import type { ZonedCalendar } from './zoned-calendar.ts';

export type Dimension = Exclude<keyof RollupDimensions, 'hourStart'>;
export const DIMENSIONS: readonly Dimension[] = ['agentId', 'model', 'provider', 'gatewayId', 'source', 'taskId'];

export type UsageTotals = {
  records: number;
  unpricedRecords: number;
  inputTokens: bigint;
  outputTokens: bigint;
  cacheReadTokens: bigint;
  cacheWriteTokens: bigint;
  unpricedTokens: bigint;
  costNanos: bigint;
  cacheSavedNanos: bigint;
};

export type AggregateRow = { keys: string[]; hourStart: string | null; totals: UsageTotals };

export type AggregateQuery = {
  from: number;
  to: number;
  groupBy?: readonly Dimension[];
  /** Also group by UTC hour (time series). */
  byHour?: boolean;
  /**
   * With byHour: whole local days may come as one row per day (time series by day/week/month): such rows
   * carry the day's start in `hourStart`, edge hours their hour; either way the start lies in the row's bucket.
   */
  byDay?: boolean;
  /** Equality filters on dimensions ('' matches "absent"). */
  filter?: Partial<Record<Dimension, string>>;
};

/**
 * How top() narrows a grouped query (one dimension): `rank` selects only records and cost, ungrouped (phase
 * one ranks every group cheaply), `onlyKeys` (a JSON array) keeps the groups phase one picked.
 */
type PlannedQuery = AggregateQuery & { rank?: boolean; onlyKeys?: string };

const HOUR_MS = 3_600_000;
// Rank parts are not grouped: top() groups all of them once (grouping each part first costs a second pass).
const RANK_ROLLUP_METRICS_SQL = 'records, costNanos';
const RANK_RAW_METRICS_SQL = '1, COALESCE(costNanos, 0)';
const ROLLUP_METRICS_SQL = `SUM(records), SUM(unpricedRecords), SUM(inputTokens), SUM(outputTokens), SUM(cacheReadTokens), SUM(cacheWriteTokens),
  SUM(unpricedTokens), SUM(costNanos), SUM(cacheSavedNanos)`;

export function emptyTotals(): UsageTotals {
  return { records: 0, unpricedRecords: 0, inputTokens: 0n, outputTokens: 0n, cacheReadTokens: 0n, cacheWriteTokens: 0n, unpricedTokens: 0n, costNanos: 0n, cacheSavedNanos: 0n };
}

export function addTotals(into: UsageTotals, add: UsageTotals): void {
  into.records += add.records;
  into.unpricedRecords += add.unpricedRecords;
  into.inputTokens += add.inputTokens;
  into.outputTokens += add.outputTokens;
  into.cacheReadTokens += add.cacheReadTokens;
  into.cacheWriteTokens += add.cacheWriteTokens;
  into.unpricedTokens += add.unpricedTokens;
  into.costNanos += add.costNanos;
  into.cacheSavedNanos += add.cacheSavedNanos;
}

const big = (value: unknown): bigint => (typeof value === 'bigint' ? value : BigInt(Number(value ?? 0)));

function totalsFrom(values: unknown[], offset: number): UsageTotals {
  return {
    records: Number(values[offset] ?? 0),
    unpricedRecords: Number(values[offset + 1] ?? 0),
    inputTokens: big(values[offset + 2]),
    outputTokens: big(values[offset + 3]),
    cacheReadTokens: big(values[offset + 4]),
    cacheWriteTokens: big(values[offset + 5]),
    unpricedTokens: big(values[offset + 6]),
    costNanos: big(values[offset + 7]),
    cacheSavedNanos: big(values[offset + 8]),
  };
}

const floorHour = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;
const ceilHour = (ms: number) => Math.ceil(ms / HOUR_MS) * HOUR_MS;

export function createRollupQuery(sqlite: BetterSqlite3.Database, calendar: () => ZonedCalendar = () => timeZoneSettingFor(sqlite).calendar()) {
  const statements = new Map<string, BetterSqlite3.Statement>();

  /** Prepared once per SQL text; raw rows (arrays) with 64-bit integers as bigint, so money sums stay exact. */
  function statement(sql: string): BetterSqlite3.Statement {
    let prepared = statements.get(sql);
    if (!prepared) {
      prepared = sqlite.prepare(sql).raw(true).safeIntegers(true);
      statements.set(sql, prepared);
    }
    return prepared;
  }

  /** GROUP BY the selected key columns; rank parts stay ungrouped (top() groups them all at once). */
  function groupByClause(query: PlannedQuery, selectedCount: number): string {
    return selectedCount > 0 && !query.rank ? `GROUP BY ${Array.from({ length: selectedCount }, (_, i) => i + 1).join(', ')}` : '';
  }

  function buildSql(table: 'rollup' | 'raw', query: PlannedQuery): { sql: string; filterValues: string[] } {
    const groupBy = query.groupBy ?? [];
    const dimensionSql = (dimension: Dimension | 'hourStart') => (table === 'rollup' ? `"${dimension}"` : RAW_DIMENSION_SQL[dimension]);
    const selected = [...(query.byHour ? ['hourStart' as const] : []), ...groupBy].map(dimensionSql);
    const filterEntries = Object.entries(query.filter ?? {}).filter((entry): entry is [Dimension, string] => entry[1] !== undefined);
    const timeColumn = table === 'rollup' ? 'hourStart' : 'occurredAt';
    const where = [`${timeColumn} >= ?`, `${timeColumn} < ?`, ...filterEntries.map(([dimension]) => `${dimensionSql(dimension)} = ?`)];
    const keyed = groupBy[0];
    const onlyKeys = query.onlyKeys !== undefined && keyed !== undefined ? [query.onlyKeys] : [];
    if (onlyKeys.length > 0 && keyed !== undefined) where.push(`${dimensionSql(keyed)} IN (SELECT value FROM json_each(?))`);
    const metrics = query.rank ? (table === 'rollup' ? RANK_ROLLUP_METRICS_SQL : RANK_RAW_METRICS_SQL) : table === 'rollup' ? ROLLUP_METRICS_SQL : RAW_METRICS_SQL;
    const sql = `SELECT ${[...selected, metrics].join(', ')}
      FROM ${table === 'rollup' ? '"UsageRollupHourly"' : '"UsageRecord"'} WHERE ${where.join(' AND ')}
      ${groupByClause(query, selected.length)}`;
    return { sql, filterValues: [...filterEntries.map(([, value]) => value), ...onlyKeys] };
  }

  function collect(query: AggregateQuery, rows: unknown[][], into: Map<string, AggregateRow>): void {
    const keyCount = (query.groupBy?.length ?? 0) + (query.byHour ? 1 : 0);
    for (const values of rows) {
      const totals = totalsFrom(values, keyCount);
      // An aggregate without GROUP BY answers one row even over nothing.
      if (totals.records === 0) continue;
      const hourStart = query.byHour ? String(values[0]) : null;
      const keys = values.slice(query.byHour ? 1 : 0, keyCount).map(String);
      const mapKey = `${hourStart ?? ''}\u0000${keys.join('\u0000')}`;
      const existing = into.get(mapKey);
      if (existing) addTotals(existing.totals, totals);
      else into.set(mapKey, { keys, hourStart, totals });
    }
  }

  /** One SELECT of a plan: its rows are (hour?, keys…, the nine metrics), summed per key by the caller. */
  type Part = { sql: string; values: string[] };

  function run(table: 'rollup' | 'raw', query: PlannedQuery, from: number, to: number, into: Part[]): void {
    if (from >= to) return;
    const { sql, filterValues } = buildSql(table, query);
    into.push({ sql, values: [sqliteDate(new Date(from)), sqliteDate(new Date(to)), ...filterValues] });
  }

  /** The slice that answers `query`, if one does: one dimension grouped, or one filtered, or none. */
  function sliceOf(query: AggregateQuery): { dimension: string; key: string | null } | null {
    const groupBy = query.groupBy ?? [];
    const filters = Object.entries(query.filter ?? {}).filter(([, value]) => value !== undefined) as [Dimension, string][];
    if (groupBy.length === 0 && filters.length === 0) return { dimension: 'all', key: null };
    if (groupBy.length === 1 && filters.length === 0) return { dimension: groupBy[0] ?? 'all', key: null };
    if (groupBy.length === 0 && filters.length === 1) return { dimension: filters[0]?.[0] ?? 'all', key: filters[0]?.[1] ?? '' };
    return null;
  }

  function runSlices(query: PlannedQuery, slice: { dimension: string; key: string | null }, grain: 'hour' | 'day', from: number, to: number, into: Part[]): void {
    if (from >= to) return;
    const grouped = (query.groupBy?.length ?? 0) === 1;
    const selected = [...(query.byHour ? ['start'] : []), ...(grouped ? ['key'] : [])];
    const onlyKeys = grouped && query.onlyKeys !== undefined ? [query.onlyKeys] : [];
    const sql = `SELECT ${[...selected, query.rank ? RANK_ROLLUP_METRICS_SQL : ROLLUP_METRICS_SQL].join(', ')} FROM "UsageRollupSlice"
      WHERE dimension = ? AND grain = ? AND start >= ? AND start < ?${slice.key !== null ? ' AND key = ?' : ''}${onlyKeys.length > 0 ? ' AND key IN (SELECT value FROM json_each(?))' : ''}
      ${groupByClause(query, selected.length)}`;
    const values = [slice.dimension, grain, sqliteDate(new Date(from)), sqliteDate(new Date(to)), ...(slice.key !== null ? [slice.key] : []), ...onlyKeys];
    into.push({ sql, values });
  }

  /** Whole hours [from, to) of a one-dimension query: day slices for whole UTC days, hour slices around them. */
  function runAligned(query: PlannedQuery, from: number, to: number, into: Part[]): void {
    const slice = sliceOf(query);
    if (!slice) {
      run('rollup', query, from, to, into);
      return;
    }
    if (query.byHour && !query.byDay) {
      runSlices(query, slice, 'hour', from, to, into);
      return;
    }
    // Whole local days inside [from, to), when every day boundary falls on a UTC hour.
    const days = calendar().periodStarts('day', from, to);
    const inside = days.filter((start) => start >= from);
    const dayFrom = inside[0];
    let dayTo = dayFrom;
    for (const start of inside) {
      const end = calendar().periodOf('day', start).end;
      if (end <= to) dayTo = end;
    }
    const aligned = inside.every((start) => start % HOUR_MS === 0) && (dayTo ?? 0) % HOUR_MS === 0;
    if (dayFrom === undefined || dayTo === undefined || dayFrom >= dayTo || !aligned) {
      runSlices(query, slice, 'hour', from, to, into);
      return;
    }
    runSlices(query, slice, 'hour', from, dayFrom, into);
    runSlices(query, slice, 'day', dayFrom, dayTo, into);
    runSlices(query, slice, 'hour', dayTo, to, into);
  }

  /**
   * The SELECTs whose rows, summed per key, answer `query`: raw records for the partial hours at either
   * edge, `wholeHours` (slices where they answer, else the hourly rollup) in between.
   */
  function plan(query: PlannedQuery, wholeHours: typeof runAligned = runAligned): Part[] {
    const parts: Part[] = [];
    const { from, to } = query;
    if (from >= to) return parts;
    const alignedFrom = ceilHour(from);
    const alignedTo = floorHour(to);
    if (alignedFrom >= alignedTo) {
      run('raw', query, from, to, parts);
    } else {
      run('raw', query, from, alignedFrom, parts);
      wholeHours(query, alignedFrom, alignedTo, parts);
      run('raw', query, alignedTo, to, parts);
    }
    return parts;
  }

  function execute(query: AggregateQuery, parts: readonly Part[]): AggregateRow[] {
    const rows = new Map<string, AggregateRow>();
    for (const part of parts) collect(query, statement(part.sql).all(...part.values) as unknown[][], rows);
    return [...rows.values()];
  }

  /** Sums over [from, to) grouped as asked; exact for any bounds (raw records fill partial hours). */
  function aggregate(query: AggregateQuery): AggregateRow[] {
    return execute(query, plan(query));
  }

  /**
   * The `limit` groups of one dimension with the highest cost (then most records, then key), the number of
   * groups and the grand total. Two passes, because SQLite pays per summed column per row: rank every group
   * on records and cost alone (in SQL, only the winners come back), then sum all metrics of the winners.
   * A breakdown over thousands of tasks reads each slice row once cheaply and the top rows' fully.
   */
  function top(query: { from: number; to: number; dimension: Dimension; limit: number }): { rows: AggregateRow[]; groups: number; total: UsageTotals } {
    const grouped: AggregateQuery = { from: query.from, to: query.to, groupBy: [query.dimension] };
    const parts = plan({ ...grouped, rank: true });
    if (parts.length === 0 || query.limit <= 0) return { rows: [], groups: 0, total: emptyTotals() };
    const sql = `WITH parts(k, r, c) AS (${parts.map((part) => part.sql).join(' UNION ALL ')})
      SELECT k, COUNT(*) OVER () FROM parts GROUP BY k HAVING SUM(r) > 0 ORDER BY SUM(c) DESC, SUM(r) DESC, k LIMIT ?`;
    const ranked = statement(sql).all(...parts.flatMap((part) => part.values), query.limit) as unknown[][];
    const keys = ranked.map((values) => String(values[0]));
    const groups = Number(ranked[0]?.[1] ?? 0);
    const totals = new Map(execute(grouped, plan({ ...grouped, onlyKeys: JSON.stringify(keys) })).map((row) => [row.keys[0] ?? '', row.totals]));
    return {
      rows: keys.map((key) => ({ keys: [key], hourStart: null, totals: totals.get(key) ?? emptyTotals() })),
      groups,
      total: total({ from: query.from, to: query.to }),
    };
  }

  /** One total over [from, to). */
  function total(query: Omit<AggregateQuery, 'groupBy' | 'byHour'>): UsageTotals {
    const sum = emptyTotals();
    for (const row of aggregate(query)) addTotals(sum, row.totals);
    return sum;
  }

  /** The same sums from the full-dimension hourly rollup only (tests compare both paths). */
  function aggregateFromHourly(query: AggregateQuery): AggregateRow[] {
    return execute(query, plan(query, (planned, from, to, parts) => run('rollup', planned, from, to, parts)));
  }

  return { aggregate, aggregateFromHourly, total, top };
}

export type RollupQuery = ReturnType<typeof createRollupQuery>;
