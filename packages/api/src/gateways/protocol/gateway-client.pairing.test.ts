import { afterEach, describe, expect, it, vi } from 'vitest';
import { type FakeGateway, startFakeGateway } from '../testing/fake-gateway.ts';
import { createTestClient } from '../testing/gateway-client-harness.ts';

let gateway: FakeGateway | null = null;
afterEach(async () => {
  await gateway?.close();
  gateway = null;
});

async function startRemoteGateway(): Promise<FakeGateway> {
  gateway = await startFakeGateway({ tickIntervalMs: 10_000, pairingRequired: true });
  return gateway;
}

describe('gateway client pairing', () => {
  it('goes pairing_required → approved → ready, persists the device token and connects with it next time', async () => {
    const fake = await startRemoteGateway();
    const harness = createTestClient(fake.url, { now: () => 5_000 });
    harness.client.start();
    await expect.poll(harness.status).toBe('pairing_required');

    const [pending] = fake.pendingPairing();
    const state = harness.client.state();
    expect(state.pairing).toEqual({
      requestId: pending?.requestId,
      deviceId: harness.options.identity.deviceId,
      requestedScopes: ['operator.read', 'operator.write'],
      approveCommand: `openclaw devices approve ${pending?.requestId}`,
    });
    expect(state.nextRetryAt).toBe(5_000 + 60_000); // pairingRetryMs, not the backoff pace
    expect(state.lastError?.code).toBe('PAIRING_REQUIRED');

    const approved = fake.approvePairing(pending?.requestId);
    harness.client.retryNow();
    await expect.poll(harness.status).toBe('ready');
    expect(harness.client.state().pairing).toBeNull();
    expect(harness.deviceTokens).toEqual([{ deviceToken: approved.deviceToken, scopes: ['operator.read', 'operator.write'], issuedAtMs: expect.any(Number) }]);
    expect(fake.connects.at(-1)?.authMethod).toBe('token');

    // the next connect of the same client uses the device token only
    fake.closeAll(1012, 'service restart');
    await expect.poll(() => fake.connects.length).toBe(3);
    await expect.poll(harness.status).toBe('ready');
    expect(fake.connects.at(-1)?.params.auth).toEqual({ deviceToken: approved.deviceToken });
    expect(fake.connects.at(-1)?.authMethod).toBe('device-token');
    expect(harness.hellos.at(-1)?.auth.method).toBe('device-token');
    expect(harness.deviceTokens).toHaveLength(1); // same token again: not reported twice
  });

  it('connects a fresh client with a stored device token and no shared token', async () => {
    const fake = await startRemoteGateway();
    const first = createTestClient(fake.url);
    first.client.start();
    await expect.poll(first.status).toBe('pairing_required');
    fake.approvePairing();
    first.client.retryNow();
    await expect.poll(() => first.deviceTokens.length).toBe(1);
    await first.client.stop();

    const second = createTestClient(fake.url, { identity: first.options.identity, auth: {}, deviceToken: first.deviceTokens[0]?.deviceToken });
    second.client.start();
    await expect.poll(second.status).toBe('ready');
    expect(fake.connects.at(-1)).toMatchObject({ authMethod: 'device-token', outcome: 'hello-ok' });
  });

  it('retries on its own every pairingRetryMs until the request is approved', async () => {
    const fake = await startRemoteGateway();
    const harness = createTestClient(fake.url, { pairingRetryMs: 50 });
    harness.client.start();
    await expect.poll(() => fake.connects.length).toBeGreaterThanOrEqual(3);
    // retries reuse the same pending request (same device, same scopes)
    expect(fake.pendingPairing()).toHaveLength(1);
    expect(harness.status()).not.toBe('ready');
    fake.approvePairing();
    await expect.poll(harness.status).toBe('ready');
  });

  it('drops a rejected device token and retries once with the shared token', async () => {
    const fake = await startRemoteGateway();
    const onDeviceTokenRejected = vi.fn();
    const harness = createTestClient(fake.url, { onDeviceTokenRejected });
    harness.client.start();
    await expect.poll(harness.status).toBe('pairing_required');
    fake.approvePairing();
    harness.client.retryNow();
    await expect.poll(() => harness.deviceTokens.length).toBe(1);

    fake.revokeDeviceToken(harness.options.identity.deviceId);
    fake.closeAll(4001, 'gateway auth changed');
    await expect.poll(() => harness.deviceTokens.length).toBe(2);
    await expect.poll(harness.status).toBe('ready');
    expect(onDeviceTokenRejected).toHaveBeenCalledTimes(1);
    expect(fake.connects.slice(-2).map((record) => [record.outcome, record.authMethod])).toEqual([['device_token_mismatch', null], ['hello-ok', 'token']]);
    expect(harness.deviceTokens[1]?.deviceToken).not.toBe(harness.deviceTokens[0]?.deviceToken);
  });

  it('lets an operator.pairing connection approve the request over RPC and see the pairing events', async () => {
    const fake = await startRemoteGateway();
    const approver = createTestClient(fake.url, { scopes: ['operator.read', 'operator.pairing'] });
    // the approver itself must be paired first (owner approval on the host)
    approver.client.start();
    await expect.poll(approver.status).toBe('pairing_required');
    fake.approvePairing();
    approver.client.retryNow();
    await expect.poll(approver.status).toBe('ready');

    const device = createTestClient(fake.url);
    device.client.start();
    await expect.poll(device.status).toBe('pairing_required');
    await expect.poll(() => approver.eventsNamed('device.pair.requested').length).toBe(1);
    const requestId = device.client.state().pairing?.requestId;
    await expect(approver.client.call('device.pair.approve', { requestId })).resolves.toMatchObject({ requestId, device: { deviceId: device.options.identity.deviceId } });
    await expect.poll(() => approver.eventsNamed('device.pair.resolved').map((event) => event.payload)).toEqual([
      expect.objectContaining({ requestId, decision: 'approved' }),
    ]);
    device.client.retryNow();
    await expect.poll(device.status).toBe('ready');
  });

  it('asks for re-pairing when the device token is rejected and no shared token is configured', async () => {
    const fake = await startRemoteGateway();
    const harness = createTestClient(fake.url, { auth: {}, deviceToken: 'revoked-token' });
    harness.client.start();
    await expect.poll(harness.status).toBe('auth_failed');
    expect(harness.client.state().lastError).toMatchObject({ code: 'AUTH_DEVICE_TOKEN_MISMATCH', hint: expect.stringMatching(/re-pair needed/) });
    expect(fake.connects).toHaveLength(1);
  });

  it('gets no device token from a loopback gateway that does not require pairing (§5.1 row 2)', async () => {
    gateway = await startFakeGateway({ tickIntervalMs: 10_000 });
    const harness = createTestClient(gateway.url);
    harness.client.start();
    await expect.poll(harness.status).toBe('ready');
    expect(harness.deviceTokens).toEqual([]);
  });
});
