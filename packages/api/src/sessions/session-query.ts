// The sessions.list query: gateway sessions (GatewaySession) and SDK sessions in one keyset-paginated
// list, newest activity first. SDK sessions are derived from UsageRecord: one per (agent, sessionKey)
// of SDK-reported usage (no gateway), with summed tokens and cost and the latest model; they have no
// status, transcript or actions.
import type BetterSqlite3 from 'better-sqlite3';
import { validationFailed } from '../errors.ts';
import type { ListSessionsInput } from './schema.ts';
import { type SessionListItem, type SessionRowLike, toSessionListItem } from './views.ts';

const GATEWAY_SESSIONS = `SELECT s.id AS id, 'gateway' AS source, s.gatewayId AS gatewayId, g.name AS gatewayName, s.sessionKey AS sessionKey,
    s.agentId AS agentId, a.name AS agentName, s.title AS title, s.status AS status, s.busy AS busy, s.model AS model, s.inputTokens AS inputTokens,
    s.outputTokens AS outputTokens, s.contextTokens AS contextTokens, s.contextLimit AS contextLimit, s.costNanos AS costNanos,
    s.activityAt AS activityAt
  FROM "GatewaySession" s JOIN "Gateway" g ON g.id = s.gatewayId LEFT JOIN "Agent" a ON a.id = s.agentId`;

// Bare columns next to MAX() come from the row holding the maximum (SQLite), i.e. the latest model.
const SDK_SESSIONS = `SELECT 'sdk:' || u.agentId || ':' || u.sessionKey AS id, 'sdk' AS source, NULL AS gatewayId, NULL AS gatewayName,
    u.sessionKey AS sessionKey, u.agentId AS agentId, a.name AS agentName, NULL AS title, NULL AS status, 0 AS busy, u.model AS model,
    SUM(u.inputTokens) AS inputTokens, SUM(u.outputTokens) AS outputTokens, NULL AS contextTokens, NULL AS contextLimit,
    SUM(u.costNanos) AS costNanos, MAX(u.occurredAt) AS activityAt
  FROM "UsageRecord" u LEFT JOIN "Agent" a ON a.id = u.agentId
  WHERE u.gatewayId IS NULL AND u.agentId IS NOT NULL AND u.source <> 'openclaw'
  GROUP BY u.agentId, u.sessionKey`;

type Cursor = { at: string; id: string };

function encodeCursor(item: { activityAt: string; id: string }): string {
  return Buffer.from(JSON.stringify({ at: item.activityAt, id: item.id })).toString('base64url');
}

function decodeCursor(cursor: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (typeof value.at === 'string' && typeof value.id === 'string') return { at: value.at, id: value.id };
  } catch {
    // fall through
  }
  throw validationFailed('cursor: not a cursor from sessions.list', [{ path: 'cursor', message: 'not a cursor from sessions.list' }]);
}

export function listSessions(sqlite: BetterSqlite3.Database, input: ListSessionsInput): { items: SessionListItem[]; nextCursor: string | null } {
  const parts: string[] = [];
  if (input.source !== 'sdk') parts.push(GATEWAY_SESSIONS);
  if (input.source !== 'gateway' && input.gatewayId === undefined) parts.push(SDK_SESSIONS);
  const where: string[] = [];
  const params: unknown[] = [];
  if (input.gatewayId !== undefined) {
    where.push('gatewayId = ?');
    params.push(input.gatewayId);
  }
  if (input.agent !== undefined) {
    where.push('(agentId = ? OR agentName = ?)');
    params.push(input.agent, input.agent);
  }
  if (input.status === 'busy') where.push('busy = 1');
  else if (input.status !== undefined) {
    where.push('status = ?');
    params.push(input.status);
  }
  if (input.search !== undefined) {
    const like = `%${input.search.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
    where.push(`(sessionKey LIKE ? ESCAPE '\\' OR title LIKE ? ESCAPE '\\' OR agentName LIKE ? ESCAPE '\\' OR model LIKE ? ESCAPE '\\')`);
    params.push(like, like, like, like);
  }
  if (input.cursor) {
    const cursor = decodeCursor(input.cursor);
    where.push(`(COALESCE(activityAt, '') < ? OR (COALESCE(activityAt, '') = ? AND id < ?))`);
    params.push(cursor.at, cursor.at, cursor.id);
  }
  const sql = `SELECT * FROM (${parts.join(' UNION ALL ')}) ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY COALESCE(activityAt, '') DESC, id DESC LIMIT ?`;
  const rows = sqlite.prepare(sql).all(...params, input.limit + 1) as SessionRowLike[];
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > input.limit && last !== undefined
    ? encodeCursor({ activityAt: last.activityAt === null ? '' : String(last.activityAt), id: last.id })
    : null;
  return { items: page.map(toSessionListItem), nextCursor };
}
