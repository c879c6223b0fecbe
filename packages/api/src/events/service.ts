// The Event outbox: every domain event is written to the Event table inside the transaction of the
// change, then published on the bus after commit. Readers resume from an id or get a resync.
import { type Database, sqliteDate, type TransactionClient } from '@mc/db';
import type { Actor } from '../auth/roles.ts';
import { roleAtLeast } from '../auth/roles.ts';
import type { Clock } from '../clock.ts';
import type { BusEvent, EventBus } from './bus.ts';
import { createRawEventRecorder, type NewEvent } from './raw-events.ts';

export type Tx = TransactionClient;

export type { NewEvent };
export type Emit = (event: NewEvent) => Promise<BusEvent>;

/** Most events a resuming client replays before it is told to resync instead. */
export const MAX_REPLAY = 1000;

export function maySee(actor: Actor, event: Pick<BusEvent, 'minRole' | 'agentId'>): boolean {
  if (actor.kind === 'anonymous') return false;
  if (actor.kind === 'agent') return event.agentId === actor.agentId;
  return roleAtLeast(actor.role, event.minRole);
}

export type CatchUp = { kind: 'events'; events: BusEvent[] } | { kind: 'resync'; latestId: number };

export function createEventsService({ database, bus, clock }: { database: Database; bus: EventBus; clock: Clock }) {
  const db = database.prisma;
  async function record(tx: Tx, event: NewEvent): Promise<BusEvent> {
    const row = await tx.event.create({
      data: {
        type: event.type,
        payload: JSON.stringify(event.payload ?? null),
        minRole: event.minRole ?? 'viewer',
        agentId: event.agentId ?? null,
        createdAt: clock.now(),
      },
    });
    return toBusEvent(row);
  }

  /** Runs `work` in one transaction; events it emits are published only after the commit. */
  async function transaction<T>(work: (tx: Tx, emit: Emit) => Promise<T>): Promise<T> {
    const emitted: BusEvent[] = [];
    const result = await database.transaction(async (tx) => work(tx, async (event) => {
      const recorded = await record(tx, event);
      emitted.push(recorded);
      return recorded;
    }));
    bus.publish(emitted);
    return result;
  }

  /** Hot path: records an event on the raw connection inside the caller's database.rawTransaction. */
  const recordRaw = createRawEventRecorder(clock);

  async function emit(event: NewEvent): Promise<BusEvent> {
    return transaction((_tx, emitEvent) => emitEvent(event));
  }

  /** Events after `cursor` that `actor` may see, or a resync when the gap is not replayable. */
  async function since(cursor: number, actor: Actor): Promise<CatchUp> {
    const latest = await db.event.findFirst({ orderBy: { id: 'desc' }, select: { id: true } });
    const latestId = latest?.id ?? 0;
    if (cursor > latestId) return { kind: 'resync', latestId };
    if (cursor === latestId) return { kind: 'events', events: [] };
    const oldest = await db.event.findFirst({ orderBy: { id: 'asc' }, select: { id: true } });
    if (!oldest || cursor < oldest.id - 1 || latestId - cursor > MAX_REPLAY) return { kind: 'resync', latestId };
    const rows = await db.event.findMany({ where: { id: { gt: cursor } }, orderBy: { id: 'asc' }, take: MAX_REPLAY });
    return { kind: 'events', events: rows.map(toBusEvent).filter((event) => maySee(actor, event)) };
  }

  async function latestId(): Promise<number> {
    const latest = await db.event.findFirst({ orderBy: { id: 'desc' }, select: { id: true } });
    return latest?.id ?? 0;
  }

  async function pruneBefore(before: Date): Promise<number> {
    // Keep the newest row so ids stay monotonic across restarts (AUTOINCREMENT guarantees it anyway).
    return database.rawTransaction((sqlite) => sqlite.prepare('DELETE FROM "Event" WHERE createdAt < ?').run(sqliteDate(before)).changes);
  }

  return { record, recordRaw, transaction, emit, since, latestId, pruneBefore, publish: (events: readonly BusEvent[]) => bus.publish(events) };
}

export type EventsService = ReturnType<typeof createEventsService>;

function toBusEvent(row: { id: number; type: string; payload: string; minRole: string; agentId: string | null; createdAt: Date }): BusEvent {
  return {
    id: row.id,
    type: row.type,
    payload: JSON.parse(row.payload) as unknown,
    createdAt: row.createdAt.toISOString(),
    minRole: row.minRole === 'admin' || row.minRole === 'operator' ? row.minRole : 'viewer',
    agentId: row.agentId,
  };
}
