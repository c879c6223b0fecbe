// Opens the SQLite database: validates the file, applies migrations, sets the pragmas and returns a
// Prisma client on the better-sqlite3 adapter plus a raw handle for hot paths and backups.
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import BetterSqlite3 from 'better-sqlite3';
import { PrismaClient } from './generated/client.ts';
import { applyMigrations, type MigrationResult } from './migrator.ts';
import { AUTOCHECKPOINT_PAGES, CONNECTION_PRAGMAS, RAW_CONNECTION_PRAGMAS } from './raw.ts';
import { startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.ts';
import { createWriteLock, type WriteLock } from './write-lock.ts';

export class DatabaseStartupError extends Error {
  override readonly name = 'DatabaseStartupError';
}

export type TransactionClient = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export type Database = {
  prisma: PrismaClient;
  /** Raw connection for hot-path batches and backups; shares the file with Prisma's connection. */
  sqlite: BetterSqlite3.Database;
  file: string;
  migrations: MigrationResult;
  /** Every write transaction (Prisma interactive or raw batch) runs inside this lock. */
  writeLock: WriteLock;
  /** Prisma interactive transaction under the write lock. */
  transaction<T>(work: (tx: TransactionClient) => Promise<T>): Promise<T>;
  /** Synchronous better-sqlite3 transaction under the write lock (hot paths). */
  rawTransaction<T>(work: (sqlite: BetterSqlite3.Database) => T): Promise<T>;
  /** The background WAL checkpointer, when opened with `backgroundCheckpoints` (the server is). */
  checkpointer: WalCheckpointer | null;
  /** Whether Prisma has opened its connection (its first query); an idle server never does. */
  prismaConnected(): boolean;
  /** wal_autocheckpoint every writing connection must use now (0 while the background checkpointer runs). */
  autocheckpointPages(): number;
  close(): Promise<void>;
};

export type OpenDatabaseOptions = {
  file: string;
  migrationsDir?: string;
  /**
   * Checkpoint the WAL from a worker thread instead of inside commits (wal-checkpointer.ts). The server
   * turns it on; tests and CLI tools keep SQLite's automatic checkpoints.
   */
  backgroundCheckpoints?: boolean;
};

// journal_size_limit: a burst can grow the WAL before a checkpoint catches up; SQLite never shrinks the file
// by itself, so after a checkpoint it is cut back to 64 MiB.
export const PRAGMAS = ['journal_mode = WAL', ...RAW_CONNECTION_PRAGMAS, 'journal_size_limit = 67108864'];

function applyPragmas(sqlite: BetterSqlite3.Database): void {
  for (const pragma of PRAGMAS) sqlite.pragma(pragma);
}

/** Refuses unusable paths before anything is created or written. */
function checkFile(file: string): void {
  const dir = dirname(file);
  try {
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK | constants.R_OK);
  } catch (error) {
    throw new DatabaseStartupError(`Data directory ${dir} is not writable: ${(error as Error).message}. Fix its permissions or set MC_DATA_DIR.`);
  }
  if (!existsSync(file)) return;
  try {
    accessSync(file, constants.W_OK | constants.R_OK);
    const probe = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
    try {
      probe.pragma('schema_version');
      const check = probe.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`integrity check failed: ${String(check)}`);
    } finally {
      probe.close();
    }
  } catch (error) {
    throw new DatabaseStartupError(
      `Database file ${file} is unreadable or corrupt (${(error as Error).message}). Nothing was changed; restore it from a backup or move it away.`,
    );
  }
}

export function filePathFromUrl(url: string): string {
  return url.startsWith('file:') ? url.slice('file:'.length) : url;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const { file } = options;
  checkFile(file);
  const sqlite = new BetterSqlite3(file);
  let migrations: MigrationResult;
  try {
    applyPragmas(sqlite);
    migrations = applyMigrations(sqlite, options.migrationsDir);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  // Prisma's connection opens, and its query compiler (~30 MB once running) starts, on the first Prisma query.
  // Hot paths and everything an idle server does run on the raw connection, so an idle server never pays it.
  const prismaConnection = { autocheckpointPages: options.backgroundCheckpoints ? 0 : AUTOCHECKPOINT_PAGES, connected: false };
  const prisma = new PrismaClient({ adapter: withConnectionPragmas(new PrismaBetterSqlite3({ url: `file:${file}`, timeout: 5000 }), prismaConnection) });
  const writeLock = createWriteLock();
  const checkpointer = options.backgroundCheckpoints ? await backgroundCheckpoints(file, sqlite, prisma, prismaConnection, writeLock) : null;
  return {
    prisma,
    sqlite,
    file,
    migrations,
    writeLock,
    checkpointer,
    prismaConnected: () => prismaConnection.connected,
    autocheckpointPages: () => prismaConnection.autocheckpointPages,
    transaction: (work) => writeLock(() => prisma.$transaction(work, { timeout: 15_000, maxWait: 15_000 })),
    rawTransaction: (work) => writeLock(() => sqlite.transaction(() => work(sqlite)).immediate()),
    async close() {
      // Let queued writes finish before the connections go away.
      await writeLock(() => undefined);
      await checkpointer?.stop();
      await prisma.$disconnect();
      try {
        sqlite.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        sqlite.close();
      }
    },
  };
}

type PrismaConnectionState = { autocheckpointPages: number; connected: boolean };

/** Applies the per-connection pragmas when Prisma opens its connection. */
function withConnectionPragmas(factory: PrismaBetterSqlite3, state: PrismaConnectionState): PrismaBetterSqlite3 {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    await adapter.executeScript([...CONNECTION_PRAGMAS, `wal_autocheckpoint = ${state.autocheckpointPages}`].map((pragma) => `PRAGMA ${pragma};`).join(' '));
    state.connected = true;
    return adapter;
  };
  return factory;
}

/** Both connections stop checkpointing in their commits; the worker does it, or they take it back. */
async function backgroundCheckpoints(
  file: string, sqlite: BetterSqlite3.Database, prisma: PrismaClient, prismaConnection: PrismaConnectionState, writeLock: WriteLock,
): Promise<WalCheckpointer> {
  sqlite.pragma('wal_autocheckpoint = 0');
  return startWalCheckpointer({
    file,
    pauseWrites: writeLock,
    onFallback: () => {
      sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
      prismaConnection.autocheckpointPages = AUTOCHECKPOINT_PAGES;
      if (prismaConnection.connected) void prisma.$queryRawUnsafe(`PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`).catch(() => undefined);
    },
  });
}
