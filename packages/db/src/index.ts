// Public surface of @mc/db: the Prisma client type, opening/migrating the database.
export { Prisma, PrismaClient } from './generated/client.ts';
export type * from './generated/models.ts';
export { applyMigrations, defaultMigrationsDir, MigrationError, readMigrations } from './migrator.ts';
export { type Database, DatabaseStartupError, filePathFromUrl, openDatabase, PRAGMAS, type TransactionClient } from './open-database.ts';
export { sqliteDate } from './raw.ts';
export { createWriteLock, type WriteLock } from './write-lock.ts';
export type { CheckpointerStats, WalCheckpointer } from './wal-checkpointer.ts';
