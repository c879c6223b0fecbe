import { describe, expect, it } from 'vitest';
import { readFixtureFile } from '../testing/fake-gateway-fixtures.ts';
import type { FakeGateway } from '../testing/fake-gateway.ts';
import { createUsageWriter } from '../../usage/usage-writer.ts';
import { ADMIN, type GatewayHarness, startGatewayHarness } from './test-kit.ts';

const POLL = { timeout: 15_000 };
const SESSION_KEY = 'agent:main:main';
const UPDATED_AT = Date.parse('2026-11-26T08:00:00Z');

type Frame = { event: string; payload: { message?: unknown } };
const assistantMessage = (() => {
  const { frames } = readFixtureFile('chat-run-sequence') as { frames: Frame[] };
  const messages = frames.filter((frame) => frame.event === 'session.message').map((frame) => frame.payload.message as { role: string });
  const message = messages.find((candidate) => candidate.role === 'assistant');
  if (message === undefined) throw new Error('fixture without an assistant message');
  return message as { role: string; __openclaw: { id: string } };
})();
const MESSAGE_ID = assistantMessage.__openclaw.id;

/** A gateway with one finished session of agent "main" whose transcript holds one priced assistant turn. */
async function gatewayWithUsage(harness: GatewayHarness): Promise<FakeGateway> {
  const fake = await harness.startFake();
  const row = { key: SESSION_KEY, agentId: 'main', kind: 'direct', inputTokens: 1000, outputTokens: 12, totalTokens: 1200, contextTokens: 200000, estimatedCostUsd: 0.00324, hasActiveRun: false, status: 'done', updatedAt: UPDATED_AT, model: 'mock-1' };
  const list = { ts: UPDATED_AT, count: 1, hasMore: false, nextOffset: null, sessions: [row] };
  fake.setMethod('agents.list', { scope: 'operator.read', handle: () => ({ defaultId: 'main', agents: [{ id: 'main', identity: { name: 'Main' } }] }) });
  fake.setMethod('sessions.subscribe', {
    scope: 'operator.read',
    handle: ({ subscriptions }) => {
      subscriptions.sessions = true;
      return { subscribed: true, list };
    },
  });
  fake.setMethod('chat.history', {
    scope: 'operator.read',
    handle: () => ({ sessionKey: SESSION_KEY, messages: [{ role: 'user', content: 'Hello mission control', __openclaw: { id: 'user-1' } }, assistantMessage], hasMore: false, sessionInfo: { ...row } }),
  });
  return fake;
}

const historyCalls = (fake: FakeGateway) => fake.requests.filter((request) => request.method === 'chat.history').length;

