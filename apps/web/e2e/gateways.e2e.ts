// OpenClaw gateways end to end, against the fake gateway (packages/api/src/gateways/testing):
// an admin adds a gateway in Settings → Gateways and sees it connect; its sessions show up on
// /sessions and change live; a gateway that wants pairing shows the approve command and turns
// Connected once approved, without a reload; cron jobs show per gateway and "Run now" works;
// a viewer sees none of the admin controls.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGateway, startFakeGateway } from '../../../packages/api/src/gateways/testing/fake-gateway.ts';
import { FakeMethodError } from '../../../packages/api/src/gateways/testing/fake-method-error.ts';
import { startTestServer, TEST_ADMIN, type TestServer } from '../../server/src/testing/test-server.ts';
import { type BrowserSession, ensureWebBuild, launchBrowser, signIn } from './browser.ts';

const VIEWER = { username: 'vicky', password: 'viewer-password-456' } as const;
const OPERATOR = { username: 'oscar', password: 'operator-password-789' } as const;
const GATEWAY_TOKEN = 'fake-gateway-token';
/** The captured main session's label (sessions.json in the OpenClaw fixtures). */
const SESSION_TITLE = 'MC probe';
const SESSION_KEY = 'agent:dev:main';

declare global {
  interface Window {
    __sameDocument?: boolean;
  }
}

function gatewayCard(page: Page, name: string): Locator {
  return page.getByRole('article', { name, exact: true });
}

function gatewayStatus(scope: Page | Locator, name: string): Locator {
  return scope.getByRole('status', { name: `${name} status`, exact: true });
}

/**
 * Both fakes serve the same captured sessions, so a row is picked by session key and gateway
 * (a title can change: the fake's replayed chat run renames the session).
 */
function sessionRow(page: Page, sessionKey: string, gateway: string): Locator {
  return page
    .getByRole('row')
    .filter({ has: page.getByText(sessionKey, { exact: true }) })
    .filter({ has: page.getByRole('cell', { name: gateway, exact: true }) });
}

async function addGateway(page: Page, gateway: { name: string; url: string; admin: boolean; test?: boolean }): Promise<void> {
  await page.getByRole('button', { name: 'Add gateway', exact: true }).click();
  const form = page.getByRole('region', { name: 'Add gateway' });
  await form.getByLabel('Name').fill(gateway.name);
  await form.getByLabel('URL').fill(gateway.url);
  await form.getByLabel('Auth').selectOption({ label: 'Token' });
  await form.getByLabel('Secret').fill(GATEWAY_TOKEN);
  if (gateway.admin) await form.getByLabel(/^Request admin scope/).check();
  if (gateway.test) {
    await form.getByRole('button', { name: 'Test connection' }).click();
    await form.getByText('Connection works').waitFor();
  }
  await form.getByRole('button', { name: 'Save gateway' }).click();
  await page.getByRole('status').getByText(`Added ${gateway.name}.`).waitFor();
}

