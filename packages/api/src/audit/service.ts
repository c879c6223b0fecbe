// Audit trail: who did what to what, when, from where. Written in the caller's transaction when given.
// Admins filter it (actor, action prefix, time range), export it (CSV/JSON, streamed in pages) and set
// its retention (Setting 'audit.retentionDays', enforced by housekeeping through pruneExpired).
import { type Database, type Prisma, sqliteDate } from '@mc/db';
import { type Actor, actorLabel, type UserActor } from '../auth/roles.ts';
import type { RequestMeta } from '../auth/service.ts';
import type { Clock } from '../clock.ts';
import type { SettingsService } from '../settings/service.ts';
import type { Tx } from '../events/service.ts';
import { type AuditFilter, AuditRetention, type ListAuditInput } from './schema.ts';

export type AuditEntry = {
  actor: Actor;
  action: string;
  targetType?: string;
  targetId?: string;
  ip?: string | null;
  details?: Record<string, unknown>;
};

export const AUDIT_RETENTION_KEY = 'audit.retentionDays';
export const DEFAULT_AUDIT_RETENTION_DAYS = 365;
const EXPORT_PAGE = 1000;
const CSV_COLUMNS = ['id', 'at', 'actorType', 'actorId', 'actorName', 'action', 'targetType', 'targetId', 'ip', 'details'] as const;

type AuditRow = { id: number; at: Date; actorType: string; actorId: string | null; actorName: string | null; action: string; targetType: string | null; targetId: string | null; ip: string | null; details: string | null };

function toView(row: AuditRow) {
  return { ...row, at: row.at.toISOString(), details: row.details ? (JSON.parse(row.details) as unknown) : null };
}

function whereOf(filter: AuditFilter & { cursor?: number }): Prisma.AuditLogWhereInput {
  return {
    ...(filter.action ? { action: { startsWith: filter.action } } : {}),
    ...(filter.actor ? { OR: [{ actorName: { contains: filter.actor } }, { actorId: filter.actor }] } : {}),
    ...(filter.from || filter.to ? { at: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } } : {}),
    ...(filter.cursor ? { id: { lt: filter.cursor } } : {}),
  };
}

/** One CSV field: quoted when needed, and a leading = + - @ defused so spreadsheets don't run it. */
export function csvField(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function createAuditService({ database, clock, settings }: { database: Database; clock: Clock; settings: SettingsService }) {
  const db = database.prisma;
  async function record(entry: AuditEntry, tx?: Tx): Promise<void> {
    await (tx ?? db).auditLog.create({
      data: {
        ...actorLabel(entry.actor),
        at: clock.now(),
        action: entry.action,
        targetType: entry.targetType ?? null,
        targetId: entry.targetId ?? null,
        ip: entry.ip ?? null,
        details: entry.details ? JSON.stringify(entry.details) : null,
      },
    });
  }

  async function list(filter: Partial<ListAuditInput> & { limit: number }) {
    const rows = await db.auditLog.findMany({ where: whereOf(filter), orderBy: { id: 'desc' }, take: filter.limit });
    return rows.map(toView);
  }

  /** The filtered log, newest first, as CSV or JSON text chunks (one page of rows at a time). */
  async function* exportChunks(filter: AuditFilter, format: 'csv' | 'json'): AsyncGenerator<string> {
    let cursor: number | undefined;
    let first = true;
    yield format === 'csv' ? `${CSV_COLUMNS.join(',')}\n` : '[';
    for (;;) {
      const rows = await db.auditLog.findMany({ where: whereOf({ ...filter, ...(cursor ? { cursor } : {}) }), orderBy: { id: 'desc' }, take: EXPORT_PAGE });
      if (rows.length === 0) break;
      const views = rows.map(toView);
      if (format === 'csv') {
        yield views.map((view) => `${CSV_COLUMNS.map((column) => csvField(view[column])).join(',')}\n`).join('');
      } else {
        yield `${first ? '' : ','}\n${views.map((view) => JSON.stringify(view)).join(',\n')}`;
      }
      first = false;
      cursor = rows[rows.length - 1]?.id;
      if (rows.length < EXPORT_PAGE) break;
    }
    if (format === 'json') yield '\n]\n';
  }

  async function exportLog(actor: UserActor, filter: AuditFilter, format: 'csv' | 'json', meta: RequestMeta) {
    await record({ actor, action: 'audit.exported', ip: meta.ip ?? null, details: { format, ...filter } });
    const stamp = clock.now().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    return {
      chunks: exportChunks(filter, format),
      contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      filename: `mission-control-audit-${stamp}.${format}`,
    };
  }

  async function getRetention(): Promise<AuditRetention> {
    return settings.get(AUDIT_RETENTION_KEY, AuditRetention, { days: DEFAULT_AUDIT_RETENTION_DAYS });
  }

  async function setRetention(actor: UserActor, retention: AuditRetention, meta: RequestMeta): Promise<AuditRetention> {
    const before = await getRetention();
    await settings.set(AUDIT_RETENTION_KEY, retention);
    await record({ actor, action: 'audit.retention_changed', ip: meta.ip ?? null, details: { fromDays: before.days, toDays: retention.days } });
    return retention;
  }

  /** Deletes entries older than the retention setting; 0 days keeps everything. Returns how many went. */
  async function pruneExpired(): Promise<number> {
    const { days } = await getRetention();
    if (days === 0) return 0;
    const before = sqliteDate(new Date(clock.nowMs() - days * 86_400_000));
    return database.rawTransaction((sqlite) => sqlite.prepare('DELETE FROM "AuditLog" WHERE at < ?').run(before).changes);
  }

  return { record, list, exportLog, getRetention, setRetention, pruneExpired };
}

export type AuditService = ReturnType<typeof createAuditService>;
