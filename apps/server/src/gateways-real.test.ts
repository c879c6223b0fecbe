// Integration against REAL OpenClaw gateways (GATEWAY.md §14): two gateways started in parallel, added to
// a real Mission Control server, then agents/sessions/cron mirrored, a cron job created through the
// gateway and run, chat usage imported with attribution, and a killed gateway reconnected.
// Alpha is reached over loopback (a local backend: the gateway trusts it without pairing). Beta listens on
// this machine's network address too and is reached through it, so to beta Mission Control is a remote
// device: it must go through the real pairing flow, approved with the command Mission Control shows.
// Needs `bash scripts/install-openclaw.sh` (.ci/run does it); MC_SKIP_REAL_GATEWAY=1 skips the suite.
import type { UserActor } from '@mc/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openclawInstalled, type RealGateway, startRealGateway } from '../../../test/openclaw/real-gateway.ts';
import { startTestServer, type TestServer } from './testing/test-server.ts';

const skip = process.env.MC_SKIP_REAL_GATEWAY === '1';
const ADMIN: UserActor = { kind: 'user', userId: 'real-gw', username: 'real-gw-test', role: 'admin' };
const META = { ip: '127.0.0.1' };
const POLL = { timeout: 60_000, interval: 250 };

describe.runIf(!skip)('real OpenClaw gateways', () => {
  let alpha: RealGateway | null = null;
  let beta: RealGateway | null = null;
  let app: TestServer | null = null;
  const ids = { alpha: '', beta: '' };
  let restartingBeta: Promise<void> | null = null;

  beforeAll(async () => {
    if (!openclawInstalled()) {
      throw new Error('openclaw is not installed in .cache/openclaw-gw: run `bash scripts/install-openclaw.sh` first (or set MC_SKIP_REAL_GATEWAY=1 to skip this suite)');
    }
    const started = await Promise.allSettled([startRealGateway('alpha'), startRealGateway('beta', { bind: 'lan' })]);
    // Keep whichever started, so afterAll stops it even when the other one failed.
    const [first, second] = started.map((result) => (result.status === 'fulfilled' ? result.value : null));
    alpha = first ?? null;
    beta = second ?? null;
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    app = await startTestServer();
    for (const [key, gateway] of [['alpha', alpha], ['beta', beta]] as const) {
      if (gateway === null) throw new Error('gateway not started');
      const url = key === 'beta' ? gateway.remoteUrl : gateway.url;
      if (url === null) throw new Error('beta has no remote URL');
      const view = await app.services.gateways.create(ADMIN, { name: key, url, authMode: 'token', secret: gateway.token, requestAdminScope: true, enabled: true }, META);
      ids[key] = view.id;
    }
  }, 520_000);

  afterAll(async () => {
    await app?.close();
    await Promise.all([alpha?.stop(), beta?.stop()]);
  }, 60_000);

  const server = () => {
    if (app === null) throw new Error('server not started');
    return app;
  };
  const status = async (id: string) => (await server().services.gateways.view(id)).status;

  it('connects to the loopback gateway without a pairing step, with the requested scopes', async () => {
    await expect.poll(() => status(ids.alpha), POLL).toBe('ready');
    const view = await server().services.gateways.view(ids.alpha);
    expect(view).toMatchObject({ serverVersion: '2026.9.6', protocol: 4, lastError: null, pairing: null });
    expect(view.scopes).toEqual(expect.arrayContaining(['operator.read', 'operator.write', 'operator.admin']));
    expect(JSON.stringify(await server().services.gateways.list())).not.toContain(alpha?.token);
  }, 90_000);

  it('pairs with the remote gateway: shows the request and approve command, connects once approved, keeps the device token sealed', async () => {
    if (beta === null) throw new Error('beta not started');
    await expect.poll(() => status(ids.beta), POLL).toBe('pairing_required');
    const pending = await server().services.gateways.view(ids.beta);
    const requestId = pending.pairing?.requestId;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(pending.pairing?.approveCommand).toBe(`openclaw devices approve ${requestId}`);
    expect(pending.lastError?.hint).toContain(`openclaw devices approve ${requestId}`);
    // The operator runs exactly the command shown, on the gateway host.
    const [command, ...args] = (pending.pairing?.approveCommand ?? '').split(' ');
    expect(command).toBe('openclaw');
    expect(await beta.cli(args)).toContain(`Approved ${pending.pairing?.deviceId ?? '?'}`);
    await server().services.gateways.retryNow(ids.beta);
    await expect.poll(() => status(ids.beta), POLL).toBe('ready');
    const view = await server().services.gateways.view(ids.beta);
    expect(view).toMatchObject({ paired: true, pairing: null, lastError: null, serverVersion: '2026.9.6' });
    expect(view.scopes).toEqual(expect.arrayContaining(['operator.read', 'operator.write', 'operator.admin']));
    const row = await server().db.prisma.gateway.findUniqueOrThrow({ where: { id: ids.beta } });
    expect(row.deviceTokenSealed).not.toBeNull();
    expect(JSON.stringify(row)).not.toContain(beta.token);
  }, 120_000);

  it('mirrors each gateway\'s agents and cron jobs with the right gateway id', async () => {
    const prisma = server().db.prisma;
    await expect.poll(() => prisma.agent.count({ where: { source: 'gateway' } }), POLL).toBeGreaterThanOrEqual(2);
    const agents = await prisma.agent.findMany({ where: { source: 'gateway' } });
    expect(agents.find((agent) => agent.name === 'alpha/main')?.gatewayId).toBe(ids.alpha);
    expect(agents.find((agent) => agent.name === 'beta/main')?.gatewayId).toBe(ids.beta);
    // A fresh gateway already has system jobs (heartbeat, memory dreaming): GATEWAY.md §7.5.
    await expect.poll(async () => (await server().services.cron.list({ gatewayId: ids.alpha })).length, POLL).toBeGreaterThan(0);
    const jobs = await server().services.cron.list({});
    expect(new Set(jobs.map((job) => job.gatewayId))).toEqual(new Set([ids.alpha, ids.beta]));
  }, 90_000);

  // Beta restarts (10–17 s, then Mission Control's backoff) while the alpha tests below run.
  it('notices a killed gateway (by PID) and keeps the other one ready', async () => {
    if (beta === null) throw new Error('beta not started');
    await beta.kill();
    await expect.poll(() => status(ids.beta), POLL).not.toBe('ready');
    expect(await status(ids.alpha)).toBe('ready');
    await expect.poll(async () => (await server().db.prisma.agent.findUniqueOrThrow({ where: { name: 'beta/main' } })).status, POLL).toBe('offline');
    restartingBeta = beta.restart();
    restartingBeta.catch(() => undefined);
  }, 60_000);

  it('sends a chat message through Mission Control and imports its usage, attributed to that gateway only', async () => {
    const sent = await server().services.gatewaySessions.send(ADMIN, { gatewayId: ids.alpha, sessionKey: 'agent:main:main', message: 'Hello mission control' }, META);
    expect(sent.runId).toBeTruthy();
    const prisma = server().db.prisma;
    await expect.poll(() => prisma.usageRecord.count({ where: { gatewayId: ids.alpha } }), POLL).toBe(1);
    const record = await prisma.usageRecord.findFirstOrThrow({ where: { gatewayId: ids.alpha } });
    expect(record).toMatchObject({ source: 'openclaw', sessionKey: 'agent:main:main', inputTokens: 1000, outputTokens: 12, cacheReadTokens: 200, reportedCostNanos: 3_240_000n });
    expect(record.agentId).toBe((await prisma.agent.findUniqueOrThrow({ where: { name: 'alpha/main' } })).id);
    expect(await prisma.usageRecord.count({ where: { gatewayId: ids.beta } })).toBe(0);
    await expect.poll(async () => (await server().services.gatewaySessions.list({ gatewayId: ids.alpha, limit: 50 })).items.find((item) => item.sessionKey === 'agent:main:main'), POLL)
      .toMatchObject({ gatewayName: 'alpha', inputTokens: 1000, outputTokens: 12, busy: false });
    const preview = await server().services.gatewaySessions.preview({ gatewayId: ids.alpha, sessionKey: 'agent:main:main' });
    expect(preview.items.map((item) => item.role)).toEqual(expect.arrayContaining(['user', 'assistant']));
  }, 90_000);

  it('creates a cron job through the gateway, sees it mirrored, runs it and sees the run', async () => {
    const connection = server().services.gatewayManager.connection(ids.alpha);
    if (connection === undefined) throw new Error('no connection');
    const created = (await connection.call('cron.add', {
      name: 'mc-integration-job', schedule: { kind: 'every', everyMs: 3_600_000 }, sessionTarget: 'isolated', wakeMode: 'now',
      payload: { kind: 'agentTurn', message: 'Say ok' }, delivery: { mode: 'none' },
    })) as { id: string };
    await expect.poll(async () => (await server().services.cron.list({ gatewayId: ids.alpha })).find((job) => job.jobId === created.id), POLL)
      .toMatchObject({ name: 'mc-integration-job', schedule: 'every 1 h', enabled: true, gatewayName: 'alpha' });
    const run = await server().services.cron.runNow(ADMIN, { gatewayId: ids.alpha, jobId: created.id }, META);
    expect(run.enqueued).toBe(true);
    await expect.poll(async () => (await server().services.cron.runs({ gatewayId: ids.alpha, jobId: created.id, limit: 10 }))[0]?.status, { timeout: 90_000, interval: 500 })
      .toBe('ok');
    expect(await server().services.cron.list({ gatewayId: ids.beta })).not.toContainEqual(expect.objectContaining({ jobId: created.id }));
  }, 120_000);

  it('reconnects to a gateway that was killed and restarted', async () => {
    if (restartingBeta === null) throw new Error('beta was not restarted');
    await restartingBeta;
    await expect.poll(() => status(ids.beta), { timeout: 120_000, interval: 500 }).toBe('ready');
    await expect.poll(async () => (await server().db.prisma.agent.findUniqueOrThrow({ where: { name: 'beta/main' } })).status, POLL).toBe('idle');
  }, 400_000);
});
