import { afterEach, describe, expect, it } from 'vitest';
import { type FakeGateway, startFakeGateway } from '../testing/fake-gateway.ts';
import { createTestClient } from '../testing/gateway-client-harness.ts';
import { GatewayCallError } from './call-errors.ts';

let gateway: FakeGateway | null = null;
afterEach(async () => {
  await gateway?.close();
  gateway = null;
});

async function startGateway(options: Parameters<typeof startFakeGateway>[0] = {}): Promise<FakeGateway> {
  // Long ticks unless a test is about them: a loaded CI box must not trip the watchdog by accident.
  gateway = await startFakeGateway({ tickIntervalMs: 10_000, ...options });
  return gateway;
}

describe('gateway client reconnects', () => {
  it('closes with 4000 and reconnects when no frame arrives for 2 tick intervals', async () => {
    const fake = await startGateway({ tickIntervalMs: 100 });
    const harness = createTestClient(fake.url);
    harness.client.start();
    await expect.poll(harness.status).toBe('ready');
    fake.goSilent();
    await expect.poll(() => fake.clientCloseCodes).toContain(4000);
    await expect.poll(() => harness.hellos.length).toBeGreaterThanOrEqual(2);
    await expect.poll(harness.status).toBe('ready');
    expect(harness.states.some((state) => state.status === 'backoff' && state.lastError?.code === 'TICK_TIMEOUT')).toBe(true);
  });

  it('keeps a connection that only receives ticks', async () => {
    const fake = await startGateway({ tickIntervalMs: 150 });
    const harness = createTestClient(fake.url);
    harness.client.start();
    await expect.poll(harness.status).toBe('ready');
    await expect.poll(() => harness.eventsNamed('tick').length).toBeGreaterThanOrEqual(5); // > 2 watchdog windows of 2 × 150 ms
    expect(harness.hellos).toHaveLength(1);
    expect(fake.clientCloseCodes).toEqual([]);
  });

  it('grows the backoff exponentially up to its cap and resets it after a hello', async () => {
    const fake = await startGateway();
    const { port } = fake;
    await fake.close();
    gateway = null;
    const harness = createTestClient(`ws://127.0.0.1:${port}/`, { now: () => 0, backoff: { initialMs: 10, factor: 2, maxMs: 80, jitter: 0 } });
    harness.client.start();
    const unreachableDelays = () => harness.states.filter((state) => state.status === 'unreachable').map((state) => state.nextRetryAt);
    await expect.poll(() => unreachableDelays().length, { timeout: 5_000 }).toBeGreaterThanOrEqual(6);
    expect(unreachableDelays().slice(0, 6)).toEqual([10, 20, 40, 80, 80, 80]);

    gateway = await startFakeGateway({ port, tickIntervalMs: 10_000 });
    await expect.poll(harness.status, { timeout: 3_000 }).toBe('ready');
    const seen = harness.states.length;
    gateway.closeAll(1012, 'service restart');
    await expect.poll(() => harness.states.slice(seen).find((state) => state.status === 'backoff')?.nextRetryAt).toBe(10);
    await expect.poll(harness.status).toBe('ready');
  });

  it('rejects a call that gets no answer in time and stays connected', async () => {
    const fake = await startGateway();
    const harness = createTestClient(fake.url);
    harness.client.start();
    await expect.poll(harness.status).toBe('ready');
    fake.setResponseDelay(300, 'health');
    const error = await harness.client.call('health', {}, { timeoutMs: 50 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GatewayCallError);
    expect(error).toMatchObject({ code: 'TIMEOUT', method: 'health', message: 'health timed out after 50 ms' });
    // the late answer is dropped quietly
    await expect.poll(() => harness.log.entries.some((entry) => entry.msg.startsWith('response for an unknown or timed-out call'))).toBe(true);
    expect(harness.status()).toBe('ready');
    await expect(harness.client.call('status', {})).resolves.toMatchObject({ runtimeVersion: expect.any(String) });
  });

  it('rejects the pending call when the gateway restarts mid-call, then reconnects', async () => {
    const fake = await startGateway();
    const harness = createTestClient(fake.url);
    harness.client.start();
    await expect.poll(harness.status).toBe('ready');
    fake.setResponseDelay(5_000, 'status');
    const pending = harness.client.call('status', {});
    await expect.poll(() => fake.requests.some((request) => request.method === 'status')).toBe(true);
    await fake.restart();
    await expect(pending).rejects.toMatchObject({ code: 'DISCONNECTED', method: 'status', hint: expect.stringMatching(/not replayed/) });
    await expect.poll(() => harness.hellos.length).toBe(2);
    expect(harness.status()).toBe('ready');
    expect(harness.states.some((state) => state.lastError?.code === 'GATEWAY_RESTARTING')).toBe(true);
    expect(harness.eventsNamed('shutdown')).toHaveLength(1);
  });

  it('rejects the pending call when the socket dies without a close frame, then reconnects', async () => {
    const fake = await startGateway();
    const harness = createTestClient(fake.url);
    harness.client.start();
    await expect.poll(harness.status).toBe('ready');
    fake.dropOnCall('sessions.list');
    await expect(harness.client.call('sessions.list', {})).rejects.toMatchObject({ code: 'DISCONNECTED' });
    await expect.poll(() => harness.hellos.length).toBe(2);
  });

  it('rejects calls while not connected instead of queueing them', async () => {
    const fake = await startGateway();
    const harness = createTestClient(fake.url);
    await expect(harness.client.call('health', {})).rejects.toMatchObject({ code: 'NOT_CONNECTED', message: 'cannot call health: gateway is idle' });
  });

  it('reconnects after the gateway closes with 4001 or a slow-consumer 1008', async () => {
    const fake = await startGateway();
    const harness = createTestClient(fake.url);
    harness.client.start();
    await expect.poll(harness.status).toBe('ready');
    fake.closeAll(4001, 'gateway auth changed');
    await expect.poll(() => harness.hellos.length).toBe(2);
    fake.closeAll(1008, 'slow consumer');
    await expect.poll(() => harness.hellos.length).toBe(3);
    const codes = harness.states.map((state) => state.lastError?.code).filter((code) => code !== undefined);
    expect(codes).toEqual(expect.arrayContaining(['GATEWAY_AUTH_CHANGED', 'POLICY_CLOSE']));
  });
});
