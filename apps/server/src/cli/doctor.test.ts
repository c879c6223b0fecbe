import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword, silentLogger } from '@mc/api';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../app.ts';
import { loadConfig } from '../config.ts';
import { type Finding, runDoctor } from './doctor.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function preparedDataDir(adminPassword: string) {
  const dir = mkdtempSync(join(tmpdir(), 'mc-doctor-'));
  dirs.push(dir);
  chmodSync(dir, 0o700);
  const server = await startServer(loadConfig({ PORT: '0', MC_DATA_DIR: dir }), { log: silentLogger });
  const token = new URL(server.setupUrl ?? '').searchParams.get('token') ?? '';
  // The setup flow enforces the policy; write a weak hash directly to simulate an old or tampered install.
  await server.services.auth.setupAdmin({ token, username: 'root', password: 'a-strong-enough-passphrase' }, {});
  if (adminPassword) {
    await server.db.prisma.user.updateMany({ where: { username: 'root' }, data: { passwordHash: await hashPassword(adminPassword) } });
  }
  await server.close();
  return dir;
}

const levelOf = (findings: Finding[], check: string) => findings.find((f) => f.check === check)?.level;

describe('mc doctor', () => {
  it('passes a loopback install with a strong admin password and tight permissions', async () => {
    const dir = await preparedDataDir('');
    const findings = await runDoctor(loadConfig({ MC_DATA_DIR: dir }), { env: {} });
    expect(findings.filter((f) => f.level === 'fail')).toEqual([]);
  });

  it('flags a common admin password', async () => {
    const dir = await preparedDataDir('password1234');
    expect(levelOf(await runDoctor(loadConfig({ MC_DATA_DIR: dir }), { env: {} }), 'admin-password')).toBe('fail');
  });

  it('flags a missing allowlist and plain HTTP on a non-loopback address', async () => {
    const dir = await preparedDataDir('');
    const findings = await runDoctor(loadConfig({ MC_DATA_DIR: dir, HOST: '0.0.0.0' }, process.cwd(), { allowUnsafeBind: true }), { checkPasswords: false });
    expect(levelOf(findings, 'allowlist')).toBe('fail');
    expect(levelOf(findings, 'tls')).toBe('fail');
    const proxied = await runDoctor(loadConfig({ MC_DATA_DIR: dir, HOST: '0.0.0.0', MC_ALLOWED_HOSTS: 'mc.lan', MC_TRUST_PROXY: '1' }), { checkPasswords: false });
    expect(levelOf(proxied, 'allowlist')).toBe('ok');
    expect(levelOf(proxied, 'tls')).toBe('ok');
  });

  it('flags a world-readable data dir and secret key file', async () => {
    const dir = await preparedDataDir('');
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'secret.key'), 0o644);
    const findings = await runDoctor(loadConfig({ MC_DATA_DIR: dir }), { checkPasswords: false });
    expect(levelOf(findings, 'data-dir')).toBe('fail');
    expect(levelOf(findings, 'secret-key')).toBe('fail');
  });

  it('flags a short MC_SECRET_KEY', async () => {
    const dir = await preparedDataDir('');
    expect(levelOf(await runDoctor(loadConfig({ MC_DATA_DIR: dir, MC_SECRET_KEY: 'short' }), { checkPasswords: false }), 'secret-key')).toBe('fail');
  });
});
