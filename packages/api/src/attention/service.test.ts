import { createTestDb, type TestDatabase } from '@mc/db/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../agents/rate-limits.ts';
import { ConnectInput, HeartbeatInput } from '../agents/schema.ts';
import type { UserActor } from '../auth/roles.ts';
import { createFakeClock } from '../clock.ts';
import { createEventBus } from '../events/bus.ts';
import { silentLogger } from '../logger.ts';
import { createServices, type Services } from '../services.ts';

const clock = createFakeClock('2026-11-26T10:00:00Z');
let db: TestDatabase;
let services: Services;
const alice: UserActor = { kind: 'user', userId: 'alice', username: 'alice', role: 'operator' };
const bob: UserActor = { kind: 'user', userId: 'bob', username: 'bob', role: 'viewer' };

beforeAll(async () => {
  db = await createTestDb();
  services = createServices({
    database: db, clock, bus: createEventBus(), log: silentLogger,
    options: { rateLimits: { ...DEFAULT_RATE_LIMITS, heartbeatPerAgentPerMin: 0, connectPerAgentPerMin: 0 } },
  });
});
afterAll(async () => {
  await db.close();
});

const kinds = async (actor: UserActor) => (await services.attention.list(actor)).items.map((item) => item.kind);
const itemOf = async (actor: UserActor, kind: string) => (await services.attention.list(actor)).items.find((item) => item.kind === kind);

