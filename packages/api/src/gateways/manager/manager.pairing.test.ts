import { describe, expect, it } from 'vitest';
import { appRouter } from '../../router.ts';
import { createCallerFactory } from '../../trpc.ts';
import type { Context } from '../../context.ts';
import { silentLogger } from '../../logger.ts';
import { FAKE_GATEWAY_TOKEN } from '../testing/gateway-client-harness.ts';
import { ADMIN, type GatewayHarness, startGatewayHarness } from './test-kit.ts';

const POLL = { timeout: 15_000 };

function adminCaller(harness: GatewayHarness) {
  const context: Context = {
    actor: ADMIN, services: harness.services, meta: { ip: '127.0.0.1', userAgent: 'vitest', requestId: 'gateways-test' }, log: silentLogger,
    setSessionCookie: () => {}, clearSessionCookie: () => {},
  };
  return createCallerFactory(appRouter)(context);
}

/** Every column of every Gateway row, as text: where a secret in clear would show up. */
async function gatewayTable(harness: GatewayHarness): Promise<string> {
  return JSON.stringify(harness.database.sqlite.prepare('SELECT * FROM "Gateway"').all());
}

describe('gateway pairing and secrets', () => {
  it('shows the pairing request, then after approval connects and stores the device token sealed', async () => {
    const harness = await startGatewayHarness();
    const fake = await harness.startFake({ pairingRequired: true });
    const gatewayId = await harness.addGateway('remote', fake.url);
    await expect.poll(() => harness.status(gatewayId), POLL).toBe('pairing_required');
    const [pending] = fake.pendingPairing();
    const view = await harness.view(gatewayId);
    expect(view.pairing).toMatchObject({ requestId: pending?.requestId, approveCommand: `openclaw devices approve ${pending?.requestId}` });
    expect(view.lastError?.hint).toContain(`openclaw devices approve ${pending?.requestId}`);
    // persisted, so the UI shows it even from another process / after a restart
    const stored = await harness.database.prisma.gateway.findUniqueOrThrow({ where: { id: gatewayId } });
    expect(stored.status).toBe('pairing_required');

    const approved = fake.approvePairing(pending?.requestId);
    await harness.services.gateways.retryNow(gatewayId);
    await expect.poll(() => harness.status(gatewayId), POLL).toBe('ready');
    await expect.poll(async () => (await harness.database.prisma.gateway.findUniqueOrThrow({ where: { id: gatewayId } })).deviceTokenSealed, POLL).not.toBeNull();
    expect((await harness.view(gatewayId)).paired).toBe(true);
    const table = await gatewayTable(harness);
    expect(approved.deviceToken).toBeTruthy();
    expect(table).not.toContain(approved.deviceToken);
    expect(table).not.toContain(FAKE_GATEWAY_TOKEN);
    expect(table).not.toContain('privateKey');

    // the next connection authenticates with the stored device token
    await harness.services.gatewayManager.reload(gatewayId);
    await expect.poll(() => fake.connects.at(-1)?.authMethod, POLL).toBe('device-token');
  });

  it('never returns or publishes a secret: token, password, device token or key material', async () => {
    const harness = await startGatewayHarness();
    const fake = await harness.startFake({ pairingRequired: true });
    const caller = adminCaller(harness);
    const created = await caller.gateways.create({ name: 'lab', url: fake.url, authMode: 'token', secret: FAKE_GATEWAY_TOKEN });
    await expect.poll(() => harness.status(created.id), POLL).toBe('pairing_required');
    const approved = fake.approvePairing();
    await caller.gateways.retryNow({ id: created.id });
    await expect.poll(() => harness.status(created.id), POLL).toBe('ready');
    const updated = await caller.gateways.update({ id: created.id, secret: 'a-new-shared-secret' });
    const outputs = JSON.stringify([created, updated, await caller.gateways.list(), harness.events, await harness.database.prisma.auditLog.findMany()]);
    for (const secret of [FAKE_GATEWAY_TOKEN, 'a-new-shared-secret', approved.deviceToken ?? 'no-device-token', 'privateKeyPkcs8']) {
      expect(outputs).not.toContain(secret);
    }
    expect(updated).toMatchObject({ hasSecret: true, authMode: 'token' });
  });

  it('refuses a gateway name that is taken, or one with a slash', async () => {
    const harness = await startGatewayHarness({ start: false });
    const caller = adminCaller(harness);
    await caller.gateways.create({ name: 'lab', url: 'ws://127.0.0.1:1', authMode: 'none' });
    await expect(caller.gateways.create({ name: 'lab', url: 'ws://127.0.0.1:2', authMode: 'none' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(caller.gateways.create({ name: 'a/b', url: 'ws://127.0.0.1:2', authMode: 'none' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(caller.gateways.create({ name: 'web', url: 'http://127.0.0.1:2', authMode: 'none' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(caller.gateways.create({ name: 'nosecret', url: 'ws://127.0.0.1:2', authMode: 'token' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('gateways.test', () => {
  it('reports ok with the server version for a good gateway and a specific failure for a wrong token', async () => {
    const harness = await startGatewayHarness({ start: false });
    const fake = await harness.startFake();
    const good = await harness.services.gateways.test({ url: fake.url, authMode: 'token', secret: FAKE_GATEWAY_TOKEN });
    expect(good).toMatchObject({ ok: true, status: 'ready', serverVersion: '2026.9.6' });
    const bad = await harness.services.gateways.test({ url: fake.url, authMode: 'token', secret: 'wrong' });
    expect(bad).toMatchObject({ ok: false, status: 'auth_failed', hint: expect.stringContaining('gateway token is wrong') });
    await expect.poll(() => fake.connections, POLL).toBe(0);
  });
});
