// Raw usage records for drill-down and export: keyset pages ordered by (occurredAt, id) descending for the
// table, ascending for export. Never one long-lived SQLite cursor (the connection is shared).
import { sqliteDate } from '@mc/db';
import type BetterSqlite3 from 'better-sqlite3';
import { validationFailed } from '../errors.ts';
import { nanosToUsd } from '../usage/pricing/money.ts';
import type { CostFilter } from './schema.ts';

type RawRecord = {
  id: bigint; occurredAt: string; agentId: string | null; agentName: string | null; gatewayId: string | null; taskId: string | null; sessionKey: string;
  source: string; model: string; resolvedModel: string | null; provider: string | null; inputTokens: bigint; outputTokens: bigint;
  cacheReadTokens: bigint; cacheWriteTokens: bigint; cacheWrite1hTokens: bigint; reasoningTokens: bigint; costNanos: bigint | null;
  cacheSavedNanos: bigint | null; reportedCostNanos: bigint | null; priceVersion: string; tier: string | null; billing: string; aggregated: bigint;
  subagent: string | null; idempotencyKey: string;
};

const COLUMNS = `r.id, r.occurredAt, r.agentId, a.name AS agentName, r.gatewayId, r.taskId, r.sessionKey, r.source, r.model, r.resolvedModel, r.provider,
  r.inputTokens, r.outputTokens, r.cacheReadTokens, r.cacheWriteTokens, r.cacheWrite1hTokens, r.reasoningTokens, r.costNanos, r.cacheSavedNanos,
  r.reportedCostNanos, r.priceVersion, r.tier, r.billing, r.aggregated, r.subagent, r.idempotencyKey`;

const FILTER_SQL: Record<Exclude<keyof CostFilter, 'unpricedOnly'>, string> = {
  agentId: `COALESCE(r.agentId, '') = ?`,
  model: `COALESCE(r.resolvedModel, r.model) = ?`,
  provider: `COALESCE(r.provider, '') = ?`,
  gatewayId: `COALESCE(r.gatewayId, '') = ?`,
  source: `r.source = ?`,
  taskId: `COALESCE(r.taskId, '') = ?`,
};

const usdOrNull = (nanos: bigint | null) => (nanos === null ? null : nanosToUsd(nanos));

export function toRecordView(row: RawRecord) {
  return {
    id: Number(row.id),
    occurredAt: new Date(row.occurredAt).toISOString(),
    agentId: row.agentId,
    agentName: row.agentName,
    gatewayId: row.gatewayId,
    taskId: row.taskId,
    sessionKey: row.sessionKey,
    source: row.source,
    model: row.model,
    resolvedModel: row.resolvedModel,
    provider: row.provider,
    inputTokens: Number(row.inputTokens),
    outputTokens: Number(row.outputTokens),
    cacheReadTokens: Number(row.cacheReadTokens),
    cacheWriteTokens: Number(row.cacheWriteTokens),
    cacheWrite1hTokens: Number(row.cacheWrite1hTokens),
    reasoningTokens: Number(row.reasoningTokens),
    priced: row.costNanos !== null,
    costNanos: row.costNanos === null ? null : String(row.costNanos),
    costUsd: usdOrNull(row.costNanos),
    cacheSavedUsd: usdOrNull(row.cacheSavedNanos),
    reportedCostUsd: usdOrNull(row.reportedCostNanos),
    priceVersion: row.priceVersion,
    tier: row.tier,
    billing: row.billing,
    aggregated: row.aggregated === 1n,
    subagent: row.subagent,
    idempotencyKey: row.idempotencyKey,
  };
}
export type UsageRecordView = ReturnType<typeof toRecordView>;

const CSV_COLUMNS: readonly (keyof UsageRecordView)[] = [
  'id', 'occurredAt', 'agentId', 'agentName', 'gatewayId', 'taskId', 'sessionKey', 'source', 'model', 'resolvedModel', 'provider', 'inputTokens',
  'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'cacheWrite1hTokens', 'reasoningTokens', 'priced', 'costNanos', 'costUsd', 'cacheSavedUsd',
  'reportedCostUsd', 'priceVersion', 'tier', 'billing', 'aggregated', 'subagent', 'idempotencyKey',
];

