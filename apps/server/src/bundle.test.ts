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

/** Signs in, creates a key, connects an agent and sends one heartbeat with usage; reads mc_heartbeat_worker_up. */
async function heartbeatThroughBundle(base: string): Promise<{ tokenRecorded: unknown; workerUp: boolean }> {
  const json = { 'content-type': 'application/json' };
  const signIn = await fetch(`${base}/trpc/auth.login`, { method: 'POST', headers: json, body: JSON.stringify({ username: 'admin', password: 'bundle-test-passphrase' }) });
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const created = await fetch(`${base}/trpc/apiKeys.create`, { method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ name: 'bundle', role: 'operator' }) });
  const secret = ((await created.json()) as { result: { data: { secret: string } } }).result.data.secret;
  const auth = { ...json, authorization: `Bearer ${secret}` };
  const connected = await fetch(`${base}/api/connect`, { method: 'POST', headers: auth, body: JSON.stringify({ agent_name: 'bundled', tool_name: 'claude-code' }) });
  const { connection_id } = (await connected.json()) as { connection_id: string };
  const beat = await fetch(`${base}/api/agents/bundled/heartbeat`, {
    method: 'POST', headers: auth,
    body: JSON.stringify({ connection_id, status: 'busy', token_usage: { id: 'b1', model: 'claude-sonnet-4-5', inputTokens: 10, outputTokens: 1 } }),
  });
  const { token_recorded: tokenRecorded } = (await beat.json()) as { token_recorded: unknown };
  const metrics = await (await fetch(`${base}/metrics`)).text();
  return { tokenRecorded, workerUp: /^mc_heartbeat_worker_up 1$/m.test(metrics) };
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
      // The heartbeat worker thread loads from dist/heartbeat-worker.js and writes the beat.
      await expect(heartbeatThroughBundle(`http://127.0.0.1:${port}`)).resolves.toEqual({ tokenRecorded: 1, workerUp: true });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