describe('gateways, sessions and cron', () => {
  let server: TestServer;
  let browser: BrowserSession;
  let lab: FakeGateway;
  let remote: FakeGateway;

  beforeAll(async () => {
    ensureWebBuild();
    // Long ticks: a loaded machine must never trip the tick watchdog by accident.
    [lab, remote] = await Promise.all([
      startFakeGateway({ token: GATEWAY_TOKEN, tickIntervalMs: 30_000 }),
      startFakeGateway({ token: GATEWAY_TOKEN, tickIntervalMs: 30_000, pairingRequired: true }),
    ]);
    server = await startTestServer();
    await server.createUser({ username: VIEWER.username, password: VIEWER.password, role: 'viewer' });
    await server.createUser({ username: OPERATOR.username, password: OPERATOR.password, role: 'operator' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await Promise.all([lab?.close(), remote?.close()]);
  });

  it('shows the empty state on /sessions before any gateway exists, with a link for admins', async () => {
    const { page } = browser;
    await signIn(page, server.url, TEST_ADMIN.username, TEST_ADMIN.password, '/sessions');
    await page.getByRole('heading', { name: 'Sessions', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'No gateways configured' }).waitFor();
    await page.getByRole('link', { name: 'Add a gateway in Settings → Gateways' }).click();
    await page.getByRole('heading', { name: 'Gateways', level: 1 }).waitFor();
    await page.getByText('No gateways yet.').waitFor();
  });

  it('lets an admin test and add a gateway, which turns Connected live', async () => {
    const { page } = browser;
    await page.evaluate(() => {
      window.__sameDocument = true;
    });
    await addGateway(page, { name: 'lab', url: lab.url, admin: true, test: true });
    const card = gatewayCard(page, 'lab');
    await gatewayStatus(card, 'lab').getByText('Connected', { exact: true }).waitFor();
    await card.getByText('operator.admin', { exact: true }).waitFor();
    // Secrets are write-only: the edit form never has the stored one.
    await card.getByRole('button', { name: 'Edit lab' }).click();
    const edit = page.getByRole('region', { name: 'Edit lab' });
    expect(await edit.getByLabel('Secret').inputValue()).toBe('');
    await edit.getByText('Leave empty to keep the current secret.').waitFor();
    await edit.getByRole('button', { name: 'Cancel' }).click();
    await gatewayStatus(page, 'lab').getByText('Connected', { exact: true }).waitFor();
    expect(await page.evaluate(() => window.__sameDocument)).toBe(true);
  });

  it("lists the gateway's sessions on /sessions and updates the row live", async () => {
    const { page } = browser;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sessions', exact: true }).click();
    const row = sessionRow(page, SESSION_KEY, 'lab');
    await row.waitFor();
    await row.getByText('1,200 / 200K context').waitFor();
    // A tiny priced cost is shown as such, never as $0.00.
    await row.getByText('<$0.01').waitFor();
    await gatewayStatus(page.getByRole('region', { name: 'Gateway status' }), 'lab').getByText('Connected').waitFor();

    // Tag every node of the table, then record DOM mutations outside this session's row; the
    // ticking "updated" times are the only thing allowed to change on their own.
    const table = page.getByRole('table', { name: /^Sessions/ });
    const rowsBefore = await table.evaluate((element) => {
      for (const node of element.querySelectorAll<HTMLElement & { __mark?: number }>('tr, tr *')) node.__mark = 1;
      const foreign: string[] = [];
      (window as unknown as { __foreignMutations: string[] }).__foreignMutations = foreign;
      const observer = new MutationObserver((records) => {
        for (const record of records) {
          const target = record.target instanceof Element ? record.target : record.target.parentElement;
          if (!target || target.closest('time.session-updated')) continue;
          const title = target.closest('tr')?.querySelector('th button')?.textContent;
          if (title !== 'MC probe') foreign.push(`${record.type} in ${title ?? target.tagName}`);
        }
      });
      observer.observe(element, { subtree: true, childList: true, characterData: true, attributes: true });
      (window as unknown as { __stopObserving: () => void }).__stopObserving = () => observer.disconnect();
      return element.querySelectorAll('tbody tr').length;
    });
    expect(rowsBefore).toBeGreaterThanOrEqual(3);

    // The gateway reports the session busy with a fuller context: the row follows, no reload.
    lab.emit('sessions.changed', { sessionKey: 'agent:dev:main', hasActiveRun: true, totalTokens: 150_000 });
    await row.getByText('Busy', { exact: true }).waitFor();
    await row.getByText('150K / 200K context').waitFor();
    expect(await page.evaluate(() => window.__sameDocument)).toBe(true);
    const isolation = await table.evaluate((element) => {
      (window as unknown as { __stopObserving: () => void }).__stopObserving();
      const rows = [...element.querySelectorAll<HTMLElement & { __mark?: number }>('tbody tr')];
      return {
        rows: rows.length,
        everyNodeKept: rows.every((tr) => [tr, ...tr.querySelectorAll<HTMLElement & { __mark?: number }>('*')].every((node) => node.__mark === 1 || tr.querySelector('th button')?.textContent === 'MC probe')),
        updatedRowKept: rows.some((tr) => tr.__mark === 1 && tr.querySelector('th button')?.textContent === 'MC probe'),
        foreignMutations: (window as unknown as { __foreignMutations: string[] }).__foreignMutations,
      };
    });
    expect(isolation).toEqual({ rows: rowsBefore, everyNodeKept: true, updatedRowKept: true, foreignMutations: [] });

    // Filters live in the URL.
    await page.getByLabel('Source').selectOption({ label: 'SDK agents' });
    await expect.poll(() => new URL(page.url()).searchParams.get('source')).toBe('sdk');
    await page.getByText('No sessions match these filters.').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await row.waitFor();

    // The transcript preview opens in a drawer; Escape closes it and focus goes back to the row.
    const open = row.getByRole('button', { name: SESSION_TITLE, exact: true });
    await open.click();
    // Named by the session title, which the chat run below changes: the one open dialog.
    const drawer = page.getByRole('dialog');
    await drawer.getByText('Hello mission control').waitFor();
    await drawer.getByRole('button', { name: 'Abort' }).waitFor();
    await drawer.getByLabel('Message').fill('Please summarise the last run.');
    await drawer.getByRole('button', { name: 'Send message' }).click();
    await drawer.getByText('Message sent.').waitFor();
    await drawer.getByRole('button', { name: 'Reset' }).click();
    const confirm = page.getByRole('alertdialog', { name: /^Reset .+\?$/ });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    await expect.poll(() => row.getByRole('button').evaluate((element) => element === document.activeElement)).toBe(true);
  });

  it('shows the approve command for a gateway that needs pairing, then Connected once approved', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/settings/gateways`);
    await page.getByRole('heading', { name: 'Gateways', level: 1 }).waitFor();
    await addGateway(page, { name: 'remote', url: remote.url, admin: false });
    const card = gatewayCard(page, 'remote');
    await gatewayStatus(card, 'remote').getByText('Pairing required', { exact: true }).waitFor();
    const command = card.getByRole('textbox', { name: 'Approve command for remote' });
    await expect.poll(() => command.inputValue()).toMatch(/^openclaw devices approve \S+$/);
    const [pending] = remote.pendingPairing();
    expect(pending).toBeDefined();
    expect(await command.inputValue()).toBe(`openclaw devices approve ${pending?.requestId}`);
    await card.getByText('operator.read', { exact: true }).first().waitFor();
    await card.getByRole('button', { name: 'Copy approve command for remote' }).waitFor();
    await page.evaluate(() => {
      window.__sameDocument = true;
    });

    remote.approvePairing();
    await card.getByRole('button', { name: 'Retry now: remote' }).click();
    await gatewayStatus(card, 'remote').getByText('Connected', { exact: true }).waitFor();
    expect(await card.getByRole('textbox', { name: 'Approve command for remote' }).count()).toBe(0);
    expect(await page.evaluate(() => window.__sameDocument)).toBe(true);
  });

  it('lists cron jobs per gateway and runs one now for an admin', async () => {
    const { page } = browser;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cron', exact: true }).click();
    await page.getByRole('heading', { name: 'Cron', level: 1 }).waitFor();
    const labGroup = page.getByRole('region', { name: 'lab', exact: true });
    await labGroup.getByRole('heading', { name: 'Heartbeat (dev)' }).waitFor();
    await labGroup.getByRole('heading', { name: 'Memory Dreaming Promotion' }).waitFor();

    await labGroup.getByRole('button', { name: 'Show runs of Heartbeat (dev)' }).click();
    await labGroup.getByRole('button', { name: 'Hide runs of Heartbeat (dev)' }).waitFor();
    await labGroup.getByRole('button', { name: 'Run now: Heartbeat (dev)' }).click();
    await labGroup.getByText('Run requested.', { exact: false }).waitFor();
    expect(await labGroup.getByRole('alert').count()).toBe(0);
    // The finished run arrives live in the open history. (The fake replays a captured run of
    // another job, which also renames this one: match the history by its caption prefix.)
    const history = labGroup.getByRole('table', { name: /^Recent runs of / });
    await history.getByText('Succeeded', { exact: true }).first().waitFor();

    // A gateway error is shown next to the button, in the server's words.
    lab.setMethod('cron.run', {
      scope: 'operator.admin',
      handle: () => {
        throw new FakeMethodError({ code: 'UNAVAILABLE', message: 'cron scheduler is paused' });
      },
    });
    const dreaming = labGroup.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Memory Dreaming Promotion' }) });
    await dreaming.getByRole('button', { name: 'Run now: Memory Dreaming Promotion' }).click();
    await dreaming.getByRole('alert').getByText('cron scheduler is paused', { exact: false }).waitFor();

    // "remote" was approved without operator.admin: Run now says why it can't work there.
    const remoteGroup = page.getByRole('region', { name: 'remote', exact: true });
    const remoteJob = remoteGroup.getByRole('button', { name: 'Run now: Heartbeat (dev)' });
    await remoteJob.waitFor();
    expect(await remoteJob.isDisabled()).toBe(true);
    await remoteGroup.getByText('The connection to remote lacks operator.admin.', { exact: false }).first().waitFor();
    expect(browser.cspViolations).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });

  it('keeps sessions, cron and gateways usable at 390 px wide', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 390, height: 800 });
    try {
      for (const path of ['/sessions', '/cron', '/settings/gateways']) {
        await page.goto(`${server.url}${path}`);
        await page.getByRole('heading', { level: 1 }).waitFor();
        // Phone rows are cards whose cells carry their column name, so only the session key is matched here.
        if (path === '/sessions') await page.getByText(SESSION_KEY, { exact: true }).first().waitFor();
        if (path === '/cron') await page.getByRole('heading', { name: 'Memory Dreaming Promotion' }).first().waitFor();
        if (path === '/settings/gateways') await gatewayCard(page, 'lab').waitFor();
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, path).toBeLessThanOrEqual(0);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('removes a gateway after a confirmation, and its sessions and jobs with it', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/cron`);
    const remoteGroup = page.getByRole('region', { name: 'remote', exact: true });
    await remoteGroup.getByRole('heading', { name: 'Memory Dreaming Promotion' }).waitFor();
    // Another tab removes it: the cron page drops the group live.
    const other = await browser.context.newPage();
    try {
      await other.goto(`${server.url}/settings/gateways`);
      await gatewayCard(other, 'remote').getByRole('button', { name: 'Remove gateway remote' }).click();
      await other.getByRole('alertdialog', { name: 'Remove remote?' }).getByRole('button', { name: 'Remove gateway' }).click();
      await other.getByText('Removed remote.').waitFor();
      expect(await gatewayCard(other, 'remote').count()).toBe(0);
    } finally {
      await other.close();
    }
    await remoteGroup.waitFor({ state: 'detached' });
    await page.getByRole('region', { name: 'lab', exact: true }).waitFor();
  });

  it('lets an operator message a session but not reset it or run cron jobs', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByLabel('Username').waitFor();
    await signIn(page, server.url, OPERATOR.username, OPERATOR.password, '/sessions');
    await sessionRow(page, SESSION_KEY, 'lab').getByRole('button').click();
    const drawer = page.getByRole('dialog');
    await drawer.getByText('Hello mission control').waitFor();
    await drawer.getByRole('button', { name: 'Send message' }).waitFor();
    expect(await drawer.getByRole('button', { name: 'Reset', exact: true }).count()).toBe(0);
    expect(await drawer.getByRole('button', { name: 'Delete', exact: true }).count()).toBe(0);
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cron', exact: true }).click();
    await page.getByRole('region', { name: 'lab', exact: true }).getByRole('heading', { name: 'Memory Dreaming Promotion' }).waitFor();
    expect(await page.getByRole('button', { name: /^Run now/ }).count()).toBe(0);
  });

  it('gives a viewer read-only gateways, sessions and cron', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByLabel('Username').waitFor();
    await signIn(page, server.url, VIEWER.username, VIEWER.password, '/sessions');

    const strip = page.getByRole('region', { name: 'Gateway status' });
    await gatewayStatus(strip, 'lab').getByText('Connected').waitFor();
    expect(await strip.getByRole('link', { name: 'Manage gateways' }).count()).toBe(0);
    const row = sessionRow(page, SESSION_KEY, 'lab');
    await row.getByRole('button').click();
    const drawer = page.getByRole('dialog');
    await drawer.getByText('Hello mission control').waitFor();
    for (const name of ['Reset', 'Delete', 'Abort', 'Send message']) {
      expect(await drawer.getByRole('button', { name, exact: true }).count()).toBe(0);
    }
    await drawer.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cron', exact: true }).click();
    await page.getByRole('region', { name: 'lab', exact: true }).getByRole('heading', { name: 'Memory Dreaming Promotion' }).waitFor();
    expect(await page.getByRole('button', { name: /^Run now/ }).count()).toBe(0);

    await page.goto(`${server.url}/settings/gateways`);
    await page.getByText('You need the admin role to add or manage gateways.', { exact: false }).waitFor();
    expect(await page.getByRole('button', { name: 'Add gateway' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Gateways' }).count()).toBe(0);
    expect(browser.cspViolations).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});
