// Where a heartbeat group commit runs. Inline: on the main connection, on the event loop. The worker
// executor (heartbeat-worker-host.ts) runs the same writes on a worker thread's own connection, so the
// main thread parses the next requests while SQLite works.
import type BetterSqlite3 from 'better-sqlite3';
import type { BusEvent } from '../events/bus.ts';
import { type BeatApplier, type BeatItem, type BeatResult, writeBeats } from './heartbeat-writes.ts';

/**
 * `events`: further events the write recorded (budget thresholds crossed) that the caller must publish;
 * the inline executor's budget hook publishes its own.
 */
export type BeatWrite = { results: BeatResult[]; events: BusEvent[] };

export type BeatExecutor = {
  /** Call under the write lock; one result per item, in order. Rejects when nothing was written. */
  write(items: readonly BeatItem[]): Promise<BeatWrite>;
  /** Where the next batch is written: the worker thread once it runs, else the main thread. */
  thread(): 'worker' | 'main';
  /** Gets ready for heartbeats (starts the worker), so the first one does not wait for it. */
  warm(): void;
  close(): Promise<void>;
};

export function createInlineExecutor(sqlite: BetterSqlite3.Database, writer: BeatApplier): BeatExecutor {
  return {
    write: async (items) => ({ results: writeBeats(sqlite, writer, items), events: [] }),
    thread: () => 'main',
    warm: () => {},
    close: async () => {},
  };
}
