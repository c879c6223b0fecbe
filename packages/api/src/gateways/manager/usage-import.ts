// Gateway usage → UsageRecord (GATEWAY.md §11): one record per assistant message with usage, keyed by
// the OpenClaw message id in the scope `gateway:<gatewayId>`, so a re-import (reconnect, chat.history
// reload, a session.message seen twice) counts once. Cost at write comes from our price table; the
// gateway's own figure is kept as reportedCostUsd.
//
// SDK vs gateway (the double-counting rule): work that runs on an OpenClaw gateway is counted from the
// gateway. An SDK reporter of the same work must use the OpenClaw message id as its record id; every
// import then deletes SDK-scoped records (`agent:*`) with the same session key and id, whichever arrived
// first, and rebuilds the affected rollup hours in the same transaction. The gateway record wins because
// it is the only one that carries the gateway attribution and the gateway's own cost figure, and it is
// re-importable (an SDK record that disappears can't come back twice; a gateway one is deduped by key).
import type { Database } from '@mc/db';
import type { BusEvent } from '../../events/bus.ts';
import type { EventsService } from '../../events/service.ts';
import { createRollupWriter, hourStartText } from '../../usage/rollups/rollup-writer.ts';
import type { UsageRecordInput } from '../../usage/schema.ts';
import { summaryForEvent, type UsageWriter } from '../../usage/usage-writer.ts';
import { asRecord, readInteger, readNumber, readString, readTime } from './payload-readers.ts';

export const OPENCLAW_USAGE_SOURCE = 'openclaw';
export const gatewayDedupeScope = (gatewayId: string) => `gateway:${gatewayId}`;

/** The usage schema's per-record bounds (usage/schema.ts): a gateway bug must not poison sums. */
const MAX_TOKENS = 1_000_000_000;
const MAX_MESSAGE_COST_USD = 1_000_000;
const tokens = (value: unknown) => {
  const count = readInteger(value);
  return count === null ? null : Math.min(count, MAX_TOKENS);
};

export type GatewayUsage = { record: UsageRecordInput; agentId: string | null; agentName: string };

/** An assistant message (chat.history / session.message) → a usage record, or null without usage. */
export function readMessageUsage(message: unknown, sessionKey: string, fallbackId: string | null, now: Date): UsageRecordInput | null {
  const body = asRecord(message);
  if (body.role !== 'assistant') return null;
  const usage = asRecord(body.usage);
  const inputTokens = tokens(usage.input);
  const outputTokens = tokens(usage.output);
  if (inputTokens === null && outputTokens === null) return null;
  const id = readString(asRecord(body.__openclaw).id) ?? fallbackId;
  if (id === null) return null;
  const cost = readNumber(asRecord(usage.cost).total);
  const timestamp = readTime(body.timestamp);
  // The usage schema accepts 2020..tomorrow; a gateway with a wrong clock must not poison the record.
  const occurredAt = timestamp !== null && timestamp.getTime() > Date.UTC(2020, 0, 1) && timestamp.getTime() < now.getTime() + 86_400_000 ? timestamp : now;
  return {
    id: id.slice(0, 128),
    model: (readString(body.model) ?? 'unknown').slice(0, 200),
    ...(readString(body.provider) ? { provider: String(body.provider).slice(0, 50) } : {}),
    inputTokens: inputTokens ?? 0,
    outputTokens: outputTokens ?? 0,
    cacheReadTokens: tokens(usage.cacheRead) ?? 0,
    cacheWriteTokens: tokens(usage.cacheWrite) ?? 0,
    ...(cost !== null && cost >= 0 && cost <= MAX_MESSAGE_COST_USD ? { costUsd: cost } : {}),
    billing: 'api',
    sessionId: sessionKey.slice(0, 200),
    source: OPENCLAW_USAGE_SOURCE,
    occurredAt,
  };
}

