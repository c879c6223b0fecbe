// Test helper: a freshly migrated SQLite file in its own temp dir, removed on close.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, openDatabase } from './open-database.ts';

export type TestDatabase = Database & { dir: string };

export async function createTestDb(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'mc-db-'));
  const db = await openDatabase({ file: join(dir, 'test.db') });
  return {
    ...db,
    dir,
    async close() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
