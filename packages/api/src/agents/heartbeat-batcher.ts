// Group commit for heartbeats (ARCHITECTURE.md §9): beats that arrive in the same event-loop turn are
// written in one SQLite transaction, each inside its own savepoint so one failing beat never takes
// the others down. Each beat still gets exactly its own result and its own agent.updated event.
// Their usage rollups are folded in memory and written once per transaction: the slices all beats share
// (all, model, provider, source, …) cost one UPSERT per transaction instead of one per beat.
import type { Database } from '@mc/db';
import type { RollupBatch } from '../usage/rollups/rollup-writer.ts';
import type { DeferredRollups } from '../usage/usage-writer.ts';
import type { BeatCheck, HeartbeatOutcome } from './heartbeat.ts';
import type { HeartbeatInput } from './schema.ts';

export type HeartbeatWrite = (agentRef: string, beat: HeartbeatInput, now: Date, rollups: DeferredRollups, check?: BeatCheck) => HeartbeatOutcome;

type Job = { agentRef: string; beat: HeartbeatInput; now: Date; check?: BeatCheck; resolve(outcome: HeartbeatOutcome): void; reject(error: unknown): void };

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
  writer: { write: HeartbeatWrite; createRollupBatch(): RollupBatch },
  publish: (outcomes: HeartbeatOutcome[]) => void,
) {
  const queue: Job[] = [];
  let scheduled = false;
  let lastCommitAt = -Infinity;

  async function flush(): Promise<void> {
    scheduled = false;
    const batch = queue.splice(0, MAX_BATCH);
    if (queue.length) schedule();
    const settled: Array<{ job: Job; outcome?: HeartbeatOutcome; error?: unknown }> = [];
    try {
      await database.rawTransaction((sqlite) => {
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
            // A nested better-sqlite3 transaction is a savepoint: a throw rolls back this beat only.
            settled.push({ job, outcome: sqlite.transaction(() => writer.write(job.agentRef, job.beat, job.now, rollups, job.check))() });
            for (const [dims, metrics] of own) group.add(dims, metrics);
          } catch (error) {
            if (flushedGroup !== null) group.absorb(flushedGroup);
            settled.push({ job, error });
          }
        }
        group.flush();
      });
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
