// Serializes write transactions across the two connections to one SQLite file: Prisma's interactive
// transactions (which hold the write lock across awaits) and synchronous better-sqlite3 batches on
// the hot path. Without it a raw write during an open Prisma transaction would busy-wait on the event
// loop that the Prisma transaction needs to finish: a deadlock until busy_timeout.
export type WriteLock = <T>(work: () => Promise<T> | T) => Promise<T>;

export function createWriteLock(): WriteLock {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T> | T): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}

/** SQLite DATETIME text exactly as Prisma's adapter writes it, so raw and Prisma rows compare. */
export function sqliteDate(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}
