// Writes usage records on the raw connection inside the caller's transaction: prices each record once
// (integer nano-USD, pinned table version), skips repeats of an idempotency key, sums what it wrote.
// Newly inserted records are added to the hourly rollups and handed to the hooks (budgets) in the same
// transaction, so rollups always equal the raw sums.
import { randomUUID } from 'node:crypto';
import { sqliteDate } from '@mc/db/raw';
import type BetterSqlite3 from 'better-sqlite3';
import { cacheSavedNanos, priceUsage } from './pricing/cost.ts';
import { nanosToUsd, usdToNanos } from './pricing/money.ts';
import type { PriceTable } from './pricing/price-table.ts';
import { inferProvider } from './provider.ts';
import { createRollupWriter, hourStartText, type RollupBatch } from './rollups/rollup-writer.ts';
import type { UsageRecordInput } from './schema.ts';

export type UsageContext = {
  agentId: string | null;
  agentName: string;
  gatewayId?: string | null;
  /** Idempotency keys are unique within a scope: `agent:<id>`, `gateway:<id>`. */
  dedupeScope: string;
  defaultSource: string;
  defaultTaskId?: string | null;
  receivedAt: Date;
};

export type WrittenRecord = { id: string; costUsd: number | null; priced: boolean; duplicate: boolean };

/** A record the writer inserted (not a duplicate), with its rollup dimensions; for ingestion hooks. */
export type InsertedUsage = {
  occurredAt: Date;
  agentId: string | null;
  /** resolvedModel ?? reported model: the rollup and budget "model". */
  model: string;
  gatewayId: string | null;
  taskId: string | null;
  costNanos: bigint | null;
};

/**
 * Runs inside the insert's transaction (budgets evaluate here). The rollups may still be held in memory
 * (a group commit defers them): call flushRollups() before reading the rollup tables.
 */
export type UsageWriteHook = (sqlite: BetterSqlite3.Database, inserted: readonly InsertedUsage[], flushRollups: () => void) => void;

/**
 * A caller that writes many batches in one transaction (the heartbeat group commit) collects their rollup
 * additions in one batch and flushes it once at the end. `flush` must write everything pending in the
 * transaction, so a hook that reads the rollups sees this write too.
 */
export type DeferredRollups = { batch: Pick<RollupBatch, 'add'>; flush(): void };

/** A batch's additions deferred to itself: flushed when the caller (or a hook) says so. */
export const deferTo = (batch: RollupBatch): DeferredRollups => ({ batch, flush: () => batch.flush() });

export type UsageWriterOptions = {
  hooks?: readonly UsageWriteHook[];
  /** Only the benchmark turns this off, to measure what the rollups cost. */
  maintainRollups?: boolean;
};

export type UsageSummary = {
  recorded: number;
  duplicates: number;
  costNanos: bigint;
  unpriced: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  models: string[];
  records: WrittenRecord[];
};

const INSERT = `INSERT INTO "UsageRecord" (agentId, gatewayId, sessionKey, taskId, source, model, resolvedModel, provider,
  inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, cacheWrite1hTokens, reasoningTokens, costNanos, reportedCostNanos,
  priceVersion, tier, billing, aggregated, subagent, dedupeScope, idempotencyKey, occurredAt, createdAt, cacheSavedNanos)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (dedupeScope, idempotencyKey) DO NOTHING RETURNING id`;

