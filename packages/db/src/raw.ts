// The Prisma-free part of @mc/db: what code on a raw better-sqlite3 connection needs. Worker threads
// import only this, so they never load Prisma's runtime (~10 MB and a slower start).
import BetterSqlite3 from 'better-sqlite3';

/** Per-connection settings every connection (raw, Prisma's, a worker's) needs; journal_mode = WAL is stored in the file. */
export const CONNECTION_PRAGMAS = ['synchronous = NORMAL', 'foreign_keys = ON', 'busy_timeout = 5000'];

// temp_store = MEMORY: the cost breakdowns group and sort thousands of slice rows in temp b-trees; in
// memory they are a quarter faster than in temp files, and each is a few hundred KB.
/** What our own better-sqlite3 connections (the main raw one, the heartbeat worker's) add. */
export const RAW_CONNECTION_PRAGMAS = [...CONNECTION_PRAGMAS, 'temp_store = MEMORY'];

/** SQLite's default automatic checkpoint threshold, restored if the background checkpointer fails. */
export const AUTOCHECKPOINT_PAGES = 1000;

/** SQLite DATETIME text exactly as Prisma's adapter writes it, so raw and Prisma rows compare. */
export function sqliteDate(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

/**
 * Another writing connection to an existing, migrated database (the heartbeat worker's). It takes part in
 * the server's write lock by message, never on its own, so busy_timeout only covers a checkpoint's read lock.
 */
export function openWriterConnection(file: string, autocheckpointPages: number): BetterSqlite3.Database {
  const sqlite = new BetterSqlite3(file, { fileMustExist: true });
  for (const pragma of [...RAW_CONNECTION_PRAGMAS, `wal_autocheckpoint = ${autocheckpointPages}`]) sqlite.pragma(pragma);
  return sqlite;
}
