import { afterEach, describe, expect, it } from 'vitest';
import { type FakeGateway, startFakeGateway } from '../testing/fake-gateway.ts';
import { createTestClient } from '../testing/gateway-client-harness.ts';

let gateway: FakeGateway | null = null;
afterEach(async () => {
  await gateway?.close();
  gateway = null;
});

async function readyClient(options: Parameters<typeof startFakeGateway>[0] = {}, overrides: Parameters<typeof createTestClient>[1] = {}) {
  const fake = await startFakeGateway({ tickIntervalMs: 10_000, ...options });
  gateway = fake;
  const harness = createTestClient(fake.url, overrides);
  harness.client.start();
  await expect.poll(harness.status).toBe('ready');
  return { fake, harness };
}

describe('gateway client frame handling', () => {
  it('delivers events with their frame seq and stateVersion', async () => {
    const { fake, harness } = await readyClient();
    fake.emit('presence', { presence: [] }, { stateVersion: { presence: 2, health: 3 } });
    fake.emit('heartbeat', { ts: 1, status: 'ok-empty' });
    await expect.poll(() => harness.events.length).toBe(2);
    expect(harness.events).toEqual([
      { event: 'presence', payload: { presence: [] }, seq: 1, stateVersion: { presence: 2, health: 3 } },
      { event: 'heartbeat', payload: { ts: 1, status: 'ok-empty' }, seq: 2 },
    ]);
  });

  it('flags a seq gap on the event after it so the mirror can resync', async () => {
    const { fake, harness } = await readyClient();
    fake.emit('heartbeat', { n: 1 });
    fake.skipNextSeq(2);
    fake.emit('heartbeat', { n: 2 });
    fake.emit('heartbeat', { n: 3 });
    await expect.poll(() => harness.events.length).toBe(3);
    expect(harness.events.map((event) => [event.seq, event.gap])).toEqual([[1, undefined], [4, { expectedSeq: 2, receivedSeq: 4 }], [5, undefined]]);
  });

  it('restarts seq tracking after a reconnect without reporting a gap', async () => {
    const { fake, harness } = await readyClient();
    fake.emit('heartbeat', { n: 1 });
    fake.emit('heartbeat', { n: 2 });
    await expect.poll(() => harness.events.length).toBe(2);
    fake.closeAll(1012, 'service restart');
    await expect.poll(() => harness.hellos.length).toBe(2);
    fake.emit('heartbeat', { n: 3 });
    await expect.poll(() => harness.events.length).toBe(3);
    expect(harness.events[2]).toEqual({ event: 'heartbeat', payload: { n: 3 }, seq: 1 });
  });

  it('logs and ignores malformed and non-object frames, and keeps going', async () => {
    const { fake, harness } = await readyClient();
    for (const text of ['{"type":"event",', '[1,2,3]', '"just a string"', 'null', '42', '{"type":"surprise"}', '{"type":"event"}']) fake.sendRaw(text);
    fake.emit('heartbeat', { after: true });
    await expect.poll(() => harness.events.length).toBe(1);
    expect(harness.events[0]?.payload).toEqual({ after: true });
    expect(harness.log.entries.filter((entry) => entry.msg === 'gateway frame ignored')).toHaveLength(7);
    expect(harness.status()).toBe('ready');
  });

  it('accepts frames with unknown top-level keys and explicit nulls', async () => {
    const { fake, harness } = await readyClient();
    fake.sendRaw(JSON.stringify({ type: 'event', event: 'sessions.changed', payload: { reason: 'x', label: null }, seq: 1, recipientProfileId: 'p', futureKey: [1] }));
    fake.sendRaw(JSON.stringify({ type: 'event', event: 'tick', payload: { ts: 1 }, seq: null, stateVersion: null }));
    await expect.poll(() => harness.events.length).toBe(2);
    expect(harness.events).toEqual([
      { event: 'sessions.changed', payload: { reason: 'x', label: null }, seq: 1 },
      { event: 'tick', payload: { ts: 1 } },
    ]);
  });

  it('refuses a frame over policy.maxPayload without delivering it, then reconnects', async () => {
    const { fake, harness } = await readyClient({ maxPayload: 4_096 });
    fake.sendOversizedFrame(10_000);
    await expect.poll(() => harness.states.some((state) => state.lastError?.code === 'FRAME_TOO_LARGE')).toBe(true);
    await expect.poll(() => fake.clientCloseCodes).toContain(1009);
    await expect.poll(() => harness.hellos.length).toBe(2);
    expect(harness.eventsNamed('fake.oversized')).toEqual([]);
    expect(harness.states.find((state) => state.lastError?.code === 'FRAME_TOO_LARGE')?.status).toBe('backoff');
  });

  it('refuses a pre-hello frame over 64 KiB', async () => {
    const fake = await startFakeGateway({ tickIntervalMs: 10_000 });
    gateway = fake;
    fake.padNextChallenge(70 * 1024);
    const harness = createTestClient(fake.url);
    harness.client.start();
    const refused = () => harness.states.find((state) => state.lastError?.code === 'FRAME_TOO_LARGE');
    await expect.poll(() => refused()?.status).toBe('unreachable');
    expect(refused()?.lastError?.message).toMatch(/limit is 65536 bytes before hello/);
    await expect.poll(harness.status).toBe('ready'); // the next challenge is normal
    expect(fake.connects).toHaveLength(1);
  });

  it('survives callbacks that throw or reject', async () => {
    const { fake, harness } = await readyClient({}, {
      onEvent: () => {
        throw new Error('consumer bug');
      },
      onState: async () => {
        throw new Error('async consumer bug');
      },
    });
    fake.emit('heartbeat', { n: 1 });
    fake.emit('heartbeat', { n: 2 });
    await expect.poll(() => harness.log.entries.filter((entry) => entry.msg === 'gateway client callback threw; ignored').length).toBe(2);
    await expect.poll(() => harness.log.entries.some((entry) => entry.msg === 'gateway client callback rejected')).toBe(true);
    expect(harness.client.state().status).toBe('ready');
  });
});