/** RFC 4180 quoting; text that a spreadsheet would run as a formula gets a leading apostrophe. */
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const CURSOR = /^(\d{4}-\d{2}-\d{2}T[\d:.]+\+00:00)~(\d{1,18})$/;

export function createUsageRecordReader(sqlite: BetterSqlite3.Database) {
  const statements = new Map<string, BetterSqlite3.Statement>();
  function statement(sql: string) {
    let prepared = statements.get(sql);
    if (!prepared) {
      prepared = sqlite.prepare(sql).safeIntegers(true);
      statements.set(sql, prepared);
    }
    return prepared;
  }

  function read(options: { from: number; to: number; filter: CostFilter; after?: { occurredAt: string; id: bigint } | undefined; limit: number; order: 'asc' | 'desc' }): RawRecord[] {
    const where = ['r.occurredAt >= ?', 'r.occurredAt < ?'];
    const values: unknown[] = [sqliteDate(new Date(options.from)), sqliteDate(new Date(options.to))];
    for (const [key, sql] of Object.entries(FILTER_SQL) as [keyof typeof FILTER_SQL, string][]) {
      const value = options.filter[key];
      if (value !== undefined) {
        where.push(sql);
        values.push(value);
      }
    }
    if (options.filter.unpricedOnly) where.push('r.costNanos IS NULL');
    if (options.after) {
      where.push(options.order === 'desc' ? '(r.occurredAt < ? OR (r.occurredAt = ? AND r.id < ?))' : '(r.occurredAt > ? OR (r.occurredAt = ? AND r.id > ?))');
      values.push(options.after.occurredAt, options.after.occurredAt, options.after.id);
    }
    const order = options.order === 'desc' ? 'DESC' : 'ASC';
    const sql = `SELECT ${COLUMNS} FROM "UsageRecord" r LEFT JOIN "Agent" a ON a.id = r.agentId WHERE ${where.join(' AND ')}
      ORDER BY r.occurredAt ${order}, r.id ${order} LIMIT ?`;
    return statement(sql).all(...values, options.limit) as RawRecord[];
  }

  function page(options: { from: number; to: number; filter: CostFilter; cursor?: string | undefined; limit: number }) {
    let after: { occurredAt: string; id: bigint } | undefined;
    if (options.cursor !== undefined) {
      const match = CURSOR.exec(options.cursor);
      if (!match?.[1] || !match[2]) throw validationFailed('cursor: not a cursor this API returned', [{ path: 'cursor', message: 'invalid cursor' }]);
      after = { occurredAt: match[1], id: BigInt(match[2]) };
    }
    const rows = read({ ...options, after, limit: options.limit + 1, order: 'desc' });
    const more = rows.length > options.limit;
    const kept = more ? rows.slice(0, options.limit) : rows;
    const last = kept[kept.length - 1];
    return { records: kept.map(toRecordView), nextCursor: more && last ? `${last.occurredAt}~${last.id}` : null };
  }

  async function* exportChunks(options: { from: number; to: number; filter: CostFilter; format: 'csv' | 'json' }): AsyncGenerator<string> {
    const PAGE = 2_000;
    let after: { occurredAt: string; id: bigint } | undefined;
    let first = true;
    yield options.format === 'csv' ? `${CSV_COLUMNS.join(',')}\r\n` : '[';
    for (;;) {
      const rows = read({ ...options, after, limit: PAGE, order: 'asc' });
      if (rows.length === 0) break;
      let chunk = '';
      for (const row of rows) {
        const view = toRecordView(row);
        if (options.format === 'csv') {
          chunk += `${CSV_COLUMNS.map((column) => csvCell(view[column])).join(',')}\r\n`;
        } else {
          chunk += `${first ? '\n' : ',\n'}${JSON.stringify(view)}`;
          first = false;
        }
      }
      yield chunk;
      const last = rows[rows.length - 1];
      if (!last || rows.length < PAGE) break;
      after = { occurredAt: last.occurredAt, id: last.id };
    }
    if (options.format === 'json') yield '\n]\n';
  }

  return { page, exportChunks };
}