describe('attention items', () => {
  it('lists an agent that needs input first, and drops it once the agent moves on', async () => {
    await services.agents.connect(alice, ConnectInput.parse({ agent_name: 'asker' }), {});
    await services.agents.heartbeat(alice, 'asker', HeartbeatInput.parse({ status: 'needs_input', activity: 'approve rm -rf build/?' }));
    const item = await itemOf(alice, 'agent.needs_input');
    expect(item).toMatchObject({ priority: 'critical', title: 'asker needs input', detail: 'approve rm -rf build/?', href: '/agents/asker' });
    await services.agents.heartbeat(alice, 'asker', HeartbeatInput.parse({ status: 'busy' }));
    expect(await kinds(alice)).not.toContain('agent.needs_input');
  });

  it('keeps acknowledgements per user, and a new occurrence alerts again', async () => {
    await services.agents.heartbeat(alice, 'asker', HeartbeatInput.parse({ status: 'needs_input' }));
    const first = await itemOf(alice, 'agent.needs_input');
    await services.attention.acknowledge(alice, first?.key ?? '');
    expect(await kinds(alice)).not.toContain('agent.needs_input');
    expect(await kinds(bob)).toContain('agent.needs_input');
    clock.advanceBy(1000);
    await services.agents.heartbeat(alice, 'asker', HeartbeatInput.parse({ status: 'busy' }));
    clock.advanceBy(1000);
    await services.agents.heartbeat(alice, 'asker', HeartbeatInput.parse({ status: 'needs_input' }));
    const again = await itemOf(alice, 'agent.needs_input');
    expect(again?.key).not.toBe(first?.key);
    await services.agents.heartbeat(alice, 'asker', HeartbeatInput.parse({ status: 'idle' }));
  });

  it('hides a snoozed item until the snooze ends', async () => {
    const task = await services.tasks.create(alice, { title: 'Check the migration', status: 'review' });
    const item = (await services.attention.list(alice)).items.find((i) => i.kind === 'task.review' && i.detail === 'Check the migration');
    expect(item?.href).toBe(`/tasks?task=${task.number}`);
    await services.attention.snooze(alice, item?.key ?? '', 30);
    expect((await services.attention.list(alice)).items.some((i) => i.key === item?.key)).toBe(false);
    clock.advanceBy(31 * 60_000);
    expect((await services.attention.list(alice)).items.some((i) => i.key === item?.key)).toBe(true);
  });

  it('flags an agent that went offline holding a task', async () => {
    const { agent } = await services.agents.register(alice, { name: 'holder' });
    await services.agents.connect(alice, ConnectInput.parse({ agent_name: 'holder' }), {});
    await services.tasks.create(alice, { title: 'Fix the flaky test', status: 'in_progress', assigneeAgentId: agent.id });
    expect(await kinds(alice)).not.toContain('agent.offline_with_task');
    clock.advanceBy(91_000);
    await services.agents.markOverdueOffline();
    expect(await itemOf(alice, 'agent.offline_with_task')).toMatchObject({ priority: 'high', title: 'holder went offline holding a task' });
  });

  it('flags failing cron jobs and auto-disabled webhooks with their gateway', async () => {
    const now = clock.now();
    const gateway = await db.prisma.gateway.create({ data: { name: 'edge', url: 'ws://127.0.0.1:1', status: 'ready', enabled: false } });
    await db.prisma.cronJob.create({
      data: { gatewayId: gateway.id, jobId: 'nightly', name: 'nightly triage', schedule: 'every 1 day', lastStatus: 'error', consecutiveErrors: 3, lastError: 'model timeout', lastRunAt: now, syncedAt: now },
    });
    await db.prisma.webhook.create({ data: { url: 'https://hooks.example.com/x', encryptedSecret: 'v1.x.y.z', enabled: false, disabledReason: '10 consecutive failures', consecutiveFailures: 10 } });
    const list = (await services.attention.list(alice)).items;
    expect(list.find((i) => i.kind === 'cron.failed')).toMatchObject({ priority: 'high', title: 'Cron job nightly triage failed 3 times in a row', gatewayName: 'edge', detail: 'model timeout' });
    expect(list.find((i) => i.kind === 'webhook.failing')).toMatchObject({ priority: 'high', detail: '10 consecutive failures' });
  });

  it('flags a cron run going on for over an hour, announced once as cron.stuck when it passes the hour', async () => {
    const published: string[] = [];
    const unsubscribe = services.bus.subscribe((event) => published.push(event.type));
    const gateway = await db.prisma.gateway.findFirstOrThrow({ where: { name: 'edge' } });
    await services.cron.announceStuck(); // the first check only starts the watch
    await db.prisma.cronJob.create({ data: { gatewayId: gateway.id, jobId: 'weekly', name: 'weekly report', schedule: 'every 7 days', runningAt: clock.now(), syncedAt: clock.now() } });
    clock.advanceBy(59 * 60_000);
    expect(await services.cron.announceStuck()).toBe(0);
    expect(await kinds(alice)).not.toContain('cron.stuck');
    clock.advanceBy(2 * 60_000);
    expect(await services.cron.announceStuck()).toBe(1);
    expect(await services.cron.announceStuck()).toBe(0);
    unsubscribe();
    expect(published).toEqual(['cron.stuck']);
    expect(await itemOf(alice, 'cron.stuck')).toMatchObject({ priority: 'high', title: 'Cron job weekly report has been running for over an hour', gatewayName: 'edge' });
    await db.prisma.cronJob.updateMany({ where: { jobId: 'weekly' }, data: { runningAt: null, lastStatus: 'ok' } });
    expect(await kinds(alice)).not.toContain('cron.stuck');
  });

  it('does not flag a webhook an admin disabled by hand', async () => {
    await db.prisma.webhook.create({ data: { url: 'https://quiet.example.com/x', encryptedSecret: 'v1.x.y.z', enabled: false, disabledReason: 'Disabled by alice', consecutiveFailures: 0 } });
    expect((await services.attention.list(alice)).items.filter((i) => i.kind === 'webhook.failing').map((i) => i.title)).toEqual([
      'Webhook to hooks.example.com was disabled after repeated failures',
    ]);
  });

  it('orders items critical, then high, then medium', async () => {
    const order = { critical: 0, high: 1, medium: 2 } as const;
    const priorities = (await services.attention.list(alice)).items.map((i) => order[i.priority]);
    expect(priorities).toEqual([...priorities].sort((a, b) => a - b));
  });

  it('summarises the fleet at a glance', async () => {
    const glance = await services.attention.glance();
    expect(glance.agentsByStatus).toEqual({ offline: 2 });
    expect(glance.gateways).toEqual([{ gatewayId: expect.any(String), gatewayName: 'edge', status: 'disabled', activeSessions: 0, sessions: 0 }]);
    expect(glance.spendToday).toEqual({ costUsd: 0, unpricedRecords: 0, budgetUsd: null });
  });
});
