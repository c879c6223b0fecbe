// Applies prisma/migrations/<ts>_<name>/migration.sql in order, each in its own transaction, and
// records it in a `_prisma_migrations`-compatible table so `prisma migrate deploy` agrees later.
// A failing migration rolls back completely and surfaces as a MigrationError naming the file.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

export type MigrationResult = { applied: string[]; alreadyApplied: number };

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "checksum" TEXT NOT NULL,
  "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL,
  "logs" TEXT,
  "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
  "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

type MigrationFile = { name: string; sql: string; checksum: string };

/** Finds `prisma/migrations` walking up from this module (works from src, tests and the server bundle). */
export function defaultMigrationsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'prisma', 'migrations');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new MigrationError('Cannot find prisma/migrations next to the installation');
    dir = parent;
  }
}

export function readMigrations(migrationsDir: string): MigrationFile[] {
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(migrationsDir, name, 'migration.sql'), 'utf8');
      // Prisma's checksum is the SHA-256 hex of the file contents.
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export function applyMigrations(sqlite: BetterSqlite3.Database, migrationsDir = defaultMigrationsDir()): MigrationResult {
  const migrations = readMigrations(migrationsDir);
  sqlite.exec(CREATE_TABLE);
  const rows = sqlite
    .prepare(`SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`)
    .all() as { migration_name: string; checksum: string }[];
  const done = new Map(rows.map((row) => [row.migration_name, row.checksum]));
  const applied: string[] = [];
  for (const migration of migrations) {
    const recorded = done.get(migration.name);
    if (recorded !== undefined) {
      if (recorded !== migration.checksum) {
        throw new MigrationError(
          `Migration ${migration.name} was changed after it was applied (checksum mismatch). Restore the original file.`,
        );
      }
      continue;
    }
    const run = sqlite.transaction(() => {
      sqlite.exec(migration.sql);
      sqlite
        .prepare(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES (?, ?, ?, ?, ?, 1)`,
        )
        .run(randomUUID(), migration.checksum, new Date().toISOString(), migration.name, new Date().toISOString());
    });
    try {
      run.immediate();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new MigrationError(`Migration ${migration.name} failed and was rolled back: ${reason}`, { cause: error });
    }
    applied.push(migration.name);
  }
  return { applied, alreadyApplied: done.size };
}
