// A real Mission Control server for the SDK's tests (apps/server's startTestServer): the tests may import
// workspace packages, the published SDK never does. Restartable on the same data dir and port.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { onTestFinished } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '@mc/api';
import { startTestServer, type TestServer } from '../../../../apps/server/src/testing/test-server.ts';

export type SdkTestServer = TestServer & { operatorKey: string };

export type ServerOptions = {
  env?: Record<string, string>;
  clock?: Clock;
  /** Reuse a data dir (a "restart"); it is then left for the caller to remove. */
  dataDir?: string;
  port?: number;
};

/** Heartbeat interval 1 s (offline after 3 s), no rate limits unless a test sets them, API only (the
 *  web app's dist is not read: it may be mid-rebuild while these tests run). */
export const FAST_ENV = { MC_WEB_DIST: '/nonexistent/mc-web-dist', MC_AGENT_OFFLINE_AFTER_S: '3', MC_RATE_LIMITS: '{"heartbeatPerAgentPerMin":0,"connectPerAgentPerMin":0,"tokensPerKeyPerMin":0,"queuePerAgentPerMin":0}' };

export async function startSdkTestServer(options: ServerOptions = {}): Promise<SdkTestServer> {
  const server = await startTestServer({
    ...(options.clock ? { clock: options.clock } : {}),
    env: {
      ...FAST_ENV,
      ...(options.dataDir ? { MC_DATA_DIR: options.dataDir } : {}),
      ...(options.port ? { PORT: String(options.port) } : {}),
      ...options.env,
    },
  });
  const operatorKey = await server.createApiKey('operator');
  return { ...server, operatorKey };
}

/** A data dir that outlives one server, for restart tests. */
export function createDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'mc-sdk-data-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function createTempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function agentRow(server: TestServer, name: string) {
  return server.db.prisma.agent.findUnique({ where: { name } });
}

export async function usageRows(server: TestServer, name: string) {
  const agent = await server.db.prisma.agent.findUnique({ where: { name } });
  if (!agent) return [];
  return server.db.prisma.usageRecord.findMany({ where: { agentId: agent.id }, orderBy: { id: 'asc' } });
}

/** Revokes the user API key whose secret is `secret`. */
export async function revokeKey(server: TestServer, secret: string): Promise<void> {
  const prefix = secret.slice(0, 10);
  const key = await server.db.prisma.apiKey.findFirstOrThrow({ where: { displayPrefix: prefix } });
  const admin = await server.db.prisma.user.findFirstOrThrow({ where: { role: 'admin' } });
  await server.services.apiKeys.revoke({ kind: 'user', userId: admin.id, username: admin.username, role: 'admin' }, key.id, { ip: null, userAgent: null });
}

/** Records every request and lets a test answer some of them itself (faults the real server would not make on cue). */
export type FetchCall = { method: string; path: string; at: number; status: number | null; body: unknown };

export function createRecordingFetch(intercept?: (call: { method: string; path: string; body: unknown; index: number }) => Response | null) {
  const calls: FetchCall[] = [];
  async function recordingFetch(input: string, init: RequestInit): Promise<Response> {
    const url = new URL(input);
    const method = init.method ?? 'GET';
    const body: unknown = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    const call: FetchCall = { method, path: url.pathname + url.search, at: performance.now(), status: null, body };
    calls.push(call);
    const injected = intercept?.({ method, path: url.pathname, body, index: calls.filter((c) => c.method === method && c.path.split('?')[0] === url.pathname).length - 1 });
    const response = injected ?? (await fetch(input, init));
    call.status = response.status;
    return response;
  }
  return { fetch: recordingFetch, calls };
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/** Closes an agent when the test ends (its stats are of no interest then). */
export function closeAfterTest(agent: { close(options?: { timeoutMs?: number }): Promise<unknown> }, timeoutMs?: number): void {
  onTestFinished(async () => {
    await agent.close(timeoutMs === undefined ? {} : { timeoutMs });
  });
}
