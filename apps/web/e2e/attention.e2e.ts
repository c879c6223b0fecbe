// The attention view (home page): each kind of item appears within seconds of its cause and
// disappears when resolved, without a reload; acknowledge and snooze are per user.
import { createFakeClock, type UserActor } from '@mc/api';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGateway, startFakeGateway } from '../../../packages/api/src/gateways/testing/fake-gateway.ts';
import { startTestServer, TEST_ADMIN, type TestServer } from '../../server/src/testing/test-server.ts';
import { type BrowserSession, ensureWebBuild, launchBrowser, signIn } from './browser.ts';

const clock = createFakeClock(new Date());
const ITEM_TIMEOUT = 8_000;

describe('attention view', () => {
  let server: TestServer;
  let browser: BrowserSession;
  let page: Page;
  let key: string;
  let admin: UserActor;
  let gateway: FakeGateway;

  async function post(path: string, body: unknown) {
    const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  }
  const item = (text: string | RegExp) => page.getByRole('list', { name: 'Items needing attention' }).getByRole('listitem').filter({ hasText: text });
  const appears = (text: string | RegExp) => item(text).waitFor({ timeout: ITEM_TIMEOUT });
  const disappears = (text: string | RegExp) => item(text).waitFor({ state: 'detached', timeout: ITEM_TIMEOUT });

  beforeAll(async () => {
    ensureWebBuild();
    gateway = await startFakeGateway({ token: 'gw-token', tickIntervalMs: 30_000, pairingRequired: true });
    server = await startTestServer({ clock });
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
});
