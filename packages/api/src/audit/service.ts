// Audit trail: who did what to what, when, from where. Written in the caller's transaction when given.
import type { PrismaClient } from '@mc/db';
import { type Actor, actorLabel } from '../auth/roles.ts';
import type { Clock } from '../clock.ts';
import type { Tx } from '../events/service.ts';

export type AuditEntry = {
  actor: Actor;
  action: string;
  targetType?: string;
  targetId?: string;
  ip?: string | null;
  details?: Record<string, unknown>;
};

export function createAuditService({ db, clock }: { db: PrismaClient; clock: Clock }) {
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

  async function list(filter: { action?: string; limit: number; cursor?: number }) {
    const rows = await db.auditLog.findMany({
      where: { ...(filter.action ? { action: { startsWith: filter.action } } : {}), ...(filter.cursor ? { id: { lt: filter.cursor } } : {}) },
      orderBy: { id: 'desc' },
      take: filter.limit,
    });
    return rows.map((row) => ({ ...row, at: row.at.toISOString(), details: row.details ? (JSON.parse(row.details) as unknown) : null }));
  }

  return { record, list };
}

export type AuditService = ReturnType<typeof createAuditService>;
