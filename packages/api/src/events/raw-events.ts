// Records a domain event on a raw connection inside the caller's transaction (the outbox row of
// ARCHITECTURE.md §5); the caller publishes it after commit. Shared by the events service and the
// heartbeat worker thread, which writes on its own connection.
import { sqliteDate } from '@mc/db/raw';
import type BetterSqlite3 from 'better-sqlite3';
import type { Role } from '../auth/roles.ts';
import type { Clock } from '../clock.ts';
import type { BusEvent } from './bus.ts';

export type NewEvent = { type: string; payload: unknown; minRole?: Role; agentId?: string | null };

export type RecordRaw = (sqlite: BetterSqlite3.Database, event: NewEvent) => BusEvent;

export function createRawEventRecorder(clock: Clock): RecordRaw {
  const inserts = new WeakMap<BetterSqlite3.Database, BetterSqlite3.Statement>();
  return (sqlite, event) => {
    let insert = inserts.get(sqlite);
    if (!insert) {
      insert = sqlite.prepare('INSERT INTO "Event" (type, payload, minRole, agentId, createdAt) VALUES (?, ?, ?, ?, ?) RETURNING id');
      inserts.set(sqlite, insert);
    }
    const createdAt = clock.now();
    const minRole = event.minRole ?? 'viewer';
    const row = insert.get(event.type, JSON.stringify(event.payload ?? null), minRole, event.agentId ?? null, sqliteDate(createdAt)) as { id: number };
    return { id: row.id, type: event.type, payload: event.payload ?? null, createdAt: createdAt.toISOString(), minRole, agentId: event.agentId ?? null };
  };
}
