// The background WAL checkpointer: the WAL stays bounded although no connection checkpoints in its commits,
// a worker that cannot run hands checkpoints back to SQLite, and the server's database uses it.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './open-database.ts';
import { createWriteLock } from './write-lock.ts';
import { startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.ts';

const dirs: string[] = [];
const checkpointers: WalCheckpointer[] = [];
afterEach(async () => {
  await Promise.all(checkpointers.splice(0).map((checkpointer) => checkpointer.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function walDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'mc-wal-'));
  dirs.push(dir);
  const file = join(dir, 'wal.db');
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('wal_autocheckpoint = 0');
  sqlite.exec('CREATE TABLE blobs (data BLOB)');
  return { file, sqlite };
}

const walSize = (file: string) => (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('background WAL checkpoints', () => {
  it('keep the WAL bounded while the writing connection never checkpoints itself', async () => {
    const { file, sqlite } = walDatabase();
    const checkpointer = startWalCheckpointer({ file, intervalMs: 20, startAtWalBytes: 256 * 1024, onFallback: () => {} });
    checkpointers.push(checkpointer);
    const insert = sqlite.prepare('INSERT INTO blobs (data) VALUES (?)');
    const chunk = Buffer.alloc(512 * 1024, 7);
    const written = 48 * chunk.length;
    let largest = 0;
    for (let i = 0; i < 48; i++) {
      insert.run(chunk);
      largest = Math.max(largest, walSize(file));
      await sleep(30);
    }
    expect(checkpointer.stats()).toMatchObject({ state: 'running', lastError: null });
    expect(checkpointer.stats().checkpoints).toBeGreaterThan(0);
    // Without checkpoints the WAL would hold every page written (24 MiB and more).
    expect(largest).toBeLessThan(written / 3);
    expect((sqlite.prepare('SELECT COUNT(*) AS n FROM blobs').get() as { n: number }).n).toBe(48);
    sqlite.close();
  });

  it('rewinds the WAL under back-to-back writes by holding writes for one completing checkpoint', async () => {
    const { file, sqlite } = walDatabase();
    const lock = createWriteLock();
    const checkpointer = startWalCheckpointer({ file, intervalMs: 20, startAtWalBytes: 256 * 1024, resetAtWalBytes: 2 * 1024 * 1024, pauseWrites: lock, onFallback: () => {} });
    checkpointers.push(checkpointer);
    const insert = sqlite.prepare('INSERT INTO blobs (data) VALUES (?)');
    const chunk = Buffer.alloc(64 * 1024, 3);
    let written = 0;
    let largest = 0;
    // Write transactions back to back, as a busy server makes them (the event loop turns between them). A
    // PASSIVE checkpoint alone never reaches the end of such a WAL, and SQLite rewinds only a complete one.
    while (written < 32 * 1024 * 1024 || (checkpointer.stats().completed < 2 && written < 256 * 1024 * 1024)) {
      await lock(() => insert.run(chunk));
      written += chunk.length;
      largest = Math.max(largest, walSize(file));
      await sleep(1); // ≈ 30–60 MB/s of WAL, a busy server's rate
    }
    expect(checkpointer.stats().completed).toBeGreaterThanOrEqual(2);
    expect(largest).toBeLessThan(written / 4);
    sqlite.close();
  });

  it('stays idle (no thread) while the WAL is small', async () => {
    const { file, sqlite } = walDatabase();
    const checkpointer = startWalCheckpointer({ file, intervalMs: 20, startAtWalBytes: 64 * 1024 * 1024, onFallback: () => {} });
    checkpointers.push(checkpointer);
    sqlite.prepare('INSERT INTO blobs (data) VALUES (?)').run(Buffer.alloc(1024));
    await sleep(100);
    expect(checkpointer.stats()).toMatchObject({ state: 'idle', checkpoints: 0 });
    sqlite.close();
  });

  it('hands checkpoints back to SQLite when the worker cannot run', async () => {
    const { file, sqlite } = walDatabase();
    const reasons: string[] = [];
    const checkpointer = startWalCheckpointer({ file, intervalMs: 20, startAtWalBytes: 1, driver: join(tmpdir(), 'no-such-driver.cjs'), onFallback: (reason) => reasons.push(reason) });
    checkpointers.push(checkpointer);
    sqlite.prepare('INSERT INTO blobs (data) VALUES (?)').run(Buffer.alloc(1024));
    await expect.poll(() => checkpointer.stats().state, { timeout: 10_000 }).toBe('failed');
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/WAL checkpoint worker (failed|exited)/);
    expect(checkpointer.stats().lastError).toBe(reasons[0]);
    sqlite.close();
  });

  it('is what the server database uses: both connections stop checkpointing in commits, close stops the worker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-wal-'));
    dirs.push(dir);
    const database = await openDatabase({ file: join(dir, 'mc.db'), backgroundCheckpoints: true });
    expect(database.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const [prismaSetting] = await database.prisma.$queryRawUnsafe<Array<{ wal_autocheckpoint: bigint | number }>>('PRAGMA wal_autocheckpoint');
    expect(Number(prismaSetting?.wal_autocheckpoint)).toBe(0);
    expect(database.checkpointer?.stats().state).toBe('idle');
    await database.close();
    expect(database.checkpointer?.stats().state).toBe('stopped');
    expect(walSize(database.file)).toBe(0);

    const plain = await openDatabase({ file: join(dir, 'plain.db') });
    expect(plain.checkpointer).toBeNull();
    expect(plain.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await plain.close();
  });
});
