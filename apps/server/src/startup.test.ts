import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeClock, silentLogger } from '@mc/api';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from './app.ts';
import { loadConfig, StartupError } from './config.ts';
import { housekeep } from './housekeeping.ts';
import { checkLiveness } from './liveness.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'mc-start-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const env = (extra: Record<string, string>) => ({ PORT: '0', MC_DATA_DIR: tempDir(), ...extra });

describe('startup', () => {
  it('refuses a weak admin password with a clear message', async () => {
    for (const password of ['short', 'password1234']) {
      const config = loadConfig(env({ MC_ADMIN_USERNAME: 'root', MC_ADMIN_PASSWORD: password }));
      await expect(startServer(config, { log: silentLogger })).rejects.toThrow(/MC_ADMIN_PASSWORD (must be at least 12 characters|is a commonly used password)/);
    }
  });

  it('accepts AUTH_USER/AUTH_PASS as aliases and seeds the admin only while no user exists', async () => {
    const dataDir = tempDir();
    const first = await startServer(loadConfig({ PORT: '0', MC_DATA_DIR: dataDir, AUTH_USER: 'Boss', AUTH_PASS: 'a-long-enough-passphrase' }), { log: silentLogger });
    expect(await first.db.prisma.user.findMany({ select: { username: true, role: true } })).toEqual([{ username: 'boss', role: 'admin' }]);
    await first.close();
    const second = await startServer(loadConfig({ PORT: '0', MC_DATA_DIR: dataDir, MC_ADMIN_USERNAME: 'other', MC_ADMIN_PASSWORD: 'another-long-passphrase' }), { log: silentLogger });
    expect(await second.db.prisma.user.count()).toBe(1);
    await second.close();
  });

  it('idles on the raw connection: Prisma connects, with the same pragmas, only for a request that needs it', async () => {
    const dataDir = tempDir();
    const config = loadConfig({ PORT: '0', MC_DATA_DIR: dataDir, MC_ADMIN_USERNAME: 'admin', MC_ADMIN_PASSWORD: 'a-long-enough-passphrase' });
    await (await startServer(config, { log: silentLogger })).close();
    const clock = createFakeClock(new Date());
    const server = await startServer(config, { log: silentLogger, clock });
    try {
      // Startup has run; so do a housekeeping pass and two liveness checks (the second one queries), as their timers would.
      await housekeep(server.services);
      await checkLiveness(server.services);
      clock.advanceBy(1_000);
      await checkLiveness(server.services);
      expect(server.db.prismaConnected()).toBe(false);
      const login = await fetch(`${server.url}/trpc/auth.login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'a-long-enough-passphrase' }),
      });
      expect(login.status).toBe(200);
      expect(server.db.prismaConnected()).toBe(true);
      const pragma = async (name: string) => Object.values(((await server.db.prisma.$queryRawUnsafe(`PRAGMA ${name}`)) as Array<Record<string, unknown>>)[0] ?? {})[0];
      expect([await pragma('foreign_keys'), await pragma('busy_timeout'), await pragma('synchronous'), await pragma('wal_autocheckpoint')].map(Number)).toEqual([1, 5000, 1, 0]);
    } finally {
      await server.close();
    }
  });

  it('prints a one-time setup link without admin env, which creates the admin exactly once', async () => {
    const server = await startServer(loadConfig(env({})), { log: silentLogger });
    try {
      expect(server.setupUrl).toMatch(/\/setup\?token=/);
      const token = new URL(server.setupUrl ?? '').searchParams.get('token');
      const post = (body: unknown) =>
        fetch(`${server.url}/trpc/auth.setupAdmin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post({ token: 'wrong', username: 'ops', password: 'a-long-enough-passphrase' })).status).toBe(403);
      const ok = await post({ token, username: 'ops', password: 'a-long-enough-passphrase' });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('set-cookie')).toMatch(/^mc_session=/);
      expect((await post({ token, username: 'ops2', password: 'a-long-enough-passphrase' })).status).toBe(403);
    } finally {
      await server.close();
    }
  });

  it('refuses to bind a non-loopback address without MC_ALLOWED_HOSTS', () => {
    expect(() => loadConfig(env({ HOST: '0.0.0.0' }))).toThrow(StartupError);
    expect(() => loadConfig(env({ HOST: '0.0.0.0' }))).toThrow(/MC_ALLOWED_HOSTS/);
    expect(loadConfig(env({ HOST: '0.0.0.0', MC_ALLOWED_HOSTS: 'mc.lan' })).allowedHosts).toEqual(['mc.lan']);
  });

  it('exits with a message (no stack) when started on 0.0.0.0 without an allowlist', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'main.ts')], {
      env: { ...process.env, ...env({ HOST: '0.0.0.0' }) },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Refusing to listen on 0.0.0.0 without MC_ALLOWED_HOSTS');
    expect(result.stderr).not.toContain('    at ');
  });

  it('refuses a corrupt database and leaves the data dir untouched', async () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'mission-control.db'), 'garbage '.repeat(100));
    const before = readdirSync(dataDir);
    await expect(startServer(loadConfig({ PORT: '0', MC_DATA_DIR: dataDir }), { log: silentLogger })).rejects.toThrow(/corrupt/);
    expect(readdirSync(dataDir)).toEqual(before);
  });

  it('creates the secret key file with mode 0600 and refuses a world-readable one', async () => {
    const dataDir = tempDir();
    const server = await startServer(loadConfig({ PORT: '0', MC_DATA_DIR: dataDir }), { log: silentLogger });
    await server.close();
    expect(statSync(join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    chmodSync(join(dataDir, 'secret.key'), 0o644);
    await expect(startServer(loadConfig({ PORT: '0', MC_DATA_DIR: dataDir }), { log: silentLogger })).rejects.toThrow(/chmod 600/);
  });
});