export function createUsageWriter(sqlite: BetterSqlite3.Database, priceTable: () => PriceTable, options: UsageWriterOptions = {}) {
  const insert = sqlite.prepare(INSERT);
  const rollups = createRollupWriter(sqlite);
  const hooks = options.hooks ?? [];
  const maintainRollups = options.maintainRollups ?? true;

  /** Call inside database.rawTransaction. With `deferred`, the rollups go to the caller's batch. */
  function write(records: readonly UsageRecordInput[], ctx: UsageContext, deferred?: DeferredRollups): UsageSummary {
    const table = priceTable();
    const summary: UsageSummary = {
      recorded: 0, duplicates: 0, costNanos: 0n, unpriced: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, models: [], records: [],
    };
    const models = new Set<string>();
    const now = sqliteDate(ctx.receivedAt);
    // Without a caller's batch: an own one, flushed before the hooks run.
    const target = deferred ?? deferTo(rollups.createBatch());
    const batch = target.batch;
    const inserted: InsertedUsage[] = [];
    for (const record of records) {
      const usage = {
        model: record.model,
        inputTokens: record.inputTokens,
        outputTokens: record.outputTokens,
        cacheReadTokens: record.cacheReadTokens ?? 0,
        cacheWriteTokens: record.cacheWriteTokens ?? 0,
        cacheWrite1hTokens: record.cacheWrite1hTokens ?? 0,
        aggregated: record.aggregated ?? false,
      };
      const price = priceUsage(table, usage);
      const savedNanos = cacheSavedNanos(table, usage, price);
      const key = record.id ?? randomUUID();
      const occurredAt = record.occurredAt ?? ctx.receivedAt;
      const taskId = record.taskId ?? ctx.defaultTaskId ?? null;
      const source = record.source ?? ctx.defaultSource;
      const provider = record.provider ?? inferProvider(record.model);
      const row = insert.get(
        ctx.agentId,
        ctx.gatewayId ?? null,
        record.sessionId ?? `${ctx.agentName}:cli`,
        taskId,
        source,
        record.model,
        price.resolvedModel,
        provider,
        record.inputTokens,
        record.outputTokens,
        record.cacheReadTokens ?? 0,
        record.cacheWriteTokens ?? 0,
        record.cacheWrite1hTokens ?? 0,
        record.reasoningTokens ?? 0,
        price.costNanos,
        record.costUsd == null ? null : usdToNanos(record.costUsd),
        table.version,
        price.tier,
        record.billing ?? 'unknown',
        record.aggregated ? 1 : 0,
        record.subagent ?? null,
        ctx.dedupeScope,
        key,
        sqliteDate(occurredAt),
        now,
        savedNanos,
      ) as { id: number } | undefined;
      const costUsd = price.costNanos === null ? null : nanosToUsd(price.costNanos);
      if (!row) {
        summary.duplicates += 1;
        summary.records.push({ id: key, costUsd, priced: price.costNanos !== null, duplicate: true });
        continue;
      }
      summary.recorded += 1;
      const model = price.resolvedModel ?? record.model;
      const cacheRead = record.cacheReadTokens ?? 0;
      const cacheWrite = record.cacheWriteTokens ?? 0;
      if (maintainRollups) {
        batch.add(
          { hourStart: hourStartText(occurredAt), agentId: ctx.agentId ?? '', model, provider: provider ?? '', gatewayId: ctx.gatewayId ?? '', source, taskId: taskId ?? '' },
          {
            records: 1,
            unpricedRecords: price.costNanos === null ? 1 : 0,
            inputTokens: BigInt(record.inputTokens),
            outputTokens: BigInt(record.outputTokens),
            cacheReadTokens: BigInt(cacheRead),
            cacheWriteTokens: BigInt(cacheWrite),
            unpricedTokens: price.costNanos === null ? BigInt(record.inputTokens + record.outputTokens + cacheRead + cacheWrite) : 0n,
            costNanos: price.costNanos ?? 0n,
            cacheSavedNanos: savedNanos ?? 0n,
          },
        );
      }
      inserted.push({ occurredAt, agentId: ctx.agentId, model, gatewayId: ctx.gatewayId ?? null, taskId, costNanos: price.costNanos });
      if (price.costNanos === null) summary.unpriced += 1;
      else summary.costNanos += price.costNanos;
      summary.inputTokens += record.inputTokens;
      summary.outputTokens += record.outputTokens;
      summary.cacheReadTokens += record.cacheReadTokens ?? 0;
      summary.cacheWriteTokens += record.cacheWriteTokens ?? 0;
      models.add(record.model);
      summary.records.push({ id: key, costUsd, priced: price.costNanos !== null, duplicate: false });
    }
    summary.models = [...models];
    if (!deferred) target.flush();
    if (inserted.length > 0) for (const hook of hooks) hook(sqlite, inserted, target.flush);
    return summary;
  }

  return { write, createRollupBatch: rollups.createBatch };
}

export type UsageWriter = ReturnType<typeof createUsageWriter>;

/** The event-safe part of a summary (no bigint in JSON). */
export function summaryForEvent(summary: UsageSummary) {
  return {
    recorded: summary.recorded,
    duplicates: summary.duplicates,
    costUsd: nanosToUsd(summary.costNanos),
    unpriced: summary.unpriced,
    inputTokens: summary.inputTokens,
    outputTokens: summary.outputTokens,
    cacheReadTokens: summary.cacheReadTokens,
    cacheWriteTokens: summary.cacheWriteTokens,
    models: summary.models,
  };
}
