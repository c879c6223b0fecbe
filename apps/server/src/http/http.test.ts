import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ADMIN, type TestServer } from '../testing/test-server.ts';

let app: TestServer;
beforeAll(async () => {
  app = await startTestServer();
});
afterAll(async () => {
  await app.close();
});

const trpcPost = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${app.url}/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('HTTP security basics', () => {
  it('sends the strict CSP and hardening headers on every response', async () => {
    for (const path of ['/healthz', '/api/me', '/', '/does-not-exist']) {
      const res = await fetch(`${app.url}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("style-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('permissions-policy')).toContain('camera=()');
      expect(res.headers.get('x-request-id')).toMatch(/.{8,}/);
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('echoes a sane x-request-id and puts it in error bodies', async () => {
    const res = await fetch(`${app.url}/api/nope`, { headers: { 'x-request-id': 'req-12345678' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toBe('req-12345678');
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No route GET /api/nope', requestId: 'req-12345678' } });
  });

  it('answers 403 for a Host outside the allowlist', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${app.url}/healthz`, { headers: { host: 'evil.example.com' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('answers 400 with a clear message for malformed JSON', async () => {
    const res = await trpcPost('auth.login', '{"username": "x", ');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/JSON|parse/i);
  });

  it('answers 413 for a body over 1 MiB', async () => {
    const res = await trpcPost('auth.login', JSON.stringify({ username: 'x', password: 'y'.repeat(1_100_000) }));
    expect(res.status).toBe(413);
  });

  it('answers 400 per invalid field with its path', async () => {
    const res = await trpcPost('auth.login', JSON.stringify({ username: 42 }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { data: { details: { path: string }[] } } };
    expect(body.error.data.details.map((d) => d.path).sort()).toEqual(['password', 'username']);
  });

  it('answers a client that hangs up mid-body as a client error (4xx), not a server failure', async () => {
    const answered = async (statusClass: string) =>
      Number(new RegExp(`mc_http_requests_total\\{method="POST",status="${statusClass}"\\} (\\d+)`).exec(await (await fetch(`${app.url}/metrics`)).text())?.[1] ?? 0);
    const serverErrors = () => answered('5xx');
    const clientErrors = () => answered('4xx');
    const [errorsBefore, clientBefore] = [await serverErrors(), await clientErrors()];
    const { port } = new URL(app.url);
    const key = await app.createApiKey('operator');
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(`POST /api/connect HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"agent_name":`, () => socket.destroy());
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    await expect.poll(clientErrors).toBe(clientBefore + 1);
    expect(await serverErrors()).toBe(errorsBefore);
  });

  it('serves health, readiness and Prometheus metrics', async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${app.url}/readyz`)).json()).toEqual({ status: 'ready' });
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toContain('# TYPE mc_http_requests_total counter');
    expect(metrics).toContain('mc_ws_connections');
    expect(metrics).toContain('mc_sqlite_wal_checkpointer_up 1');
  });
});

describe('authentication failures', () => {
  it('answers 401 without a credential and with an unknown key', async () => {
    const none = await fetch(`${app.url}/api/me`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    const unknown = await fetch(`${app.url}/api/me`, { headers: { authorization: 'Bearer mc_notarealkey000000000000000000000000000' } });
    expect(unknown.status).toBe(401);
  });

  it('accepts a key by Bearer and by x-api-key, and refuses it once revoked', async () => {
    const secret = await app.createApiKey('viewer');
    expect((await fetch(`${app.url}/api/me`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);
    const me = await fetch(`${app.url}/api/me`, { headers: { 'x-api-key': secret } });
    expect(await me.json()).toEqual({ kind: 'user', username: 'admin', role: 'viewer', viaApiKey: true });
    const key = await app.db.prisma.apiKey.findFirstOrThrow({ where: { name: 'test-viewer' } });
    // Through the product (Settings → API keys → Revoke): the key lookup the last requests cached is dropped.
    const revoked = await trpcPost('apiKeys.revoke', JSON.stringify({ id: key.id }), { cookie: await app.login() });
    expect(revoked.status).toBe(200);
    expect((await fetch(`${app.url}/api/me`, { headers: { 'x-api-key': secret } })).status).toBe(401);
  });

  it('narrows or ends a key at once when its owner is demoted or disabled, though key lookups are cached', async () => {
    const owner = await app.createUser({ username: 'keyowner', password: 'a-long-enough-password-7', role: 'operator' });
    const secret = await app.createApiKey('operator', 'keyowner');
    const me = async () => {
      const res = await fetch(`${app.url}/api/me`, { headers: { authorization: `Bearer ${secret}` } });
      return res.status === 200 ? ((await res.json()) as { role: string }).role : res.status;
    };
    expect(await me()).toBe('operator');
    const cookie = await app.login();
    expect((await trpcPost('users.setRole', JSON.stringify({ userId: owner.id, role: 'viewer' }), { cookie })).status).toBe(200);
    expect(await me()).toBe('viewer');
    expect((await trpcPost('users.setDisabled', JSON.stringify({ userId: owner.id, disabled: true }), { cookie })).status).toBe(200);
    expect(await me()).toBe(401);
  });

  it('refuses an expired key', async () => {
    const secret = await app.createApiKey('operator');
    await app.db.prisma.apiKey.updateMany({ where: { name: 'test-operator' }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await fetch(`${app.url}/api/me`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);
  });

  it('answers 403 when a viewer key calls an admin procedure', async () => {
    const secret = await app.createApiKey('viewer');
    const res = await fetch(`${app.url}/trpc/users.list`, { headers: { authorization: `Bearer ${secret}` } });
    expect(res.status).toBe(403);
  });

  it('answers 401 for a wrong password without revealing whether the user exists', async () => {
    const wrong = await trpcPost('auth.login', JSON.stringify({ username: 'admin', password: 'not the password at all' }));
    const missing = await trpcPost('auth.login', JSON.stringify({ username: 'ghost', password: 'not the password at all' }));
    expect(wrong.status).toBe(401);
    expect(missing.status).toBe(401);
    const a = (await wrong.json()) as { error: { message: string } };
    const b = (await missing.json()) as { error: { message: string } };
    expect(a.error.message).toBe('Invalid username or password');
    expect(b.error.message).toBe(a.error.message);
  });

  it('rate-limits repeated failed logins with 429 and Retry-After', async () => {
    let last: Response | null = null;
    for (let i = 0; i < 12; i++) last = await trpcPost('auth.login', JSON.stringify({ username: 'victim', password: `guess-number-${i}` }));
    expect(last?.status).toBe(429);
    // The correct password of another account is unaffected.
    const ok = await trpcPost('auth.login', JSON.stringify(TEST_ADMIN));
    expect(ok.status).toBe(200);
  });

  it('refuses cross-site cookie-authenticated writes', async () => {
    const cookie = await app.login();
    const res = await trpcPost('auth.logoutEverywhere', '{}', { cookie, origin: 'https://evil.example.com' });
    expect(res.status).toBe(403);
    const site = await trpcPost('auth.logoutEverywhere', '{}', { cookie, 'sec-fetch-site': 'cross-site' });
    expect(site.status).toBe(403);
  });

  it('sets an HttpOnly SameSite session cookie that signs the user in, and logout ends it', async () => {
    const res = await trpcPost('auth.login', JSON.stringify(TEST_ADMIN));
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^mc_session=/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    const cookie = setCookie.split(';')[0] ?? '';
    const me = (await (await fetch(`${app.url}/trpc/auth.me`, { headers: { cookie } })).json()) as { result: { data: { user: { username: string } } } };
    expect(me.result.data.user.username).toBe('admin');
    const stored = await app.db.prisma.session.findMany();
    expect(stored.some((s) => cookie.includes(s.id))).toBe(false); // only the hash is stored
    await trpcPost('auth.logout', '{}', { cookie });
    const after = (await (await fetch(`${app.url}/trpc/auth.me`, { headers: { cookie } })).json()) as { result: { data: { user: null } } };
    expect(after.result.data.user).toBeNull();
  });
});
