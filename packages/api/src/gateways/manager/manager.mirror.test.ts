import { describe, expect, it } from 'vitest';
import { ADMIN, META, startGatewayHarness } from './test-kit.ts';

const POLL = { timeout: 15_000 };

describe('gateway mirrors', () => {
  it('mirrors two gateways at once, each row attributed to the gateway it came from', async () => {
    const harness = await startGatewayHarness();
    const [first, second] = await Promise.all([harness.startFake(), harness.startFake()]);
    const a = await harness.addGateway('alpha', first.url);
    const b = await harness.addGateway('beta', second.url);
    await expect.poll(async () => [(await harness.view(a)).counts.sessions, (await harness.view(b)).counts.sessions], POLL).toEqual([3, 3]);
    const prisma = harness.database.prisma;
    const agents = await prisma.agent.findMany({ where: { source: 'gateway' }, orderBy: { name: 'asc' } });
    expect(agents.map((agent) => [agent.name, agent.gatewayId])).toEqual([['alpha/dev', a], ['beta/dev', b]]);
    const sessions = await harness.services.gatewaySessions.list({ limit: 50 });
    expect(sessions.items).toHaveLength(6);
    for (const item of sessions.items) {
      const agent = agents.find((candidate) => candidate.id === item.agentId);
      expect(agent?.gatewayId).toBe(item.gatewayId);
      expect(item.gatewayName).toBe(item.gatewayId === a ? 'alpha' : 'beta');
    }
    expect((await harness.services.gatewaySessions.list({ gatewayId: b, limit: 50 })).items.every((item) => item.gatewayId === b)).toBe(true);
    const jobs = await harness.services.cron.list({ gatewayId: a });
    expect(jobs).toHaveLength(2);
    expect(jobs.every((job) => job.gatewayId === a)).toBe(true);
  });

  it('reconnects after a gateway restart and resyncs', async () => {
    const harness = await startGatewayHarness();
    const fake = await harness.startFake();
    const gatewayId = await harness.addGateway('lab', fake.url);
    await expect.poll(() => harness.status(gatewayId), POLL).toBe('ready');
    const subscribes = () => fake.requests.filter((request) => request.method === 'sessions.subscribe').length;
    await expect.poll(subscribes, POLL).toBe(1);
    await fake.restart({ startingAttempts: 1 });
    await expect.poll(subscribes, POLL).toBe(2);
    await expect.poll(() => harness.status(gatewayId), POLL).toBe('ready');
    const statuses = harness.eventsOf('gateway.updated').map((event) => (event.payload as { gateway: { status: string } }).gateway.status);
    expect(statuses.filter((status) => status === 'ready').length).toBeGreaterThanOrEqual(2);
    expect(statuses).toContain('backoff');
  });

  it('marks mirrored agents offline when their gateway goes down', async () => {
    const harness = await startGatewayHarness();
    const fake = await harness.startFake();
    const gatewayId = await harness.addGateway('lab', fake.url);
    const agentStatus = async () => (await harness.database.prisma.agent.findFirst({ where: { gatewayId } }))?.status;
    await expect.poll(agentStatus, POLL).toBe('idle');
    await fake.close();
    await expect.poll(agentStatus, POLL).toBe('offline');
    expect(harness.eventsOf('agent.updated').some((event) => (event.payload as { agent: { status: string } }).agent.status === 'offline')).toBe(true);
  });

  it('removes a gateway: connection closed, sessions and cron rows gone, agents offline, gateway.removed published', async () => {
    const harness = await startGatewayHarness();
    const fake = await harness.startFake();
    const gatewayId = await harness.addGateway('lab', fake.url);
    await expect.poll(async () => (await harness.view(gatewayId)).counts.sessions, POLL).toBe(3);
    await harness.services.gateways.remove(ADMIN, gatewayId, META);
    const prisma = harness.database.prisma;
    expect(await prisma.gatewaySession.count()).toBe(0);
    expect(await prisma.cronJob.count()).toBe(0);
    expect((await prisma.agent.findFirstOrThrow({ where: { gatewayId } })).status).toBe('offline');
    expect(harness.eventsOf('gateway.removed').map((event) => event.payload)).toEqual([{ gatewayId, name: 'lab' }]);
    await expect.poll(() => fake.connections, POLL).toBe(0);
    expect(await prisma.auditLog.findFirst({ where: { action: 'gateway.removed', targetId: gatewayId } })).not.toBeNull();
  });

  it('reconnects to the new URL when an admin edits it', async () => {
    const harness = await startGatewayHarness();
    const [before, after] = await Promise.all([harness.startFake(), harness.startFake()]);
    const gatewayId = await harness.addGateway('lab', before.url);
    await expect.poll(() => harness.status(gatewayId), POLL).toBe('ready');
    await harness.services.gateways.update(ADMIN, { id: gatewayId, url: after.url }, META);
    await expect.poll(() => after.readyConnections, POLL).toBe(1);
    await expect.poll(() => before.connections, POLL).toBe(0);
    await expect.poll(() => harness.status(gatewayId), POLL).toBe('ready');
    expect((await harness.view(gatewayId)).url).toBe(after.url);
  });

  it('keeps exactly one connection when edits arrive back to back', async () => {
    const harness = await startGatewayHarness();
    const fake = await harness.startFake();
    const gatewayId = await harness.addGateway('lab', fake.url);
    await expect.poll(() => harness.status(gatewayId), POLL).toBe('ready');
    await Promise.all([
      harness.services.gateways.update(ADMIN, { id: gatewayId, requestAdminScope: true }, META),
      harness.services.gatewayManager.reload(gatewayId),
      harness.services.gateways.retryNow(gatewayId),
      harness.services.gatewayManager.reload(gatewayId),
    ]);
    await expect.poll(() => harness.status(gatewayId), POLL).toBe('ready');
    await expect.poll(() => fake.connections, POLL).toBe(1);
    expect(fake.connects.at(-1)?.params.scopes).toEqual(['operator.read', 'operator.write', 'operator.admin']);
  });

  it('follows cron events: a run now (admin scope) lands in the run history, a failed run raises cron.failed', async () => {
    const harness = await startGatewayHarness();
    const fake = await harness.startFake();
    const gatewayId = await harness.addGateway('lab', fake.url, { requestAdminScope: true });
    await expect.poll(async () => (await harness.services.cron.list({ gatewayId })).length, POLL).toBe(2);
    const [job] = await harness.services.cron.list({ gatewayId });
    if (job === undefined) throw new Error('no job');
    const started = await harness.services.cron.runNow(ADMIN, { gatewayId, jobId: job.jobId }, META);
    expect(started.runId).toMatch(new RegExp(`^manual:${job.jobId}:`));
    await expect.poll(() => harness.eventsOf('cron.run').length, POLL).toBe(1);
    const runs = await harness.services.cron.runs({ gatewayId, jobId: job.jobId, limit: 10 });
    expect(runs[0]).toMatchObject({ runId: started.runId, status: 'ok', durationMs: 1596, inputTokens: 1000, outputTokens: 12 });
    expect(harness.eventsOf('cron.failed')).toHaveLength(0);

    fake.emit('cron', {
      jobId: job.jobId, action: 'finished', status: 'error', error: 'model provider unavailable', runId: 'run-failed-1', runAtMs: Date.now(), durationMs: 42,
      job: { ...(JSON.parse(JSON.stringify(job)) as object), id: job.jobId, name: job.name, state: { lastRunStatus: 'error', consecutiveErrors: 3, lastError: 'model provider unavailable' } },
    });
    await expect.poll(() => harness.eventsOf('cron.failed').map((event) => event.payload), POLL).toEqual([
      { gatewayId, gatewayName: 'lab', jobId: job.jobId, jobName: job.name, error: 'model provider unavailable', runId: 'run-failed-1' },
    ]);
    const failed = (await harness.services.cron.list({ gatewayId })).find((candidate) => candidate.jobId === job.jobId);
    expect(failed).toMatchObject({ lastStatus: 'error', consecutiveErrors: 3, lastError: 'model provider unavailable' });
    expect(await harness.database.prisma.auditLog.findFirst({ where: { action: 'cron.run' } })).not.toBeNull();
  });

  it('refuses run now with a clear message when the connection lacks operator.admin', async () => {
    const harness = await startGatewayHarness();
    const fake = await harness.startFake();
    const gatewayId = await harness.addGateway('lab', fake.url);
    await expect.poll(async () => (await harness.services.cron.list({ gatewayId })).length, POLL).toBe(2);
    const [job] = await harness.services.cron.list({ gatewayId });
    await expect(harness.services.cron.runNow(ADMIN, { gatewayId, jobId: job?.jobId ?? '' }, META)).rejects.toMatchObject({
      code: 'FORBIDDEN', message: 'The gateway connection lacks operator.admin; enable admin scope for this gateway and approve the scope upgrade',
    });
  });
});
