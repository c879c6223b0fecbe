import { afterEach, describe, expect, it } from 'vitest';
import { type FakeGateway, startFakeGateway } from '../testing/fake-gateway.ts';
import { loadFakeGatewayFixtures } from '../testing/fake-gateway-fixtures.ts';
import { FakeMethodError } from '../testing/fake-method-error.ts';
import { createTestClient } from '../testing/gateway-client-harness.ts';
import { GatewayCallError } from './call-errors.ts';

let gateway: FakeGateway | null = null;
afterEach(async () => {
  await gateway?.close();
  gateway = null;
});

async function readyClient(overrides: Parameters<typeof createTestClient>[1] = {}) {
  const fake = await startFakeGateway({ tickIntervalMs: 10_000 });
  gateway = fake;
  const harness = createTestClient(fake.url, overrides);
  harness.client.start();
  await expect.poll(harness.status).toBe('ready');
  return { fake, harness };
}

async function callError(promise: Promise<unknown>): Promise<GatewayCallError> {
  const caught = await promise.then(() => null, (error: unknown) => error);
  if (!(caught instanceof GatewayCallError)) throw new Error(`expected a GatewayCallError, got ${String(caught)}`);
  return caught;
}

describe('gateway client calls', () => {
  it('resolves with the fixture payload and records the round-trip latency', async () => {
    const { harness } = await readyClient();
    const fixtures = loadFakeGatewayFixtures();
    await expect(harness.client.call('agents.list', {})).resolves.toEqual(fixtures.results['agents.list']);
    await expect(harness.client.call('system-presence')).resolves.toEqual(fixtures.results['system-presence']);
    expect(harness.client.state().latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('explains a missing scope: "the gateway connection lacks operator.admin"', async () => {
    const { harness } = await readyClient();
    const error = await callError(harness.client.call('cron.run', { id: 'x' }));
    expect(error).toMatchObject({ code: 'FORBIDDEN', detailsCode: 'MISSING_SCOPE', message: 'missing scope: operator.admin', hint: 'the gateway connection lacks operator.admin' });
  });

  it('explains a missing job as not found', async () => {
    const { harness } = await readyClient();
    const error = await callError(harness.client.call('cron.get', { id: 'does-not-exist' }));
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', detailsCode: 'CRON_JOB_NOT_FOUND', hint: expect.stringMatching(/^not found/) });
  });

  it('explains a not-paired method failure', async () => {
    const { fake, harness } = await readyClient();
    fake.setMethod('node.describe', {
      scope: 'operator.read',
      handle: () => {
        throw new FakeMethodError({ code: 'NOT_PAIRED', message: 'node not paired', details: { code: 'NODE_NOT_PAIRED' } });
      },
    });
    expect(await callError(harness.client.call('node.describe', { nodeId: 'n1' }))).toMatchObject({
      code: 'NOT_PAIRED', detailsCode: 'NODE_NOT_PAIRED', hint: expect.stringMatching(/not paired with the gateway/),
    });
  });

  it('explains unknown methods, bad params and reused idempotency keys', async () => {
    const { harness } = await readyClient();
    expect(await callError(harness.client.call('no.such.method', {}))).toMatchObject({ message: 'unknown method: no.such.method', hint: expect.stringMatching(/does not support no.such.method/) });
    expect(await callError(harness.client.call('sessions.list', { bogus: 1 }))).toMatchObject({
      message: "invalid sessions.list params: at root: unexpected property 'bogus'", hint: expect.stringMatching(/rejected the sessions.list parameters/),
    });
    await harness.client.call('chat.send', { sessionKey: 'agent:main:main', message: 'one', idempotencyKey: 'k-1' });
    expect(await callError(harness.client.call('chat.send', { sessionKey: 'agent:main:main', message: 'two', idempotencyKey: 'k-1' }))).toMatchObject({
      code: 'INVALID_REQUEST', hint: expect.stringMatching(/new key/),
    });
  });

  it('replays a chat run to every read client with ids rewritten and session events only when subscribed', async () => {
    const { fake, harness } = await readyClient();
    const bystander = createTestClient(fake.url);
    bystander.client.start();
    await expect.poll(bystander.status).toBe('ready');
    await harness.client.call('sessions.subscribe', {});
    await harness.client.call('sessions.messages.subscribe', { key: 'agent:ops:main' });
    await expect(harness.client.call('chat.send', { sessionKey: 'agent:ops:main', message: 'Hi', idempotencyKey: 'run-7' })).resolves.toEqual({ runId: 'run-7', status: 'started' });

    const isFinal = (event: { event: string; payload: unknown }) => event.event === 'chat' && JSON.stringify(event.payload).includes('"state":"final"');
    await expect.poll(() => harness.events.length).toBe(27); // 28 captured frames minus the gateway-wide tick
    await expect.poll(() => bystander.events.some(isFinal)).toBe(true);
    expect(harness.events.filter(isFinal)).toHaveLength(1);
    expect(harness.events.map((event) => event.seq)).toEqual(Array.from({ length: 27 }, (_, index) => index + 1));
    expect(harness.events.some((event) => event.gap !== undefined)).toBe(false);
    const text = JSON.stringify(harness.events);
    expect(text).not.toContain('it-run-1');
    expect(text).not.toContain('agent:main:main');
    expect(text).toContain('"agentId":"ops"');
    // the bystander did not subscribe: agent/chat yes, sessions.changed and session.message no
    const bystanderNames = new Set(bystander.events.map((event) => event.event));
    expect(bystanderNames).toEqual(new Set(['agent', 'chat', 'chat.metadata.changed']));
  });

  it('aborts an active run with the captured aborted flow', async () => {
    const fake = await startFakeGateway({ tickIntervalMs: 10_000, runFrameDelayMs: 20 });
    gateway = fake;
    const harness = createTestClient(fake.url);
    harness.client.start();
    await expect.poll(harness.status).toBe('ready');
    await harness.client.call('chat.send', { sessionKey: 'agent:main:s1', message: 'long', idempotencyKey: 'run-a' });
    await expect.poll(() => harness.events.length).toBeGreaterThan(2);
    await expect(harness.client.call('chat.abort', { sessionKey: 'agent:main:s1' })).resolves.toEqual({ ok: true, aborted: true, runIds: ['run-a'] });
    await expect.poll(() => harness.events.some((event) => JSON.stringify(event.payload).includes('"state":"aborted"'))).toBe(true);
    await expect(harness.client.call('chat.abort', { sessionKey: 'agent:main:s1' })).resolves.toEqual({ ok: true, aborted: false, runIds: [] });
  });

  it('emits cron events for an admin connection that adds, runs and removes a job', async () => {
    const { fake } = await readyClient();
    const admin = createTestClient(fake.url, { scopes: ['operator.read', 'operator.write', 'operator.admin'] });
    admin.client.start();
    await expect.poll(admin.status).toBe('ready');
    const job = await admin.client.call('cron.add', { name: 'mc-job', schedule: { kind: 'every', everyMs: 60_000 }, sessionTarget: 'isolated', wakeMode: 'now', payload: { kind: 'agentTurn', message: 'ok' } });
    const jobId = typeof job === 'object' && job !== null && 'id' in job ? String(job.id) : '';
    await admin.client.call('cron.run', { id: jobId, mode: 'force' });
    await expect.poll(() => admin.eventsNamed('cron').map((event) => JSON.stringify(event.payload).match(/"action":"(\w+)"/)?.[1])).toEqual(['added', 'started', 'finished']);
    expect(admin.eventsNamed('task')).toHaveLength(2);
    await expect.poll(() => admin.client.call('cron.runs', { id: jobId })).toMatchObject({ total: 1 });
    await admin.client.call('cron.remove', { id: jobId });
    await expect.poll(() => admin.eventsNamed('cron').length).toBe(4);
  });

  it('serves zeros with cacheStatus refreshing while usage is recomputing', async () => {
    const { fake, harness } = await readyClient();
    await expect(harness.client.call('usage.cost', { days: 7 })).resolves.toMatchObject({ cacheStatus: { status: 'fresh' } });
    fake.setUsageRefreshing(true);
    await expect(harness.client.call('usage.cost', {})).resolves.toMatchObject({ cacheStatus: { status: 'refreshing' } });
  });
});