export function createGatewayUsageImporter(deps: {
  database: Database; events: EventsService; usageWriter: UsageWriter;
  /** inside the transaction that deleted SDK records (budget spend caches are rebuilt from rollups) */
  onUsageRemoved?: (sqlite: Database['sqlite']) => void;
}) {
  const { database, events, usageWriter } = deps;
  const sqlite = database.sqlite;
  const rollups = createRollupWriter(sqlite);
  const findSdkDuplicates = sqlite.prepare(
    `SELECT id, occurredAt FROM "UsageRecord" WHERE sessionKey = ? AND idempotencyKey = ? AND dedupeScope LIKE 'agent:%'`,
  );
  const deleteRecord = sqlite.prepare('DELETE FROM "UsageRecord" WHERE id = ?');
  // SDK records newer than a watermark that a gateway also reported (the (dedupeScope, idempotencyKey)
  // index serves the inner lookup, one probe per gateway).
  const findLateSdkDuplicates = sqlite.prepare(`SELECT s.id, s.occurredAt FROM "UsageRecord" s
    WHERE s.id > ? AND s.dedupeScope LIKE 'agent:%' AND EXISTS (
      SELECT 1 FROM "Gateway" gw JOIN "UsageRecord" g ON g.dedupeScope = 'gateway:' || gw.id AND g.idempotencyKey = s.idempotencyKey
      WHERE g.sessionKey = s.sessionKey)`);
  const maxRecordId = sqlite.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM "UsageRecord"');
  let reconciledThroughId = 0;

  /** Deletes SDK records of messages the gateway reported; returns how many. Inside a raw transaction. */
  function dropSdkDuplicates(records: readonly UsageRecordInput[]): number {
    const rows: { id: number; occurredAt: string }[] = [];
    for (const record of records) {
      if (record.id === undefined || record.sessionId === undefined) continue;
      rows.push(...(findSdkDuplicates.all(record.sessionId, record.id) as { id: number; occurredAt: string }[]));
    }
    return deleteAndRebuild(rows);
  }

  function deleteAndRebuild(rows: readonly { id: number; occurredAt: string }[]): number {
    const hours = new Set<string>();
    for (const row of rows) {
      deleteRecord.run(row.id);
      hours.add(hourStartText(new Date(row.occurredAt)));
    }
    if (hours.size > 0) rollups.rebuildHours(hours);
    if (rows.length > 0) deps.onUsageRemoved?.(sqlite);
    return rows.length;
  }

  /** Drops SDK records that arrived after the gateway record of the same message (periodic). */
  async function reconcileSdkUsage(): Promise<number> {
    return database.rawTransaction(() => {
      const rows = findLateSdkDuplicates.all(reconciledThroughId) as { id: number; occurredAt: string }[];
      reconciledThroughId = (maxRecordId.get() as { id: number }).id;
      return deleteAndRebuild(rows);
    });
  }

  /** Writes gateway usage (grouped per mirrored agent) and publishes usage.recorded after commit. */
  async function importUsage(gatewayId: string, items: readonly GatewayUsage[], receivedAt: Date): Promise<{ recorded: number; duplicates: number; sdkDropped: number }> {
    if (items.length === 0) return { recorded: 0, duplicates: 0, sdkDropped: 0 };
    const byAgent = new Map<string, { agentId: string | null; agentName: string; records: UsageRecordInput[] }>();
    for (const item of items) {
      const key = item.agentId ?? `name:${item.agentName}`;
      const group = byAgent.get(key) ?? { agentId: item.agentId, agentName: item.agentName, records: [] };
      group.records.push(item.record);
      byAgent.set(key, group);
    }
    const emitted: BusEvent[] = [];
    const totals = await database.rawTransaction((db) => {
      let recorded = 0;
      let duplicates = 0;
      const all: UsageRecordInput[] = [];
      for (const group of byAgent.values()) {
        const summary = usageWriter.write(group.records, {
          agentId: group.agentId, agentName: group.agentName, gatewayId, dedupeScope: gatewayDedupeScope(gatewayId),
          defaultSource: OPENCLAW_USAGE_SOURCE, receivedAt,
        });
        recorded += summary.recorded;
        duplicates += summary.duplicates;
        all.push(...group.records);
        if (summary.recorded > 0) {
          emitted.push(events.recordRaw(db, {
            type: 'usage.recorded', agentId: group.agentId,
            payload: { agentId: group.agentId, agentName: group.agentName, gatewayId, usage: summaryForEvent(summary) },
          }));
        }
      }
      // Runs on every import (duplicates included) so an SDK record that arrived after ours is dropped too.
      const sdkDropped = dropSdkDuplicates(all);
      return { recorded, duplicates, sdkDropped };
    });
    events.publish(emitted);
    return totals;
  }

  return { importUsage, reconcileSdkUsage };
}

export type GatewayUsageImporter = ReturnType<typeof createGatewayUsageImporter>;
