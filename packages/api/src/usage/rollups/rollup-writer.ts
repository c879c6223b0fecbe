// Rollups of usage records, maintained in the transaction that inserts the records: each write() batch is
// folded in memory per key, then one UPSERT per key adds it. Two shapes: the full-dimension hourly rollup
// (every filter and combination), and one-dimension slices per UTC hour and per local day of the costs time
// zone (what the cost page reads: a few rows per hour or day). An hour belongs to the local day its start is in. Rebuilding hours from the raw records (after re-pricing) is the same sums in SQL.
import { sqliteDate } from '@mc/db/raw';
import type BetterSqlite3 from 'better-sqlite3';
import { timeZoneSettingFor } from '../../costs/time-zone-setting.ts';

/** The rollup's dimensions of one record; '' = absent (NULLs would be distinct in the unique index). */
export type RollupDimensions = {
  hourStart: string;
  agentId: string;
  model: string;
  provider: string;
  gatewayId: string;
  source: string;
  taskId: string;
};

export type RollupMetrics = {
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

/** Dimensions of the one-dimension slices; `all` has the key ''. */
export const SLICE_DIMENSIONS = ['all', 'agentId', 'model', 'provider', 'gatewayId', 'source', 'taskId'] as const;
export type SliceDimension = (typeof SLICE_DIMENSIONS)[number];
export type SliceGrain = 'hour' | 'day';

/** The local day (of the costs time zone) containing an instant: [start, end) in ms. */
export type DayOf = (ms: number) => { start: number; end: number };

const msText = (ms: number) => sqliteDate(new Date(ms));

type PendingRollup = { dims: RollupDimensions; metrics: RollupMetrics };
type PendingSlice = { dimension: SliceDimension; grain: SliceGrain; start: string; key: string; metrics: RollupMetrics };

/** Rollup additions held in memory until flush() (see createBatch). */
export type RollupBatch = {
  add(dims: RollupDimensions, metrics: RollupMetrics): void;
  isEmpty(): boolean;
  absorb(other: RollupBatch): void;
  clone(): RollupBatch;
  entries(): { pending: ReadonlyMap<string, PendingRollup>; slices: Iterable<PendingSlice> };
  flush(): void;
};

/** The UTC hour containing `date`, as the DATETIME text Prisma writes (sqliteDate format). */
export function hourStartText(date: Date): string {
  return `${date.toISOString().slice(0, 13)}:00:00.000+00:00`;
}

const UPSERT = `INSERT INTO "UsageRollupHourly" (hourStart, agentId, model, provider, gatewayId, source, taskId, records, unpricedRecords,
  inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, unpricedTokens, costNanos, cacheSavedNanos)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (hourStart, agentId, model, provider, gatewayId, source, taskId) DO UPDATE SET
    records = records + excluded.records, unpricedRecords = unpricedRecords + excluded.unpricedRecords,
    inputTokens = inputTokens + excluded.inputTokens, outputTokens = outputTokens + excluded.outputTokens,
    cacheReadTokens = cacheReadTokens + excluded.cacheReadTokens, cacheWriteTokens = cacheWriteTokens + excluded.cacheWriteTokens,
    unpricedTokens = unpricedTokens + excluded.unpricedTokens, costNanos = costNanos + excluded.costNanos,
    cacheSavedNanos = cacheSavedNanos + excluded.cacheSavedNanos`;

/** Raw-record expressions of each dimension, shared by the rebuild and the edge queries (costs/rollup-query.ts). */
export const RAW_DIMENSION_SQL = {
  hourStart: `substr(occurredAt, 1, 13) || ':00:00.000+00:00'`,
  agentId: `COALESCE(agentId, '')`,
  model: `COALESCE(resolvedModel, model)`,
  provider: `COALESCE(provider, '')`,
  gatewayId: `COALESCE(gatewayId, '')`,
  source: 'source',
  taskId: `COALESCE(taskId, '')`,
} as const satisfies Record<keyof RollupDimensions, string>;

/** Raw-record expressions of the rollup metrics, in RollupMetrics order. */
export const RAW_METRICS_SQL = `COUNT(*), SUM(costNanos IS NULL), SUM(inputTokens), SUM(outputTokens), SUM(cacheReadTokens), SUM(cacheWriteTokens),
  SUM(CASE WHEN costNanos IS NULL THEN inputTokens + outputTokens + cacheReadTokens + cacheWriteTokens ELSE 0 END),
  COALESCE(SUM(costNanos), 0), COALESCE(SUM(cacheSavedNanos), 0)`;

const UPSERT_SLICE = `INSERT INTO "UsageRollupSlice" (dimension, grain, start, key, records, unpricedRecords, inputTokens, outputTokens,
  cacheReadTokens, cacheWriteTokens, unpricedTokens, costNanos, cacheSavedNanos) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (dimension, grain, start, key) DO UPDATE SET
    records = records + excluded.records, unpricedRecords = unpricedRecords + excluded.unpricedRecords,
    inputTokens = inputTokens + excluded.inputTokens, outputTokens = outputTokens + excluded.outputTokens,
    cacheReadTokens = cacheReadTokens + excluded.cacheReadTokens, cacheWriteTokens = cacheWriteTokens + excluded.cacheWriteTokens,
    unpricedTokens = unpricedTokens + excluded.unpricedTokens, costNanos = costNanos + excluded.costNanos,
    cacheSavedNanos = cacheSavedNanos + excluded.cacheSavedNanos`;

function addMetrics(sum: RollupMetrics, metrics: RollupMetrics): void {
  sum.records += metrics.records;
  sum.unpricedRecords += metrics.unpricedRecords;
  sum.inputTokens += metrics.inputTokens;
  sum.outputTokens += metrics.outputTokens;
  sum.cacheReadTokens += metrics.cacheReadTokens;
  sum.cacheWriteTokens += metrics.cacheWriteTokens;
  sum.unpricedTokens += metrics.unpricedTokens;
  sum.costNanos += metrics.costNanos;
  sum.cacheSavedNanos += metrics.cacheSavedNanos;
}

export function createRollupWriter(sqlite: BetterSqlite3.Database, dayOf: DayOf = (ms) => timeZoneSettingFor(sqlite).calendar().periodOf('day', ms)) {
  const upsert = sqlite.prepare(UPSERT);
  const upsertSlice = sqlite.prepare(UPSERT_SLICE);
  const deleteSlices = sqlite.prepare(`DELETE FROM "UsageRollupSlice" WHERE grain = ? AND start >= ? AND start < ?`);
  const deleteRange = sqlite.prepare(`DELETE FROM "UsageRollupHourly" WHERE hourStart >= ? AND hourStart < ?`);
  const d = RAW_DIMENSION_SQL;
  const rebuildRange = sqlite.prepare(`INSERT INTO "UsageRollupHourly" (hourStart, agentId, model, provider, gatewayId, source, taskId, records,
    unpricedRecords, inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, unpricedTokens, costNanos, cacheSavedNanos)
    SELECT ${d.hourStart}, ${d.agentId}, ${d.model}, ${d.provider}, ${d.gatewayId}, ${d.source}, ${d.taskId}, ${RAW_METRICS_SQL}
    FROM "UsageRecord" WHERE occurredAt >= ? AND occurredAt < ? GROUP BY 1, 2, 3, 4, 5, 6, 7`);

  /**
   * Collects rollup additions in memory, folded per key; flush() adds them to the tables (call inside the
   * insert's transaction). One write() call uses one batch; a group commit folds many beats into one, so
   * the slices they share (all, model, source, …) cost one UPSERT per transaction instead of one per beat.
   */
  function createBatch(): RollupBatch {
    const pending = new Map<string, PendingRollup>();
    // Slices by grain + start, then dimension, then key: no composite string key to build and hash per slice
    // (14 slices per record made that the costliest part of a heartbeat's rollup work).
    const slices = new Map<string, Map<SliceDimension, Map<string, PendingSlice>>>();
    function addPending(key: string, dims: RollupDimensions, metrics: RollupMetrics) {
      const entry = pending.get(key);
      if (entry) addMetrics(entry.metrics, metrics);
      else pending.set(key, { dims, metrics: { ...metrics } });
    }
    function slicesOf(grain: SliceGrain, start: string) {
      const periodKey = grain === 'hour' ? start : `d${start}`;
      let period = slices.get(periodKey);
      if (!period) {
        period = new Map(SLICE_DIMENSIONS.map((dimension) => [dimension, new Map<string, PendingSlice>()]));
        slices.set(periodKey, period);
      }
      return period;
    }
    function addSlice(period: Map<SliceDimension, Map<string, PendingSlice>>, slice: PendingSlice) {
      const byKey = period.get(slice.dimension) as Map<string, PendingSlice>;
      const entry = byKey.get(slice.key);
      if (entry) addMetrics(entry.metrics, slice.metrics);
      else byKey.set(slice.key, { ...slice, metrics: { ...slice.metrics } });
    }
    // The local day of the last hour seen: nearly every record of a batch falls in the same hour.
    let lastHour = '';
    let lastDay = '';
    function* allSlices(): Generator<PendingSlice> {
      for (const period of slices.values()) for (const byKey of period.values()) yield* byKey.values();
    }
    const batch: RollupBatch = {
      add(dims: RollupDimensions, metrics: RollupMetrics) {
        const key = `${dims.hourStart}\u0000${dims.agentId}\u0000${dims.model}\u0000${dims.provider}\u0000${dims.gatewayId}\u0000${dims.source}\u0000${dims.taskId}`;
        addPending(key, dims, metrics);
        if (dims.hourStart !== lastHour) {
          lastHour = dims.hourStart;
          lastDay = msText(dayOf(Date.parse(dims.hourStart)).start);
        }
        const day = lastDay;
        const hourSlices = slicesOf('hour', dims.hourStart);
        const daySlices = slicesOf('day', day);
        for (const dimension of SLICE_DIMENSIONS) {
          const key = dimension === 'all' ? '' : dims[dimension];
          addSlice(hourSlices, { dimension, grain: 'hour', start: dims.hourStart, key, metrics });
          addSlice(daySlices, { dimension, grain: 'day', start: day, key, metrics });
        }
      },
      isEmpty: () => pending.size === 0 && slices.size === 0,
      /** Adds everything another batch holds (that batch is left as it was). */
      absorb(other: RollupBatch) {
        const parts = other.entries();
        for (const [key, entry] of parts.pending) addPending(key, entry.dims, entry.metrics);
        for (const slice of parts.slices) addSlice(slicesOf(slice.grain, slice.start), slice);
      },
      /** A copy to restore from, when a flush inside a savepoint may be rolled back. */
      clone() {
        const copy = createBatch();
        copy.absorb(batch);
        return copy;
      },
      entries: () => ({ pending, slices: allSlices() }),
      flush() {
        for (const { dims, metrics: m } of pending.values()) {
          upsert.run(
            dims.hourStart, dims.agentId, dims.model, dims.provider, dims.gatewayId, dims.source, dims.taskId, m.records, m.unpricedRecords,
            m.inputTokens, m.outputTokens, m.cacheReadTokens, m.cacheWriteTokens, m.unpricedTokens, m.costNanos, m.cacheSavedNanos,
          );
        }
        for (const { dimension, grain, start, key, metrics: m } of allSlices()) {
          upsertSlice.run(dimension, grain, start, key, m.records, m.unpricedRecords, m.inputTokens, m.outputTokens, m.cacheReadTokens,
            m.cacheWriteTokens, m.unpricedTokens, m.costNanos, m.cacheSavedNanos);
        }
        pending.clear();
        slices.clear();
      },
    };
    return batch;
  }

  const sliceStatements = new Map<string, BetterSqlite3.Statement>();
  /**
   * Slices of one grain over [from, to), recomputed from the (already rebuilt) hourly rollup: hour slices
   * per hour; day slices as one slice starting at `from` (call it with one local day's range).
   */
  function rebuildSlices(grain: SliceGrain, from: string, to: string): void {
    deleteSlices.run(grain, from, to);
    for (const dimension of SLICE_DIMENSIONS) {
      const sql = `INSERT INTO "UsageRollupSlice" (dimension, grain, start, key, records, unpricedRecords, inputTokens, outputTokens, cacheReadTokens,
        cacheWriteTokens, unpricedTokens, costNanos, cacheSavedNanos)
        SELECT '${dimension}', '${grain}', ${grain === 'hour' ? 'hourStart' : '?'}, ${dimension === 'all' ? `''` : `"${dimension}"`},
          SUM(records), SUM(unpricedRecords), SUM(inputTokens), SUM(outputTokens), SUM(cacheReadTokens), SUM(cacheWriteTokens), SUM(unpricedTokens),
          SUM(costNanos), SUM(cacheSavedNanos)
        FROM "UsageRollupHourly" WHERE hourStart >= ? AND hourStart < ? GROUP BY 3, 4`;
      let statement = sliceStatements.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        sliceStatements.set(sql, statement);
      }
      if (grain === 'hour') statement.run(from, to);
      else statement.run(from, from, to);
    }
  }

  /** A local day's slices from the hourly rollup (the hours whose start is in the day). */
  function rebuildDay(day: { start: number; end: number }): void {
    rebuildSlices('day', msText(day.start), msText(day.end));
  }

  /** Every day slice again, for a new time zone (`dayOf` already answers in it). Call inside a transaction. */
  function rebuildAllDays(): void {
    sqlite.prepare(`DELETE FROM "UsageRollupSlice" WHERE grain = 'day'`).run();
    const bounds = sqlite.prepare(`SELECT MIN(hourStart) AS first, MAX(hourStart) AS last FROM "UsageRollupHourly"`).get() as { first: string | null; last: string | null };
    if (bounds.first === null || bounds.last === null) return;
    const last = Date.parse(bounds.last);
    for (let day = dayOf(Date.parse(bounds.first)); day.start <= last; day = dayOf(day.end)) rebuildDay(day);
  }

  /**
   * Recomputes every rollup of the given UTC hours from the raw records (hour texts; call inside a
   * transaction): the hourly rows, their hour slices, and the day slices of the days they are in.
   */
  function rebuildHours(hours: Iterable<string>): void {
    const days = new Map<number, { start: number; end: number }>();
    for (const hour of hours) {
      const next = hourStartText(new Date(Date.parse(hour) + 3_600_000));
      deleteRange.run(hour, next);
      rebuildRange.run(hour, next);
      rebuildSlices('hour', hour, next);
      const day = dayOf(Date.parse(hour));
      days.set(day.start, day);
    }
    for (const day of days.values()) rebuildDay(day);
  }

  return { createBatch, rebuildHours, rebuildAllDays };
}

export type RollupWriter = ReturnType<typeof createRollupWriter>;
