import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { z } from 'zod';
import { type FakeGateway, startFakeGateway } from '../testing/fake-gateway.ts';
import { createTestClient } from '../testing/gateway-client-harness.ts';
import { buildSignaturePayload, verifyPayloadSignature } from './device-identity.ts';

let gateway: FakeGateway | null = null;
afterEach(async () => {
  await gateway?.close();
  gateway = null;
});

async function startGateway(options: Parameters<typeof startFakeGateway>[0] = {}): Promise<FakeGateway> {
  gateway = await startFakeGateway({ tickIntervalMs: 5_000, ...options });
  return gateway;
}

describe('gateway client handshake', () => {
  it('answers the challenge with a signed gateway-client/backend connect and no Origin header', async () => {
    const fake = await startGateway();
    const harness = createTestClient(fake.url);
    harness.client.start();
    await expect.poll(harness.status).toBe('ready');

    const [record] = fake.connects;
    expect(record?.origin).toBeUndefined();
    expect(record?.params).toMatchObject({
      minProtocol: 4, maxProtocol: 4, role: 'operator', scopes: ['operator.read', 'operator.write'], caps: ['tool-events'],
      client: { id: 'gateway-client', mode: 'backend', version: '0.1.0-test', platform: process.platform, displayName: 'Mission Control' },
      auth: { token: 'fake-gateway-token' },
    });
    const device = record?.params.device;
    expect(device).toMatchObject({ id: harness.options.identity.deviceId, publicKey: harness.options.identity.publicKey, signedAt: record?.challengeTs });
    // the fake verified it too; check the v3 payload independently here
    const { signature, signedAt, nonce } = z.object({ signature: z.string(), signedAt: z.number(), nonce: z.string() }).parse(device);
    const payload = buildSignaturePayload({
      deviceId: harness.options.identity.deviceId, clientId: 'gateway-client', clientMode: 'backend', role: 'operator',
      scopes: ['operator.read', 'operator.write'], signedAt, token: 'fake-gateway-token', nonce, platform: process.platform, deviceFamily: '',
    });
    expect(verifyPayloadSignature(harness.options.identity.publicKey, payload, signature)).toBe(true);
  });

  it('reads the captured hello-ok into state: server version, protocol, effective scopes, latency', async () => {
    const fake = await startGateway();
    const harness = createTestClient(fake.url);
    harness.client.start();
    await expect.poll(harness.status).toBe('ready');
    const state = harness.client.state();
    expect(state).toMatchObject({ status: 'ready', lastError: null, serverVersion: '2026.9.6', protocol: 4, scopes: ['operator.read', 'operator.write'], pairing: null, nextRetryAt: null });
    expect(state.latencyMs).toBeGreaterThanOrEqual(0);
    expect(state.connectedAt).toBeTypeOf('number');
    const [hello] = harness.hellos;
    expect(hello?.snapshot?.sessionDefaults?.mainSessionKey).toBe('agent:dev:main');
    expect(hello?.policy?.tickIntervalMs).toBe(5_000);
    expect(hello?.auth).toEqual({ role: 'operator', scopes: ['operator.read', 'operator.write'], method: 'token', issuedAtMs: null });
    expect(JSON.stringify(hello)).not.toContain('RECOVERY_SCOPE');
  });

  it('reports the scopes the gateway granted, not the ones requested', async () => {
    // e.g. a browser-origin or device-less connection: hello-ok with scopes cleared (§5.1 row 3)
    const fake = await startGateway({
      mutateHello: (payload) => {
        payload.auth = { method: 'token', role: 'operator', scopes: [] };
      },
    });
    const harness = createTestClient(fake.url);
    harness.client.start();
    await expect.poll(harness.status).toBe('ready');
    expect(harness.client.state().scopes).toEqual([]);
  });

  it('tolerates unknown fields and nulls in hello-ok', async () => {
    const fake = await startGateway({
      mutateHello: (payload) => {
        payload.futureFeature = { enabled: true };
        payload.server = { version: '2026.12.1', connId: 'c', newServerField: [1, 2] };
        payload.snapshot = null;
        payload.policy = { tickIntervalMs: null, maxPayload: null, somethingElse: 'x' };
        payload.auth = { method: 'brand-new-method', role: 'operator', scopes: ['operator.read', 42], extra: {} };
      },
    });
    const harness = createTestClient(fake.url);
    harness.client.start();
    await expect.poll(harness.status).toBe('ready');
    expect(harness.client.state()).toMatchObject({ serverVersion: '2026.12.1', scopes: ['operator.read'] });
    expect(harness.hellos[0]?.auth.method).toBe('brand-new-method');
  });

  it('treats a hello-ok for another protocol as a protocol mismatch with no fast retry', async () => {
    const fake = await startGateway({
      mutateHello: (payload) => {
        payload.protocol = 5;
      },
    });
    const harness = createTestClient(fake.url, { now: () => 1_000_000 });
    harness.client.start();
    await expect.poll(harness.status).toBe('protocol_mismatch');
    const state = harness.client.state();
    expect(state.lastError).toMatchObject({ code: 'PROTOCOL_MISMATCH', hint: expect.stringMatching(/upgrade the gateway/) });
    expect(state.nextRetryAt).toBe(1_000_000 + 2_000); // 10 × backoff.maxMs of the harness, not the backoff pace
  });

  it('stops with protocol_mismatch when the gateway refuses protocol 4', async () => {
    const fake = await startGateway();
    fake.rejectNextConnects('protocol_mismatch');
    const harness = createTestClient(fake.url);
    harness.client.start();
    await expect.poll(harness.status).toBe('protocol_mismatch');
    expect(harness.client.state().lastError?.hint).toMatch(/upgrade the gateway/);
    expect(fake.connects).toHaveLength(1);
  });

  it('stops with auth_failed on a wrong shared token and does not retry on its own', async () => {
    const fake = await startGateway();
    const harness = createTestClient(fake.url, { auth: { token: 'wrong' } });
    harness.client.start();
    await expect.poll(harness.status).toBe('auth_failed');
    expect(harness.client.state()).toMatchObject({ nextRetryAt: null, lastError: { code: 'AUTH_TOKEN_MISMATCH' } });
    expect(fake.connects.map((record) => record.outcome)).toEqual(['token_mismatch']);
  });

  it('retries a starting gateway after retryAfterMs and then connects', async () => {
    const fake = await startGateway({ startingAttempts: 2 });
    const harness = createTestClient(fake.url);
    harness.client.start();
    await expect.poll(harness.status, { timeout: 5_000 }).toBe('ready');
    expect(fake.connects.map((record) => record.outcome)).toEqual(['startup_unavailable', 'startup_unavailable', 'hello-ok']);
    expect(harness.states.some((state) => state.status === 'backoff' && state.lastError?.code === 'UNAVAILABLE')).toBe(true);
  });

  it('reports "not an OpenClaw gateway" when a WebSocket server never sends a challenge', async () => {
    const silent = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => silent.once('listening', resolve));
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    try {
      const harness = createTestClient(`ws://127.0.0.1:${address.port}/`, { handshakeTimeoutMs: 150, backoff: { initialMs: 60_000, jitter: 0 } });
      harness.client.start();
      await expect.poll(harness.status).toBe('unreachable');
      expect(harness.client.state().lastError).toMatchObject({ code: 'NOT_OPENCLAW_GATEWAY', message: expect.stringMatching(/not an OpenClaw gateway/) });
    } finally {
      for (const socket of silent.clients) socket.terminate();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('reports an unreachable gateway with the socket error and keeps retrying', async () => {
    const fake = await startGateway();
    const { url } = fake;
    await fake.close();
    gateway = null;
    const harness = createTestClient(url);
    harness.client.start();
    await expect.poll(() => harness.states.filter((state) => state.status === 'unreachable').length).toBeGreaterThanOrEqual(2);
    expect(harness.client.state().lastError).toMatchObject({ code: 'UNREACHABLE', message: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('stops cleanly: state stopped, socket closed with 1000, no reconnect', async () => {
    const fake = await startGateway();
    const harness = createTestClient(fake.url);
    harness.client.start();
    await expect.poll(harness.status).toBe('ready');
    await harness.client.stop();
    expect(harness.status()).toBe('stopped');
    await expect.poll(() => fake.clientCloseCodes).toEqual([1000]);
    await expect(harness.client.call('health', {})).rejects.toMatchObject({ code: 'CLIENT_STOPPED' });
  });
});
