// A real server on 127.0.0.1:0 with a temp data dir, for HTTP, WebSocket and browser tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Clock, type Role, silentLogger, type WebhookDispatcherOptions } from '@mc/api';
import { type RunningServer, startServer } from '../app.ts';
import { loadConfig } from '../config.ts';

export const TEST_ADMIN = { username: 'admin', password: 'correct-horse-battery-9' } as const;

export type TestServer = RunningServer & {
  dataDir: string;
  createUser(user: { username: string; password: string; role: Role }): Promise<{ id: string }>;
  /** Signs in over HTTP and returns the Cookie header value. */
  login(username?: string, password?: string): Promise<string>;
  createApiKey(role: Role, username?: string): Promise<string>;
  publishTestEvent(type: string, payload: unknown): Promise<number>;
};

/** `dataDir`: reuse a data dir (a restart); the caller then owns it and close() leaves it in place.
 * `webhooks`: dispatcher options (e.g. a lower disableAfterFailures). */
export async function startTestServer(
  options: { env?: Record<string, string>; clock?: Clock; seedAdmin?: boolean; dataDir?: string; webhooks?: Partial<WebhookDispatcherOptions> } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'mc-server-'));
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    MC_DATA_DIR: dataDir,
    ...(options.seedAdmin === false ? {} : { MC_ADMIN_USERNAME: TEST_ADMIN.username, MC_ADMIN_PASSWORD: TEST_ADMIN.password }),
    ...options.env,
  };
  const server = await startServer(loadConfig(env), { log: silentLogger, ...(options.clock ? { clock: options.clock } : {}), ...(options.webhooks ? { webhooks: options.webhooks } : {}) });
  const services = server.services;
  const admin = { kind: 'user', userId: 'test', username: 'test-harness', role: 'admin' } as const;

  async function login(username: string = TEST_ADMIN.username, password: string = TEST_ADMIN.password) {
    const res = await fetch(`${server.url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    const cookie = res.headers.get('set-cookie') ?? '';
    return cookie.split(';')[0] ?? '';
  }

  return {
    ...server,
    dataDir,
    createUser: (user) => services.users.create(admin, user, {}),
    login,
    async createApiKey(role, username) {
      const owner = await server.db.prisma.user.findFirstOrThrow({ where: username ? { username } : { role: 'admin' } });
      const actor = { kind: 'user', userId: owner.id, username: owner.username, role: 'admin' } as const;
      return (await services.apiKeys.create(actor, { name: `test-${role}`, role }, {})).secret;
    },
    async publishTestEvent(type, payload) {
      return (await services.events.emit({ type, payload })).id;
    },
    async close() {
      await server.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
