import { describe, expect, it } from 'vitest';
import { startGatewayHarness } from './test-kit.ts';

const POLL = { timeout: 15_000 };

describe('gateway manager lifecycle', () => {
  it('connects an added gateway and mirrors its agents, sessions and cron jobs tagged with the gateway id', async () => {
    const harness = await startGatewayHarness();
    const fake = await harness.startFake();
    const gatewayId = await harness.addGateway('lab', fake.url);
    await expect.poll(() => harness.status(gatewayId), POLL).toBe('ready');
    await expect.poll(async () => (await harness.view(gatewayId)).counts, POLL).toEqual({ agents: 1, sessions: 3, cronJobs: 2 });
    // the row's counts reach clients once the first sync is written
    await expect.poll(() => harness.eventsOf('gateway.updated').at(-1)?.payload, POLL).toMatchObject({ gateway: { counts: { agents: 1, sessions: 3, cronJobs: 2 } } });
    const prisma = harness.database.prisma;
    const agent = await prisma.agent.findFirstOrThrow({ where: { gatewayId } });
    expect(agent).toMatchObject({ name: 'lab/dev', source: 'gateway', toolName: 'openclaw' });
    const sessions = await prisma.gatewaySession.findMany({ where: { gatewayId } });
    expect(sessions.every((session) => session.agentId === agent.id)).toBe(true);
    const listed = await harness.services.gatewaySessions.list({ limit: 50 });
    expect(listed.items).toHaveLength(3);
    expect(listed.items[0]).toMatchObject({ source: 'gateway', gatewayId, gatewayName: 'lab', agentName: 'lab/dev' });
    const jobs = await harness.services.cron.list({});
    expect(jobs.map((job) => job.schedule)).toContain('every 30 min');
    expect(jobs.every((job) => job.gatewayId === gatewayId && job.gatewayName === 'lab')).toBe(true);
  });
});
