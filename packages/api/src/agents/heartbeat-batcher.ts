// Group commit for heartbeats (ARCHITECTURE.md §9): beats that arrive in the same event-loop turn are
// written in one SQLite transaction; one failing beat never takes the others down. Each beat still gets
// exactly its own result and its own agent.updated event. Beats refused before writing (unknown agent,
// wrong key, rate limit) simply drop out. The batch is written without savepoints first (they cost ~10 %
// of a beat); only if a write itself throws is the transaction rolled back and the batch written again
// with a savepoint per beat. Their usage rollups are folded in memory and written once per transaction:
// the slices all beats share (all, model, provider, source, …) cost one UPSERT per transaction.
import type { Database } from '@mc/db';
import type BetterSqlite3 from 'better-sqlite3';
import type { RollupBatch } from '../usage/rollups/rollup-writer.ts';
import type { DeferredRollups } from '../usage/usage-writer.ts';
import type { BeatCheck, HeartbeatOutcome, HeartbeatWriter } from './heartbeat.ts';
import type { HeartbeatInput } from './schema.ts';

type Job = {
  agentRef: string; beat: HeartbeatInput; now: Date; check?: BeatCheck;
  /** The check passed (in a pass that was then rolled back): not run again, so a rate limit counts the beat once. */
  checked?: boolean;
  resolve(outcome: HeartbeatOutcome): void; reject(error: unknown): void;
};

/** Upper bound per transaction, so one giant burst cannot hold the write lock for long. */
const MAX_BATCH = 256;
/**
 * Minimum time between two heartbeat commits (a commit delay, as in Postgres' commit_delay). A steady
 * stream (1,000 beats/s arrive about one per millisecond) would otherwise commit every beat alone, paying
 * the commit and the shared rollup rows each time; waiting this long after the last commit lets the next
 * one carry a few beats (server CPU at 1,000 beats/s 93 % → 66 % of a core). A beat that arrives after a
 * quiet spell is written at once.
 */
const COMMIT_SPACING_MS = 4;

export function createHeartbeatBatcher(
  database: Database,
  writer: Pick<HeartbeatWriter, 'resolve' | 'apply' | 'createRollupBatch'>,
  publish: (outcomes: HeartbeatOutcome[]) => void,
) {
  const queue: Job[] = [];
  let scheduled = false;
  let lastCommitAt = -Infinity;

  type Settled = { job: Job; outcome?: HeartbeatOutcome; error?: unknown };

  /** Writes every beat in one pass; a write that throws aborts the pass (and its transaction). */
  function writeTogether(batch: readonly Job[]): Settled[] {
    const settled: Settled[] = [];
    const group = writer.createRollupBatch();
    const rollups: DeferredRollups = { batch: group, flush: () => group.flush() };
    for (const job of batch) {
      let before: ReturnType<HeartbeatWriter['resolve']>;
      try {
        before = writer.resolve(job.agentRef, job.checked ? undefined : job.check);
        job.checked = true;
      } catch (error) {
        settled.push({ job, error }); // refused before writing anything
        continue;
      }
      try {
        settled.push({ job, outcome: writer.apply(before, job.beat, job.now, rollups) });
      } catch (error) {
        throw new WritePassFailed(error);
      }
    }
    group.flush();
    return settled;
  }

  /** The fallback: each beat in its own savepoint, so a throw rolls back that beat only. */
  function writeIsolated(sqlite: BetterSqlite3.Database, batch: readonly Job[]): Settled[] {
    const settled: Settled[] = [];
    const group = writer.createRollupBatch();
    for (const job of batch) {
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
        const write = () => writer.apply(writer.resolve(job.agentRef, job.checked ? undefined : job.check), job.beat, job.now, rollups);
        settled.push({ job, outcome: sqlite.transaction(write)() });
        for (const [dims, metrics] of own) group.add(dims, metrics);
      } catch (error) {
        if (flushedGroup !== null) group.absorb(flushedGroup);
        settled.push({ job, error });
      }
    }
    group.flush();
    return settled;
  }

  async function flush(): Promise<void> {
    scheduled = false;
    const batch = queue.splice(0, MAX_BATCH);
    if (queue.length) schedule();
    let settled: Settled[];
    try {
      try {
        settled = await database.rawTransaction(() => writeTogether(batch));
      } catch (error) {
        if (!(error instanceof WritePassFailed)) throw error;
        settled = await database.rawTransaction((sqlite) => writeIsolated(sqlite, batch));
      }
    } catch (error) {
      for (const job of batch) job.reject(error);
      return;
    } finally {
      lastCommitAt = performance.now();
    }
    publish(settled.flatMap((s) => (s.outcome ? [s.outcome] : [])));
    for (const { job, outcome, error } of settled) {
      if (outcome) job.resolve(outcome);
      else job.reject(error);
    }
  }

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    const wait = lastCommitAt + COMMIT_SPACING_MS - performance.now();
    if (wait > 0) setTimeout(() => void flush(), wait);
    else setImmediate(() => void flush());
  }

  return {
    /** `agentRef`: the agent's id or name; `check` may refuse the beat once the agent is known. */
    write(agentRef: string, beat: HeartbeatInput, now: Date, check?: BeatCheck): Promise<HeartbeatOutcome> {
      return new Promise<HeartbeatOutcome>((resolve, reject) => {
        queue.push({ agentRef, beat, now, ...(check ? { check } : {}), resolve, reject });
        schedule();
      });
    },
  };
}

/** A write (not a refusal) threw during the savepoint-free pass: roll back and write beat by beat. */
class WritePassFailed extends Error {
  constructor(readonly reason: unknown) {
    super('heartbeat batch write failed; retrying with a savepoint per beat');
  }
}
