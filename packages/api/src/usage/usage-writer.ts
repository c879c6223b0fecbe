// Writes usage records on the raw connection inside the caller's transaction: prices each record once
// (integer nano-USD, pinned table version), skips repeats of an idempotency key, sums what it wrote.
import { randomUUID } from 'node:crypto';
import { sqliteDate } from '@mc/db';
import type BetterSqlite3 from 'better-sqlite3';
import { priceUsage } from './pricing/cost.ts';
import { nanosToUsd, usdToNanos } from './pricing/money.ts';
import type { PriceTable } from './pricing/price-table.ts';
import { inferProvider } from './provider.ts';
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
  priceVersion, tier, billing, aggregated, subagent, dedupeScope, idempotencyKey, occurredAt, createdAt)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (dedupeScope, idempotencyKey) DO NOTHING RETURNING id`;

export function createUsageWriter(sqlite: BetterSqlite3.Database, priceTable: () => PriceTable) {
  const insert = sqlite.prepare(INSERT);

  /** Call inside database.rawTransaction. */
  function write(records: readonly UsageRecordInput[], ctx: UsageContext): UsageSummary {
    const table = priceTable();
    const summary: UsageSummary = {
      recorded: 0, duplicates: 0, costNanos: 0n, unpriced: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, models: [], records: [],
    };
    const models = new Set<string>();
    const now = sqliteDate(ctx.receivedAt);
    for (const record of records) {
      const price = priceUsage(table, {
        model: record.model,
        inputTokens: record.inputTokens,
        outputTokens: record.outputTokens,
        cacheReadTokens: record.cacheReadTokens ?? 0,
        cacheWriteTokens: record.cacheWriteTokens ?? 0,
        cacheWrite1hTokens: record.cacheWrite1hTokens ?? 0,
        aggregated: record.aggregated ?? false,
      });
      const key = record.id ?? randomUUID();
      const row = insert.get(
        ctx.agentId,
        ctx.gatewayId ?? null,
        record.sessionId ?? `${ctx.agentName}:cli`,
        record.taskId ?? ctx.defaultTaskId ?? null,
        record.source ?? ctx.defaultSource,
        record.model,
        price.resolvedModel,
        record.provider ?? inferProvider(record.model),
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
        sqliteDate(record.occurredAt ?? ctx.receivedAt),
        now,
      ) as { id: number } | undefined;
      const costUsd = price.costNanos === null ? null : nanosToUsd(price.costNanos);
      if (!row) {
        summary.duplicates += 1;
        summary.records.push({ id: key, costUsd, priced: price.costNanos !== null, duplicate: true });
        continue;
      }
      summary.recorded += 1;
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
    return summary;
  }

  return { write };
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
