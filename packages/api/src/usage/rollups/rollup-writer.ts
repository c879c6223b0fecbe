// Hourly rollups of usage records, maintained in the transaction that inserts the records: each write()
// batch is folded per (UTC hour × dimensions) in memory, then one UPSERT per key adds it to the row.
// Rebuilding a set of hours from the raw records (after re-pricing) is the same sums in SQL.
import type BetterSqlite3 from 'better-sqlite3';

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

export function createRollupWriter(sqlite: BetterSqlite3.Database) {
  const upsert = sqlite.prepare(UPSERT);
  const deleteRange = sqlite.prepare(`DELETE FROM "UsageRollupHourly" WHERE hourStart >= ? AND hourStart < ?`);
  const d = RAW_DIMENSION_SQL;
  const rebuildRange = sqlite.prepare(`INSERT INTO "UsageRollupHourly" (hourStart, agentId, model, provider, gatewayId, source, taskId, records,
    unpricedRecords, inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, unpricedTokens, costNanos, cacheSavedNanos)
    SELECT ${d.hourStart}, ${d.agentId}, ${d.model}, ${d.provider}, ${d.gatewayId}, ${d.source}, ${d.taskId}, ${RAW_METRICS_SQL}
    FROM "UsageRecord" WHERE occurredAt >= ? AND occurredAt < ? GROUP BY 1, 2, 3, 4, 5, 6, 7`);

  /** Collects one write() batch; flush() adds it to the rollups (call inside the insert's transaction). */
  function createBatch() {
    const pending = new Map<string, { dims: RollupDimensions; metrics: RollupMetrics }>();
    return {
      add(dims: RollupDimensions, metrics: RollupMetrics) {
        const key = `${dims.hourStart}\u0000${dims.agentId}\u0000${dims.model}\u0000${dims.provider}\u0000${dims.gatewayId}\u0000${dims.source}\u0000${dims.taskId}`;
        const entry = pending.get(key);
        if (!entry) {
          pending.set(key, { dims, metrics: { ...metrics } });
          return;
        }
        const sum = entry.metrics;
        sum.records += metrics.records;
        sum.unpricedRecords += metrics.unpricedRecords;
        sum.inputTokens += metrics.inputTokens;
        sum.outputTokens += metrics.outputTokens;
        sum.cacheReadTokens += metrics.cacheReadTokens;
        sum.cacheWriteTokens += metrics.cacheWriteTokens;
        sum.unpricedTokens += metrics.unpricedTokens;
        sum.costNanos += metrics.costNanos;
        sum.cacheSavedNanos += metrics.cacheSavedNanos;
      },
      flush() {
        for (const { dims, metrics: m } of pending.values()) {
          upsert.run(
            dims.hourStart, dims.agentId, dims.model, dims.provider, dims.gatewayId, dims.source, dims.taskId, m.records, m.unpricedRecords,
            m.inputTokens, m.outputTokens, m.cacheReadTokens, m.cacheWriteTokens, m.unpricedTokens, m.costNanos, m.cacheSavedNanos,
          );
        }
        pending.clear();
      },
    };
  }

  /** Recomputes the rollups of [fromHour, toHour) from the raw records (hour texts; call inside a transaction). */
  function rebuildHours(fromHour: string, toHour: string): void {
    deleteRange.run(fromHour, toHour);
    rebuildRange.run(fromHour, toHour);
  }

  return { createBatch, rebuildHours };
}

export type RollupWriter = ReturnType<typeof createRollupWriter>;
