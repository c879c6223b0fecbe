// Fleet view on the realtime spine: agents driven over the HTTP protocol (PROTOCOL.md §3–4)
// show up, change and go offline without a reload; one agent's heartbeats touch that agent's
// row only; needs_input is counted in the navigation and notified; admin-only actions.
import { createFakeClock } from '@mc/api';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ADMIN, type TestServer } from '../../server/src/testing/test-server.ts';
import { type BrowserSession, ensureWebBuild, launchBrowser, setPageVisibility, signIn } from './browser.ts';

const VIEWER = { username: 'vera', password: 'viewer-password-123' } as const;

// The server's clock: liveness (offline after 90 s without a heartbeat) runs against it every second.
const clock = createFakeClock(new Date());

type Json = Record<string, unknown>;

declare global {
  interface Window {
    __notifications?: Array<{ title: string; body?: string }>;
    __sameDocument?: boolean;
  }
}

describe('fleet view', () => {
  let server: TestServer;
  let browser: BrowserSession;
  let operatorKey: string;

  async function call(path: string, body: unknown): Promise<Json> {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${operatorKey}` },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${text}`);
    return JSON.parse(text) as Json;
  }

  const connections = new Map<string, string>();
  async function connect(name: string, tool = 'claude-code'): Promise<void> {
    const answer = await call('/api/connect', { agent_name: name, tool_name: tool, tool_version: '2.1.3' });
    connections.set(name, String(answer.connection_id));
  }
  async function heartbeat(name: string, beat: Json = {}): Promise<void> {
    await call(`/api/agents/${name}/heartbeat`, { connection_id: connections.get(name), ...beat });
  }

  function agentRow(page: Page, name: string): Locator {
    return page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
  }

  beforeAll(async () => {
    ensureWebBuild();
    server = await startTestServer({ clock });
    operatorKey = await server.createApiKey('operator');
    await server.createUser({ username: VIEWER.username, password: VIEWER.password, role: 'viewer' });
    browser = await launchBrowser();
    // Records notifications instead of showing them; permission is granted when asked.
    await browser.context.addInitScript(() => {
      window.__notifications = [];
      class RecordingNotification {
        static permission: NotificationPermission = 'default';
        static requestPermission(): Promise<NotificationPermission> {
          RecordingNotification.permission = 'granted';
          return Promise.resolve('granted');
        }
        onclick: (() => void) | null = null;
        constructor(title: string, options?: NotificationOptions) {
          window.__notifications?.push({ title, body: options?.body });
        }
        close(): void {}
      }
      Object.defineProperty(window, 'Notification', { value: RecordingNotification, configurable: true, writable: true });
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows an agent connected over HTTP without a reload, then busy, then offline', async () => {
    const { page } = browser;
    await signIn(page, server.url, TEST_ADMIN.username, TEST_ADMIN.password, '/agents');
    await page.getByRole('heading', { name: 'No agents yet' }).waitFor();
    await page.getByRole('banner').getByRole('status').getByText('Live', { exact: true }).waitFor();
    await page.evaluate(() => {
      window.__sameDocument = true;
    });

    await connect('alpha');
    const row = agentRow(page, 'alpha');
    await row.getByText('Online', { exact: true }).waitFor();
    await row.getByText('claude-code').waitFor();

    await heartbeat('alpha', { status: 'busy', activity: 'running the test suite' });
    await row.getByText('Busy', { exact: true }).waitFor();
    await row.getByText('running the test suite').waitFor();

    // Three missed heartbeats later the server's liveness tick marks it offline and pushes it.
    clock.advanceBy(91_000);
    await row.getByText('Offline', { exact: true }).waitFor();

    expect(await page.evaluate(() => window.__sameDocument)).toBe(true);
    expect(browser.cspViolations).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });

  it("updates only the beating agent's row: every other node survives, untouched", async () => {
    const { page } = browser;
    for (const name of ['bravo', 'charlie', 'delta']) await connect(name);
    for (const name of ['bravo', 'charlie', 'delta']) await agentRow(page, name).waitFor();
    await heartbeat('charlie', { status: 'busy', activity: 'step 0' });
    await agentRow(page, 'charlie').getByText('step 0').waitFor();

    // Tag every element of the table, then record DOM mutations outside charlie's row. The
    // ticking "last seen" times are the only thing allowed to change on their own.
    const table = page.getByRole('table', { name: /^Agents/ });
    await table.evaluate((element) => {
      const marked = element.querySelectorAll<HTMLElement & { __mark?: number }>('tr, tr *');
      for (const node of marked) node.__mark = 1;
      const foreign: string[] = [];
      (window as unknown as { __foreignMutations: string[] }).__foreignMutations = foreign;
      const observer = new MutationObserver((records) => {
        for (const record of records) {
          const target = record.target instanceof Element ? record.target : record.target.parentElement;
          if (!target || target.closest('time.last-seen')) continue;
          const row = target.closest('tr');
          const name = row?.querySelector('a')?.textContent;
          if (name !== 'charlie') foreign.push(`${record.type} in ${name ?? target.tagName}`);
        }
      });
      observer.observe(element.closest('main') ?? element, { subtree: true, childList: true, characterData: true, attributes: true });
      (window as unknown as { __stopObserving: () => void }).__stopObserving = () => observer.disconnect();
    });
    const rowsBefore = await table.evaluate((element) => element.querySelectorAll('tbody tr').length);

    for (let step = 1; step <= 4; step += 1) {
      await heartbeat('charlie', { status: 'busy', activity: `step ${step}`, task_id: String(40 + step) });
      await agentRow(page, 'charlie').getByText(`step ${step}`, { exact: true }).waitFor();
    }
    await agentRow(page, 'charlie').getByText('Task 44').waitFor();

    const result = await table.evaluate((element) => {
      (window as unknown as { __stopObserving: () => void }).__stopObserving();
      const rows = [...element.querySelectorAll<HTMLElement & { __mark?: number }>('tbody tr')];
      const others = rows.filter((row) => row.querySelector('a')?.textContent !== 'charlie');
      const charlie = rows.find((row) => row.querySelector('a')?.textContent === 'charlie');
      const everyNodeKept = others.every((row) =>
        [row, ...row.querySelectorAll<HTMLElement & { __mark?: number }>('*')].every((node) => node.__mark === 1 && node.isConnected),
      );
      return {
        rows: rows.length,
        others: others.length,
        everyNodeKept,
        charlieRowKept: charlie?.__mark === 1,
        foreignMutations: (window as unknown as { __foreignMutations: string[] }).__foreignMutations,
      };
    });
    expect(result.rows).toBe(rowsBefore);
    expect(result.others).toBeGreaterThanOrEqual(3);
    expect(result.everyNodeKept).toBe(true);
    // Even the updated row is patched in place, not recreated.
    expect(result.charlieRowKept).toBe(true);
    expect(result.foreignMutations).toEqual([]);
  });

  it('adds today’s tokens and cost from heartbeats live, flagging unpriced usage instead of $0', async () => {
    const { page } = browser;
    const row = agentRow(page, 'delta');
    await heartbeat('delta', {
      status: 'busy',
      token_usage: [{ id: 'delta-1', model: 'mystery-model-x', inputTokens: 1_000, outputTokens: 500 }],
    });
    await row.getByText('1,500').waitFor();
    await row.getByText('unpriced', { exact: true }).waitFor();
    expect(await row.getByText('$0.00').count()).toBe(0);

    // claude-haiku-4-5: $1 per million input tokens, $5 per million output tokens.
    await heartbeat('delta', {
      token_usage: [{ id: 'delta-2', model: 'claude-haiku-4-5', inputTokens: 100_000, outputTokens: 20_000 }],
    });
    await row.getByText('$0.20').waitFor();
    await row.getByText('+ unpriced').waitFor();
    await row.getByText('121.5K').waitFor();
  });

  it('makes needs_input impossible to miss: badge and count in the navigation, row first', async () => {
    const { page } = browser;
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Agents', exact: true }).waitFor();

    await heartbeat('delta', { status: 'needs_input', activity: 'Approve the schema migration?' });
    await nav.getByRole('link', { name: 'Agents, 1 needs input' }).waitFor();
    const row = agentRow(page, 'delta');
    await row.getByText('Needs input', { exact: true }).waitFor();
    // Sorted first although it is last by name.
    const firstBodyRow = page.getByRole('table', { name: /^Agents/ }).locator('tbody tr').first();
    await firstBodyRow.getByRole('link', { name: 'delta', exact: true }).waitFor();

    // The count is the same on any page.
    await nav.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await heartbeat('bravo', { status: 'needs_input' });
    await nav.getByRole('link', { name: 'Agents, 2 need input' }).waitFor();

    await heartbeat('bravo', { status: 'busy' });
    await heartbeat('delta', { status: 'busy' });
    await nav.getByRole('link', { name: 'Agents', exact: true }).waitFor();
    await nav.getByRole('link', { name: 'Agents', exact: true }).click();
    await agentRow(page, 'delta').getByText('Busy', { exact: true }).waitFor();
  });

  it('searches and filters by status, tool and gateway through the URL', async () => {
    const { page } = browser;
    await connect('echo', 'codex');
    await agentRow(page, 'echo').waitFor();
    const bodyRows = page.getByRole('table', { name: /^Agents/ }).locator('tbody tr');
    const shownNames = () => bodyRows.getByRole('link').allTextContents();

    await page.getByLabel('Search').fill('step 4');
    await expect.poll(shownNames).toEqual(['charlie']);
    expect(new URL(page.url()).searchParams.get('q')).toBe('step 4');
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await expect.poll(shownNames).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);

    await page.getByLabel('Tool').selectOption('codex');
    await expect.poll(shownNames).toEqual(['echo']);
    await page.getByLabel('Tool').selectOption('');
    await page.getByLabel('Gateway').selectOption('none');
    await page.getByLabel('Status').selectOption('offline');
    await expect.poll(shownNames).toEqual(['alpha']);
    const url = new URL(page.url());
    expect([url.pathname, url.searchParams.get('status'), url.searchParams.get('gateway')]).toEqual(['/agents', 'offline', 'none']);

    // A filtered view survives a reload (and can be shared as a link).
    await page.reload();
    await expect.poll(shownNames).toEqual(['alpha']);
    expect(await page.getByLabel('Status').inputValue()).toBe('offline');
    await page.getByLabel('Status').selectOption('needs_input');
    await page.getByText('No agents match these filters.').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await expect.poll(shownNames).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    expect(new URL(page.url()).search).toBe('');
  });

  it('notifies once per needs_input transition while the tab is hidden, when allowed', async () => {
    const { page } = browser;
    await page.evaluate(() => localStorage.setItem('mc.pauseGraceMs', '600000'));
    const toggle = page.getByRole('checkbox', { name: 'Notify me when an agent needs input' });
    await toggle.check();
    await expect.poll(() => toggle.isChecked()).toBe(true);
    const notifications = () => page.evaluate(() => window.__notifications ?? []);

    // Visible tab: the badge is enough, no notification.
    await heartbeat('bravo', { status: 'needs_input', activity: 'seen in the tab' });
    await agentRow(page, 'bravo').getByText('seen in the tab').waitFor();
    await heartbeat('bravo', { status: 'busy' });
    await agentRow(page, 'bravo').getByText('Busy', { exact: true }).waitFor();

    await setPageVisibility(page, 'hidden');
    await heartbeat('bravo', { status: 'needs_input', activity: 'Which branch should I use?' });
    await expect.poll(notifications).toEqual([{ title: 'bravo needs input', body: 'Which branch should I use?' }]);

    // Still waiting is not a new transition.
    await heartbeat('bravo', { status: 'needs_input', activity: 'still waiting' });
    await agentRow(page, 'bravo').getByText('still waiting').waitFor();
    expect(await notifications()).toHaveLength(1);

    await heartbeat('bravo', { status: 'busy' });
    await heartbeat('bravo', { status: 'needs_input', activity: 'One more question' });
    await expect.poll(() => notifications().then((list) => list.length)).toBe(2);

    await setPageVisibility(page, 'visible');
    await heartbeat('bravo', { status: 'busy' });
    await toggle.uncheck();
    await page.evaluate(() => localStorage.removeItem('mc.pauseGraceMs'));
    await agentRow(page, 'bravo').getByText('Busy', { exact: true }).waitFor();
  });

  it('lets an admin create and revoke an agent key and remove the agent', async () => {
    const { page } = browser;
    await agentRow(page, 'bravo').getByRole('link', { name: 'bravo', exact: true }).click();
    await page.getByRole('heading', { name: 'bravo', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Connections' }).waitFor();
    await page.getByRole('heading', { name: 'Status timeline' }).waitFor();

    await page.getByRole('button', { name: 'Create agent key' }).click();
    await page.getByLabel('Key name').fill('bravo-ci');
    await page.getByRole('button', { name: 'Create key' }).click();
    const created = page.getByRole('dialog', { name: 'Agent key created' });
    const secret = await created.getByLabel('Secret for bravo-ci').inputValue();
    expect(secret).toMatch(/^mca_/);
    await created.getByRole('button', { name: 'Done' }).click();

    // The new key works for this agent, over the protocol.
    const beat = await fetch(`${server.url}/api/agents/bravo/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      body: JSON.stringify({ status: 'idle' }),
    });
    expect(beat.status).toBe(200);

    await page.getByRole('button', { name: 'Revoke bravo-ci' }).click();
    await page.getByRole('alertdialog', { name: 'Revoke bravo-ci?' }).getByRole('button', { name: 'Revoke key' }).click();
    await page.getByText('Revoked bravo-ci.').waitFor();
    expect(await page.getByRole('button', { name: 'Revoke bravo-ci' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Remove agent' }).click();
    await page.getByRole('alertdialog', { name: 'Remove bravo?' }).getByRole('button', { name: 'Remove agent' }).click();
    await page.getByText('Removed bravo.').waitFor();
    await agentRow(page, 'alpha').waitFor();
    expect(await agentRow(page, 'bravo').count()).toBe(0);
    expect(browser.cspViolations).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });

  it('gives a viewer the fleet and the detail page without admin controls', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await signIn(page, server.url, VIEWER.username, VIEWER.password, '/agents');
    await agentRow(page, 'charlie').getByRole('link', { name: 'charlie', exact: true }).click();
    await page.getByRole('heading', { name: 'charlie', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Status timeline' }).waitFor();
    expect(await page.getByRole('button', { name: 'Create agent key' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Remove agent' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Revoke/ }).count()).toBe(0);
    expect(browser.cspViolations).toEqual([]);
  });
});