describe('gateway usage import', () => {
  it('imports per-message usage with gateway attribution and counts it once across a reconnect and re-import', async () => {
    const harness = await startGatewayHarness();
    const fake = await gatewayWithUsage(harness);
    const gatewayId = await harness.addGateway('lab', fake.url);
    const prisma = harness.database.prisma;
    await expect.poll(() => prisma.usageRecord.count(), POLL).toBe(1);
    const agent = await prisma.agent.findUniqueOrThrow({ where: { name: 'lab/main' } });
    expect(await prisma.usageRecord.findFirstOrThrow()).toMatchObject({
      agentId: agent.id, gatewayId, sessionKey: SESSION_KEY, source: 'openclaw', model: 'mock-1', provider: 'mock', inputTokens: 1000, outputTokens: 12,
      cacheReadTokens: 200, reportedCostNanos: 3_240_000n, dedupeScope: `gateway:${gatewayId}`, idempotencyKey: MESSAGE_ID,
    });
    expect(harness.eventsOf('usage.recorded')).toHaveLength(1);

    // Forget that the session was imported, then reconnect: the resync reads the transcript again.
    await expect.poll(() => historyCalls(fake), POLL).toBe(1);
    await harness.database.rawTransaction((sqlite) => sqlite.prepare('UPDATE "GatewaySession" SET usageSyncedAt = NULL').run());
    await fake.restart();
    await expect.poll(() => historyCalls(fake), POLL).toBe(2);
    await expect.poll(async () => (await prisma.gatewaySession.findFirstOrThrow()).usageSyncedAt, POLL).not.toBeNull();
    expect(await prisma.usageRecord.count()).toBe(1);
    expect(harness.eventsOf('usage.recorded')).toHaveLength(1);
    const [rollup] = await prisma.usageRollupHourly.findMany();
    expect(rollup?.records).toBe(1);
  });

  it('counts a message reported both by an SDK agent and by the gateway once, as the gateway record (either order)', async () => {
    const harness = await startGatewayHarness();
    const prisma = harness.database.prisma;
    const { agent } = await harness.services.agents.register(ADMIN, { name: 'openclaw-wrapper' });
    const sdkWriter = createUsageWriter(harness.database.sqlite, () => harness.services.prices.currentTable());
    const reportAsSdk = (id: string) => harness.database.rawTransaction(() =>
      sdkWriter.write(
        [{ id, model: 'mock-1', inputTokens: 1000, outputTokens: 12, cacheReadTokens: 200, sessionId: SESSION_KEY, source: 'sdk' }],
        { agentId: agent.id, agentName: agent.name, dedupeScope: `agent:${agent.id}`, defaultSource: 'sdk', receivedAt: new Date() },
      ));
    // SDK first, gateway second: the import drops the SDK record.
    await reportAsSdk(MESSAGE_ID);
    expect(await prisma.usageRecord.count()).toBe(1);
    const fake = await gatewayWithUsage(harness);
    const gatewayId = await harness.addGateway('lab', fake.url);
    await expect.poll(() => prisma.usageRecord.count({ where: { gatewayId } }), POLL).toBe(1);
    await expect.poll(() => prisma.usageRecord.count(), POLL).toBe(1);
    // Gateway first, SDK second: the periodic reconciliation drops the late SDK record.
    await reportAsSdk(MESSAGE_ID);
    expect(await prisma.usageRecord.count()).toBe(2);
    expect(await harness.services.gatewayManager.reconcileSdkUsage()).toBe(1);
    const records = await prisma.usageRecord.findMany();
    expect(records.map((record) => record.dedupeScope)).toEqual([`gateway:${gatewayId}`]);
    const totals = await prisma.usageRollupHourly.aggregate({ _sum: { records: true, inputTokens: true } });
    expect(totals._sum).toEqual({ records: 1, inputTokens: 1000n });
    // SDK usage of other work is untouched
    await reportAsSdk('sdk-only-message');
    expect(await harness.services.gatewayManager.reconcileSdkUsage()).toBe(0);
    expect(await prisma.usageRecord.count()).toBe(2);
  });
});

describe('gateway usage totals (usage.cost)', () => {
  it('keeps only fresh usage.cost answers: refreshing zeros never replace the totals', async () => {
    const harness = await startGatewayHarness();
    const fake = await harness.startFake();
    fake.setUsageRefreshing(true);
    const gatewayId = await harness.addGateway('lab', fake.url);
    const costCalls = () => fake.requests.filter((request) => request.method === 'usage.cost').length;
    await expect.poll(costCalls, POLL).toBe(1);
    expect((await harness.view(gatewayId)).usageTotals).toBeNull();
    fake.setUsageRefreshing(false);
    await harness.services.gatewayManager.connection(gatewayId)?.refreshUsageTotals();
    expect((await harness.view(gatewayId)).usageTotals).toMatchObject({ costUsd: expect.closeTo(0.00324, 8), totalTokens: 1212, missingCostEntries: 0 });
    fake.setUsageRefreshing(true);
    await harness.services.gatewayManager.connection(gatewayId)?.refreshUsageTotals();
    expect((await harness.view(gatewayId)).usageTotals).toMatchObject({ costUsd: expect.closeTo(0.00324, 8), totalTokens: 1212 });
  });
});
