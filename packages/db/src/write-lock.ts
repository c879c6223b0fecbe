// Serializes write transactions across the connections to one SQLite file: Prisma's interactive
// transactions (which hold the write lock across awaits), synchronous better-sqlite3 batches on the hot
// path and the heartbeat worker's batches. Without it a raw write during an open Prisma transaction would
// busy-wait on the event loop that the Prisma transaction needs to finish: a deadlock until busy_timeout.
export type WriteLock = {
  <T>(work: () => Promise<T> | T): Promise<T>;
  /** How many works wait for the lock (not counting the one holding it): a long holder yields when > 0. */
  waiting(): number;
};

export function createWriteLock(): WriteLock {
  let tail: Promise<unknown> = Promise.resolve();
  let waiting = 0;
  const lock = <T>(work: () => Promise<T> | T): Promise<T> => {
    waiting += 1;
    const start = () => {
      waiting -= 1;
      return work();
    };
    const run = tail.then(start, start);
    tail = run.catch(() => undefined);
    return run;
  };
  return Object.assign(lock, { waiting: () => waiting });
}
