// One group commit of heartbeats (ARCHITECTURE.md §9), on whichever connection runs it (the main thread's
// or the heartbeat worker's): every beat in one IMMEDIATE transaction, without savepoints (they cost ~10 %
// of a beat). Only if a write throws is that transaction rolled back and the batch written again with a
// savepoint per beat, so one failing beat never takes the others down. Each beat gets its own result and
// its own agent.updated event. Their usage rollups are folded in memory and written once per transaction:
// the slices all beats share (all, model, provider, source, …) cost one UPSERT per transaction.
import type BetterSqlite3 from 'better-sqlite3';
import type { RollupBatch } from '../usage/rollups/rollup-writer.ts';
import { type DeferredRollups, deferTo } from '../usage/usage-writer.ts';
import type { HeartbeatOutcome, HeartbeatWriter } from './heartbeat.ts';
import type { HeartbeatInput } from './schema.ts';
import type { AgentRowLike } from './views.ts';

/** A beat whose agent was looked up and whose caller was checked, ready to write. */
export type BeatItem = { agentId: string; beat: HeartbeatInput; now: Date };
export type BeatResult = { outcome: HeartbeatOutcome } | { error: unknown };

export type BeatApplier = Pick<HeartbeatWriter, 'load' | 'apply' | 'createRollupBatch'>;

/** Writes `items` (the caller holds the write lock); one result per item, in order. */
export function writeBeats(sqlite: BetterSqlite3.Database, writer: BeatApplier, items: readonly BeatItem[]): BeatResult[] {
  try {
    return sqlite.transaction(() => writeTogether(writer, items)).immediate();
  } catch (error) {
    if (!(error instanceof WritePassFailed)) throw error;
  }
  return sqlite.transaction(() => writeIsolated(sqlite, writer, items)).immediate();
}

/** Every beat in one pass; a write that throws aborts the pass (and its transaction). */
function writeTogether(writer: BeatApplier, items: readonly BeatItem[]): BeatResult[] {
  const group = writer.createRollupBatch();
  const rollups = deferTo(group);
  const results: BeatResult[] = [];
  for (const item of items) {
    let before: AgentRowLike;
    try {
      before = writer.load(item.agentId);
    } catch (error) {
      results.push({ error }); // removed since it was looked up: nothing written
      continue;
    }
    try {
      results.push({ outcome: writer.apply(before, item.beat, item.now, rollups) });
    } catch (error) {
      throw new WritePassFailed(error);
    }
  }
  group.flush();
  return results;
}

/** The fallback: each beat in its own savepoint, so a throw rolls back that beat only. */
function writeIsolated(sqlite: BetterSqlite3.Database, writer: BeatApplier, items: readonly BeatItem[]): BeatResult[] {
  const results: BeatResult[] = [];
  const group = writer.createRollupBatch();
  for (const item of items) {
    // This beat's rollup additions: folded into `group` once its savepoint is released, dropped if it rolls back.
    const own: Array<Parameters<RollupBatch['add']>> = [];
    // What `group` held when a hook flushed it inside this beat's savepoint: a rollback undoes those rows.
    let flushedGroup: RollupBatch | null = null;
    const rollups: DeferredRollups = {
      batch: { add: (dims, metrics) => void own.push([dims, metrics]) },
      flush() {
        if (!group.isEmpty()) flushedGroup = group.clone();
        for (const [dims, metrics] of own.splice(0)) group.add(dims, metrics);
        group.flush();
      },
    };
    try {
      // A nested better-sqlite3 transaction is a savepoint.
      results.push({ outcome: sqlite.transaction(() => writer.apply(writer.load(item.agentId), item.beat, item.now, rollups))() });
      for (const [dims, metrics] of own) group.add(dims, metrics);
    } catch (error) {
      if (flushedGroup !== null) group.absorb(flushedGroup);
      results.push({ error });
    }
  }
  group.flush();
  return results;
}

/** A write threw during the savepoint-free pass: roll back and write beat by beat. */
class WritePassFailed extends Error {
  constructor(readonly reason: unknown) {
    super('heartbeat batch write failed; retrying with a savepoint per beat');
  }
}
