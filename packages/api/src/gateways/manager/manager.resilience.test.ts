import { describe, expect, it } from 'vitest';
import { startGatewayHarness } from './test-kit.ts';

const POLL = { timeout: 15_000 };

describe('a misbehaving gateway', () => {
  it('survives malformed frames and nonsense payloads, keeps the mirror and stays connected', async () => {
    const harness = await startGatewayHarness();
    const fake = await harness.startFake();
    const gatewayId = await harness.addGateway('lab', fake.url);
    await expect.poll(async () => (await harness.view(gatewayId)).counts.sessions, POLL).toBe(3);
    fake.sendRaw('{not json');
    fake.sendRaw('[1,2,3]');
    fake.sendRaw(JSON.stringify({ type: 'event', event: 'sessions.changed', payload: 'not an object' }));
    fake.emit('sessions.changed', { sessionKey: 42, session: null });
    fake.emit('sessions.changed', { sessionKey: 'agent:dev:weird', session: { key: 'agent:dev:weird', estimatedCostUsd: 1e300, inputTokens: -5, updatedAt: 'soon', hasActiveRun: true } });
    // a run started: the mirror subscribes to the session's messages (session.message is gated on it)
    await expect.poll(() => fake.requests.some((request) => request.method === 'sessions.messages.subscribe'), POLL).toBe(true);
    fake.emit('cron', { jobId: null, action: 'finished' });
    fake.emit('cron', { jobId: 'j', action: 'finished', runId: 'r', runAtMs: 'never' });
    fake.emit('session.message', { sessionKey: 'agent:dev:weird', message: { role: 'assistant', usage: { input: 1e30, output: 'x', cost: { total: -1 } }, __openclaw: { id: 'm-1' } } });
    fake.emit('agent', { stream: 'lifecycle', sessionKey: 'agent:dev:weird', data: null });
    await expect.poll(async () => (await harness.view(gatewayId)).counts.sessions, POLL).toBe(4);
    const weird = (await harness.services.gatewaySessions.list({ search: 'weird', limit: 5 })).items[0];
    expect(weird).toMatchObject({ costUsd: null, inputTokens: 0, busy: true });
    await expect.poll(() => harness.database.prisma.usageRecord.count({ where: { idempotencyKey: 'm-1' } }), POLL).toBe(1);
    expect((await harness.database.prisma.usageRecord.findFirstOrThrow({ where: { idempotencyKey: 'm-1' } })).inputTokens).toBe(1_000_000_000);
    expect(await harness.status(gatewayId)).toBe('ready');
    expect(fake.connects).toHaveLength(1);
  }, 60_000);

  it('reconnects after an oversized frame and resyncs after a seq gap', async () => {
    const harness = await startGatewayHarness();
    const fake = await harness.startFake({ maxPayload: 64 * 1024 });
    const gatewayId = await harness.addGateway('lab', fake.url);
    const subscribes = () => fake.requests.filter((request) => request.method === 'sessions.subscribe').length;
    await expect.poll(subscribes, POLL).toBe(1);
    fake.skipNextSeq(3);
    fake.emit('presence', { presence: [] });
    await expect.poll(subscribes, POLL).toBe(2);
    expect(fake.connects).toHaveLength(1);
    fake.sendOversizedFrame(128 * 1024);
    await expect.poll(() => fake.connects.length, POLL).toBe(2);
    await expect.poll(() => harness.status(gatewayId), POLL).toBe('ready');
    await expect.poll(subscribes, POLL).toBe(3);
    expect(harness.eventsOf('gateway.updated').some((event) => (event.payload as { gateway: { lastError: { code: string } | null } }).gateway.lastError?.code === 'FRAME_TOO_LARGE')).toBe(true);
  });

  it('fails an action cleanly when the gateway drops the connection mid-call, then reconnects', async () => {
    const harness = await startGatewayHarness();
    const fake = await harness.startFake();
    const gatewayId = await harness.addGateway('lab', fake.url);
    await expect.poll(() => harness.status(gatewayId), POLL).toBe('ready');
    fake.dropOnCall('sessions.preview');
    await expect(harness.services.gatewaySessions.preview({ gatewayId, sessionKey: 'agent:dev:main' })).rejects.toMatchObject({
      code: 'CONFLICT', message: expect.stringContaining('Gateway lab is not connected'),
    });
    await expect.poll(() => fake.connects.length, POLL).toBe(2);
    await expect.poll(() => harness.status(gatewayId), POLL).toBe('ready');
    await expect(harness.services.gatewaySessions.preview({ gatewayId, sessionKey: 'agent:dev:main' })).resolves.toMatchObject({ items: expect.any(Array) });
  });
});
