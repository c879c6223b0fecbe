// The production bundle (what `pnpm start` runs) starts, serves and stops cleanly: catches runtime
// dependencies that only resolve from sources (a package used by @mc/api but not installed for the
// server) and proves SIGTERM shuts down with exit code 0.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const serverDir = join(import.meta.dirname, '..');
const dataDir = mkdtempSync(join(tmpdir(), 'mc-bundle-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

describe('server bundle', () => {
  it('builds, starts from dist/main.js, answers /readyz and exits 0 on SIGTERM', { timeout: 90_000 }, async () => {
    execFileSync(process.execPath, ['build.mjs'], { cwd: serverDir, stdio: 'pipe' });
    const port = await freePort();
    const child = spawn(process.execPath, [join(serverDir, 'dist', 'main.js')], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', MC_DATA_DIR: dataDir, MC_ADMIN_USERNAME: 'admin', MC_ADMIN_PASSWORD: 'bundle-test-passphrase', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await expect
        .poll(async () => {
          if (child.exitCode !== null) throw new Error(`server exited early: ${stderr}`);
          return fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0);
        }, { timeout: 60_000, interval: 200 })
        .toBe(200);
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
