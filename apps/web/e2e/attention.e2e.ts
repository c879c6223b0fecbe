// The attention view (home page): each kind of item appears within seconds of its cause and
// disappears when resolved, without a reload; acknowledge and snooze are per user.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFakeClock, type UserActor } from '@mc/api';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGateway, startFakeGateway } from '../../../packages/api/src/gateways/testing/fake-gateway.ts';
import { TemplateCreateInput } from '../../../packages/api/src/pipelines/schema.ts';
import { startTestServer, TEST_ADMIN, type TestServer } from '../../server/src/testing/test-server.ts';
import { type BrowserSession, ensureWebBuild, launchBrowser, signIn } from './browser.ts';

const clock = createFakeClock(new Date());
const ITEM_TIMEOUT = 8_000;
/** Consecutive failures that disable a webhook on this server (50 in production; the failing item starts at 3). */
const DISABLE_AFTER = 5;

describe('attention view', () => {
  let server: TestServer;
  let browser: BrowserSession;
  let page: Page;
  let key: string;
  let admin: UserActor;
  let gateway: FakeGateway;
  let gatewayId: string;
  let receiver: Server;
  let receiverStatus = 500;

  async function post(path: string, body: unknown) {
    const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  }
  const item = (text: string | RegExp) => page.getByRole('list', { name: 'Items needing attention' }).getByRole('listitem').filter({ hasText: text });
  const appears = (text: string | RegExp) => item(text).waitFor({ timeout: ITEM_TIMEOUT });
  const disappears = (text: string | RegExp) => item(text).waitFor({ state: 'detached', timeout: ITEM_TIMEOUT });
  const until = async (what: string, check: () => boolean | Promise<boolean>) => {
    for (const deadline = Date.now() + ITEM_TIMEOUT; !(await check()); ) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  /** The gateway connection is up and its mirror has written everything received so far. */
  const gatewaySettled = async () => {
    await until('gateway remote to be ready', () => server.services.gatewayManager.connection(gatewayId)?.state().status === 'ready');
    await server.services.gatewayManager.connection(gatewayId)?.idle();
  };
  const mirroredJob = async (jobId: string) => (await server.services.cron.list({ gatewayId })).find((job) => job.jobId === jobId);
  /** A cron job as OpenClaw sends it in `cron` events (fixtures: events.json cronRun). */
  const cronJob = (id: string, name: string, state: Record<string, unknown>) => ({
    id, name, enabled: true, createdAtMs: clock.nowMs(), schedule: { kind: 'every', everyMs: 3_600_000 }, sessionTarget: 'isolated', wakeMode: 'now',
    payload: { kind: 'agentTurn', message: 'Say ok' }, state,
  });
  const cronStarted = (id: string, name: string, runAtMs: number) =>
    gateway.emit('cron', { jobId: id, action: 'started', job: cronJob(id, name, { runningAtMs: runAtMs }), runAtMs });
  const cronFinished = (id: string, name: string, run: { runAtMs: number; status: 'ok' | 'error'; consecutiveErrors: number; error?: string }) =>
    gateway.emit('cron', {
      jobId: id, action: 'finished', status: run.status, runAtMs: run.runAtMs, durationMs: 1500, runId: `manual:${id}:${run.runAtMs}`,
      ...(run.error ? { error: run.error } : { summary: 'All systems nominal.' }),
      job: cronJob(id, name, {
        lastRunAtMs: run.runAtMs, lastRunStatus: run.status, lastStatus: run.status, lastDurationMs: 1500, consecutiveErrors: run.consecutiveErrors,
        ...(run.error ? { lastError: run.error } : {}),
      }),
    });

  beforeAll(async () => {
    ensureWebBuild();
    gateway = await startFakeGateway({ token: 'gw-token', tickIntervalMs: 30_000, pairingRequired: true });
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.statusCode = receiverStatus;
        res.end(receiverStatus === 200 ? 'ok' : 'receiver is down');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    server = await startTestServer({ clock, webhooks: { disableAfterFailures: DISABLE_AFTER } });
    key = await server.createApiKey('operator');
    const row = await server.db.prisma.user.findFirstOrThrow({ where: { role: 'admin' } });
    admin = { kind: 'user', userId: row.id, username: row.username, role: 'admin' };
    browser = await launchBrowser();
    page = await browser.context.newPage();
    await signIn(page, server.url, TEST_ADMIN.username, TEST_ADMIN.password);
    await page.getByRole('heading', { name: 'Needs attention' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await gateway?.close();
    receiver?.closeAllConnections();
    receiver?.close();
  });

  it('shows an agent that needs input and clears it when the agent moves on', async () => {
    await post('/api/connect', { agent_name: 'asker' });
    await post('/api/agents/asker/heartbeat', { status: 'needs_input', activity: 'approve the migration?' });
    await appears('asker needs input');
    expect(await item('asker needs input').getByText('approve the migration?').count()).toBe(1);
    await post('/api/agents/asker/heartbeat', { status: 'busy' });
    await disappears('asker needs input');
  });

  it('shows a task waiting for review until someone decides', async () => {
    const task = await server.services.tasks.create(admin, { title: 'Review the release notes', status: 'review' });
    await appears(`Task #${task.number} is waiting for review`);
    await server.services.tasks.move(admin, { id: task.id, status: 'done' });
    await disappears(`Task #${task.number} is waiting for review`);
  });

  it('shows a task its agent gave up on, until someone takes it over', async () => {
    const { agent } = await server.services.agents.register(admin, { name: 'quitter' });
    const { secret } = await server.services.agents.createKey(admin, agent.id, 'quitter key', {});
    await post('/api/connect', { agent_name: 'quitter' });
    const asAgent = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.url}${path}`, {
        method, headers: { authorization: `Bearer ${secret}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}),
      });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { task: { id: string; number: number } | null };
    };
    const created = await server.services.tasks.create(admin, { title: 'Upgrade the lockfile', status: 'todo', assigneeAgentId: agent.id });
    const claimed = await asAgent('GET', '/api/tasks/queue?agent=quitter&max_capacity=1');
    expect(claimed.task?.id).toBe(created.id);
    // Giving the task back (→ todo) releases it with outcome "failed".
    await asAgent('PATCH', `/api/tasks/${created.number}`, { status: 'todo', comment: 'no access to the registry' });
    const text = `Task #${created.number} is blocked: its agent gave up`;
    await appears(text);
    expect(await item(text).getByText('Upgrade the lockfile').count()).toBe(1);
    await server.services.tasks.move(admin, { id: created.id, status: 'in_progress' });
    await disappears(text);
  });

  it('shows an agent that went offline holding a task, until it comes back', async () => {
    const { agent } = await server.services.agents.register(admin, { name: 'holder' });
    await post('/api/connect', { agent_name: 'holder' });
    await server.services.tasks.create(admin, { title: 'Fix the build', status: 'in_progress', assigneeAgentId: agent.id });
    clock.advanceBy(91_000);
    await appears('holder went offline holding a task');
    await post('/api/agents/holder/heartbeat', { status: 'busy' });
    await disappears('holder went offline holding a task');
    await post('/api/agents/asker/heartbeat', { status: 'idle' });
  });

  it('shows a budget past a threshold, and acknowledging it hides it for this user', async () => {
    await server.services.budgets.create(admin, { name: 'Daily cap', scope: 'global', scopeValue: '', period: 'day', limitUsd: 0.01, thresholds: [50, 80, 100], hard: false, enabled: true }, {});
    await post('/api/agents/asker/heartbeat', { status: 'busy', token_usage: { id: 'big-1', model: 'claude-sonnet-4-5', inputTokens: 10_000, outputTokens: 1_000 } });
    await appears(/Budget Daily cap is at \d+ %/);
    await item(/Budget Daily cap/).getByRole('button', { name: /^Acknowledge/ }).click();
    await disappears(/Budget Daily cap/);
    await page.getByText('1 acknowledged or snoozed item hidden.').waitFor();
  });

  it('shows a gateway waiting for pairing with the approve command, until it is approved', async () => {
    const created = await server.services.gateways.create(admin, { name: 'remote', url: gateway.url, authMode: 'token', secret: 'gw-token', requestAdminScope: false, enabled: true }, {});
    gatewayId = created.id;
    await appears('Gateway remote is waiting for pairing approval');
    expect(await item('Gateway remote').getByText(/openclaw devices approve/).count()).toBe(1);
    gateway.approvePairing();
    await server.services.gateways.retryNow(created.id);
    await disappears('Gateway remote is waiting for pairing approval');
  });

  it('snoozes an item: it disappears for this user', async () => {
    const task = await server.services.tasks.create(admin, { title: 'Second opinion', status: 'review' });
    const text = `Task #${task.number} is waiting for review`;
    await appears(text);
    await item(text).getByRole('button', { name: /^Snooze/ }).click();
    await disappears(text);
  });

  it('shows a failed cron job from the gateway mirror, until a later run succeeds', async () => {
    await gatewaySettled();
    const id = randomUUID();
    const firstRun = clock.nowMs();
    cronStarted(id, 'nightly digest', firstRun);
    cronFinished(id, 'nightly digest', { runAtMs: firstRun, status: 'error', consecutiveErrors: 1, error: 'model timeout' });
    await appears('Cron job nightly digest failed');
    expect(await item('Cron job nightly digest failed').getByText('model timeout').count()).toBe(1);
    expect(await item('Cron job nightly digest failed').getByText('gateway remote').count()).toBe(1);
    clock.advanceBy(1_000);
    const secondRun = clock.nowMs();
    cronStarted(id, 'nightly digest', secondRun);
    cronFinished(id, 'nightly digest', { runAtMs: secondRun, status: 'error', consecutiveErrors: 2, error: 'model timeout' });
    await appears('Cron job nightly digest failed 2 times in a row');
    clock.advanceBy(1_000);
    const thirdRun = clock.nowMs();
    cronStarted(id, 'nightly digest', thirdRun);
    cronFinished(id, 'nightly digest', { runAtMs: thirdRun, status: 'ok', consecutiveErrors: 0 });
    await disappears('Cron job nightly digest failed');
    // Resolved by the successful run, not by the job vanishing from the mirror.
    expect(await mirroredJob(id)).toMatchObject({ name: 'nightly digest', lastStatus: 'ok', consecutiveErrors: 0 });
  });

  it('shows a webhook that keeps failing, until a delivery gets through again', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const title = `Webhook to 127.0.0.1:${(receiver.address() as AddressInfo).port} is failing`;
    const { webhook } = await server.services.webhooks.create(admin, { url, description: 'pager', eventFilter: ['task.created'], allowPrivateNetwork: true }, {});
    receiverStatus = 500;
    for (const n of [1, 2, 3]) await server.services.tasks.create(admin, { title: `Hooked task ${n}` });
    await appears(title);
    expect(await item(title).getByRole('link', { name: 'Open deliveries' }).getAttribute('href')).toBe(`/settings/webhooks/${webhook.id}/deliveries`);
    receiverStatus = 200;
    const failed = (await server.services.webhooks.listDeliveries({ webhookId: webhook.id, limit: 10 })).items.find((d) => d.status === 'retrying');
    await server.services.webhooks.redeliver(admin, failed?.id ?? '', {});
    await disappears(title);
    expect((await server.db.prisma.webhook.findUniqueOrThrow({ where: { id: webhook.id } })).consecutiveFailures).toBe(0);
    await server.services.webhooks.remove(admin, webhook.id, {});
  });

  it('drops a failing webhook live when an admin disables it by hand, and when one is deleted', async () => {
    const port = (receiver.address() as AddressInfo).port;
    const title = `Webhook to 127.0.0.1:${port} is failing`;
    receiverStatus = 500;
    for (const path of ['muted', 'deleted']) {
      const { webhook } = await server.services.webhooks.create(admin, { url: `http://127.0.0.1:${port}/${path}`, description: path, eventFilter: ['task.created'], allowPrivateNetwork: true }, {});
      for (const n of [1, 2, 3]) await server.services.tasks.create(admin, { title: `${path} task ${n}` });
      await appears(title);
      if (path === 'muted') await server.services.webhooks.setEnabled(admin, webhook.id, false, {});
      else await server.services.webhooks.remove(admin, webhook.id, {});
      await disappears(title);
      if (path === 'muted') await server.services.webhooks.remove(admin, webhook.id, {});
    }
    receiverStatus = 200;
  });

  it('shows a webhook disabled after repeated failures, until an admin enables it again (in another tab)', async () => {
    const port = (receiver.address() as AddressInfo).port;
    const title = `Webhook to 127.0.0.1:${port} was disabled after repeated failures`;
    const { webhook } = await server.services.webhooks.create(admin, { url: `http://127.0.0.1:${port}/alerts`, description: 'alerts', eventFilter: ['task.created'], allowPrivateNetwork: true }, {});
    receiverStatus = 500;
    for (let n = 1; n <= DISABLE_AFTER; n++) await server.services.tasks.create(admin, { title: `Unheard task ${n}` });
    await appears(title);
    // The admin re-enables it on the webhooks page in a second tab; this tab drops the item live.
    receiverStatus = 200;
    const settings = await browser.context.newPage();
    try {
      await settings.goto(`${server.url}/settings/webhooks`);
      await settings.getByRole('button', { name: 'Enable alerts' }).click();
      await settings.getByRole('button', { name: 'Disable alerts' }).waitFor();
    } finally {
      await settings.close();
    }
    await disappears(title);
    expect(await server.db.prisma.webhook.findUniqueOrThrow({ where: { id: webhook.id } })).toMatchObject({ enabled: true, consecutiveFailures: 0 });
    await server.services.webhooks.remove(admin, webhook.id, {});
  });

  it('shows a pipeline step waiting for approval; Approve on the item approves it and the run advances', async () => {
    await server.services.pipelines.createTemplate(
      admin,
      TemplateCreateInput.parse({ name: 'release', steps: [{ key: 'ship', title: 'Ship it', requiresApproval: true }, { key: 'announce', title: 'Announce it', dependsOn: ['ship'] }] }),
    );
    const run = await server.services.pipelines.startRun(admin, { template: 'release', variables: {} });
    const task = run.steps[0]?.task;
    await server.services.tasks.move(admin, { id: task?.id ?? '', status: 'review' });
    const title = 'Pipeline release waits for approval of step ship';
    await appears(title);
    // Shown as an approval of its run, not also as a plain task in review.
    expect(await item(`Task #${task?.number} is waiting for review`).count()).toBe(0);
    await item(title).getByRole('link', { name: 'Open run' }).click();
    await page.waitForURL(`**/pipelines/runs/${run.id}`);
    await page.getByRole('listitem', { name: 'Step ship: Awaiting approval' }).waitFor();
    await page.goBack();
    await appears(title);
    await item(title).getByRole('button', { name: `Approve: ${title}` }).click();
    await disappears(title);
    const advanced = await server.services.pipelines.getRun(run.id);
    expect(advanced.status).toBe('running');
    expect(advanced.steps.map((s) => [s.key, s.status])).toEqual([['ship', 'succeeded'], ['announce', 'ready']]);
    expect((await server.services.tasks.byId(task?.id ?? '')).history.at(-1)).toMatchObject({ kind: 'moved', actorName: TEST_ADMIN.username });
    await server.services.pipelines.cancelRun(admin, run.id);
  });

  it('shows a cron job that has been running for over an hour, until the run finishes', async () => {
    // SDK agents go offline first (their own items), so the hour below raises nothing but the stuck job.
    clock.advanceBy(91_000);
    await appears('holder went offline holding a task');
    await gatewaySettled();
    const id = randomUUID();
    const startedAt = clock.nowMs();
    cronStarted(id, 'weekly report', startedAt);
    await until('the running job in the mirror', async () => (await mirroredJob(id))?.running === true);
    clock.advanceBy(59 * 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await item('Cron job weekly report').count()).toBe(0);
    clock.advanceBy(2 * 60_000);
    await appears('Cron job weekly report has been running for over an hour');
    cronFinished(id, 'weekly report', { runAtMs: startedAt, status: 'ok', consecutiveErrors: 0 });
    await disappears('Cron job weekly report has been running for over an hour');
    expect(await mirroredJob(id)).toMatchObject({ running: false, lastStatus: 'ok' });
  });

  it('shows a gateway that lost its connection, until it is back', async () => {
    await gatewaySettled();
    // The gateway restarts and answers "starting" to every reconnect for a while.
    await gateway.restart({ startingAttempts: 1_000 });
    await appears(/Gateway remote is disconnected \((backoff|unreachable)\)/);
    gateway.setStartingAttempts(0);
    await server.services.gateways.retryNow(gatewayId);
    await disappears(/Gateway remote is disconnected/);
    await until('gateway remote to be ready', () => server.services.gatewayManager.connection(gatewayId)?.state().status === 'ready');
    expect(await item(/Gateway remote/).count()).toBe(0);
  });
});
