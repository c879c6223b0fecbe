import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { WebSocketServer } from 'ws';
import { startGatewayHarness } from './test-kit.ts';

const POLL = { timeout: 15_000 };

async function listenOnFreePort<T extends Server | WebSocketServer>(create: () => T): Promise<{ server: T; port: number }> {
  const server = create();
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const address = (server instanceof WebSocketServer ? server.address() : server.address()) as AddressInfo;
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { server, port: address.port };
}

describe('gateway status for each failure class', () => {
  it('reports auth_failed with an actionable hint for a wrong token, and does not retry on its own', async () => {
    const harness = await startGatewayHarness();
    const fake = await harness.startFake();
    const gatewayId = await harness.addGateway('wrong-token', fake.url, { secret: 'not-the-token' });
    await expect.poll(() => harness.status(gatewayId), POLL).toBe('auth_failed');
    const view = await harness.view(gatewayId);
    expect(view.lastError).toMatchObject({ code: 'AUTH_TOKEN_MISMATCH', hint: expect.stringContaining('gateway token is wrong') });
    expect(view.nextRetryAt).toBeNull();
    const stored = await harness.database.prisma.gateway.findUniqueOrThrow({ where: { id: gatewayId } });
    expect(stored.status).toBe('auth_failed');
    expect(JSON.parse(stored.lastError ?? '{}')).toMatchObject({ code: 'AUTH_TOKEN_MISMATCH' });
  });

  it('reports unreachable NOT_OPENCLAW_GATEWAY for a WebSocket server that never sends a challenge', async () => {
    const harness = await startGatewayHarness({ gateways: { handshakeTimeoutMs: 300 } });
    const { port } = await listenOnFreePort(() => new WebSocketServer({ host: '127.0.0.1', port: 0 }));
    const gatewayId = await harness.addGateway('not-openclaw', `ws://127.0.0.1:${port}/`);
    await expect.poll(async () => (await harness.view(gatewayId)).lastError?.code, POLL).toBe('NOT_OPENCLAW_GATEWAY');
    const view = await harness.view(gatewayId);
    expect(['unreachable', 'connecting']).toContain(view.status);
    expect(view.lastError?.hint).toMatch(/URL and port/);
  });

  it('reports protocol_mismatch with "upgrade the gateway" when the gateway speaks another protocol', async () => {
    const harness = await startGatewayHarness();
    const fake = await harness.startFake();
    fake.rejectNextConnects('protocol_mismatch', 5);
    const gatewayId = await harness.addGateway('old', fake.url);
    await expect.poll(() => harness.status(gatewayId), POLL).toBe('protocol_mismatch');
    expect((await harness.view(gatewayId)).lastError).toMatchObject({ code: 'PROTOCOL_MISMATCH', hint: expect.stringContaining('upgrade the gateway') });
  });

  it('reports a connect timeout for a server that accepts TCP but never answers', async () => {
    const harness = await startGatewayHarness({ gateways: { handshakeTimeoutMs: 300 } });
    const sockets: Socket[] = [];
    const { port } = await listenOnFreePort(() => createServer((socket) => void sockets.push(socket)).listen(0, '127.0.0.1'));
    onTestFinished(() => {
      for (const socket of sockets) socket.destroy();
    });
    const gatewayId = await harness.addGateway('silent', `ws://127.0.0.1:${port}/`);
    await expect.poll(async () => (await harness.view(gatewayId)).lastError?.code, POLL).toBe('CONNECT_TIMEOUT');
    expect((await harness.view(gatewayId)).lastError?.hint).toMatch(/running and reachable/);
  });

  it('reports unreachable with the socket error for a wrong port, and keeps retrying with backoff', async () => {
    const harness = await startGatewayHarness();
    const { server, port } = await listenOnFreePort(() => createServer().listen(0, '127.0.0.1'));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const gatewayId = await harness.addGateway('nowhere', `ws://127.0.0.1:${port}/`);
    await expect.poll(() => harness.status(gatewayId), POLL).toBe('unreachable');
    const view = await harness.view(gatewayId);
    expect(view.lastError).toMatchObject({ code: 'UNREACHABLE', message: expect.stringContaining('ECONNREFUSED') });
    expect(view.nextRetryAt).not.toBeNull();
  });

  it('publishes gateway.updated on status transitions only, not on ticks or health events', async () => {
    const harness = await startGatewayHarness();
    const fake = await harness.startFake();
    const gatewayId = await harness.addGateway('ticking', fake.url);
    await expect.poll(() => harness.status(gatewayId), POLL).toBe('ready');
    const readyEvents = () => harness.eventsOf('gateway.updated').filter((event) => (event.payload as { gateway: { status: string } }).gateway.status === 'ready');
    // The transition to ready (and, when the first sync lands separately, one more with its counts)…
    await expect.poll(() => readyEvents().length, POLL).toBeGreaterThanOrEqual(1);
    expect(readyEvents().length).toBeLessThanOrEqual(2);
    // …ending with the one that carries the counts of the first sync
    await expect.poll(() => harness.eventsOf('gateway.updated').at(-1)?.payload, POLL).toMatchObject({ gateway: { counts: { sessions: 3 } } });
    const count = harness.eventsOf('gateway.updated').length;
    for (let tick = 0; tick < 5; tick += 1) fake.emit('tick', { ts: Date.now() });
    fake.emit('health', { ok: false, ts: Date.now() }, { stateVersion: { presence: 1, health: 2 } });
    await expect.poll(() => harness.services.gatewayManager.connection(gatewayId)?.health()?.ok, POLL).toBe(false);
    expect(harness.eventsOf('gateway.updated').length).toBe(count);
    expect(fake.connects).toHaveLength(1);
  });
});
