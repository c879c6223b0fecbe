import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ADMIN, type TestServer } from '../testing/test-server.ts';

let app: TestServer;
beforeAll(async () => {
  app = await startTestServer({ env: { MC_TRUST_PROXY: '1' } });
});
afterAll(async () => {
  await app.close();
});

describe('behind a TLS proxy (MC_TRUST_PROXY)', () => {
  it('uses a __Host- Secure session cookie, sends HSTS and logs the forwarded client address', async () => {
    const res = await fetch(`${app.url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9, 10.0.0.1' },
      body: JSON.stringify(TEST_ADMIN),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^__Host-mc_session=/);
    expect(cookie).toContain('Secure');
    expect(cookie).toContain('Path=/');
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
    const login = await app.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'auth.login' }, orderBy: { id: 'desc' } });
    expect(login.ip).toBe('203.0.113.9');
    const me = await fetch(`${app.url}/trpc/auth.me`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(((await me.json()) as { result: { data: { user: { username: string } } } }).result.data.user.username).toBe('admin');
  });
});
