// The cost page as a user sees it: exact totals, unpriced usage flagged, numbers updating live (in place)
// when a heartbeat carries usage, sortable breakdowns, budgets with progress, no CSP violations.
import { createFakeClock } from '@mc/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ADMIN, type TestServer } from '../../server/src/testing/test-server.ts';
import { type BrowserSession, ensureWebBuild, launchBrowser, signIn } from './browser.ts';

describe('cost page', () => {
  let server: TestServer;
  let browser: BrowserSession;
  let operatorKey: string;

  async function api(path: string, body: unknown) {
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${operatorKey}` },
      body: JSON.stringify(body),
    });
    expect(res.status, path).toBe(200);
    return res.json();
  }

  beforeAll(async () => {
    ensureWebBuild();
    // A clock that stands still: every record lands "today" whatever the wall clock does meanwhile.
    server = await startTestServer({ clock: createFakeClock(new Date()), env: { MC_RATE_LIMITS: '{"heartbeatPerAgentPerMin":0,"connectPerAgentPerMin":0,"tokensPerKeyPerMin":0}' } });
    operatorKey = await server.createApiKey('operator');
    await api('/api/connect', { agent_name: 'builder-1', tool_name: 'codex' });
    await api('/api/tokens', [
      { id: 'u1', agent: 'builder-1', model: 'gpt-5', inputTokens: 1_000_000, outputTokens: 0 }, // $1.25
      { id: 'u2', agent: 'builder-1', model: 'glm-4.6', inputTokens: 5_000, outputTokens: 500 }, // unpriced
    ]);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const todayCard = () => browser.page.locator('[data-card="today"] .cost-value');

  it('shows exact totals, flags unpriced usage and updates the changed numbers in place on a heartbeat', async () => {
    const { page } = browser;
    await signIn(page, server.url, TEST_ADMIN.username, TEST_ADMIN.password, '/costs');
    await page.getByRole('heading', { name: 'Costs', level: 1 }).waitFor();
    await expect.poll(() => todayCard().textContent()).toBe('$1.25');
    await page.locator('[data-card="today"]').getByText('1 unpriced records').waitFor();
    const table = page.getByRole('table', { name: 'Cost by model' });
    await table.getByRole('rowheader', { name: /glm-4\.6/ }).getByText('1 unpriced').waitFor();

    // Remember the DOM nodes: a live update must change their text, not replace them.
    await page.evaluate(() => {
      const marks = window as unknown as Record<string, Element | null>;
      marks.todayNode = document.querySelector('[data-card="today"] .cost-value');
      marks.last7dNode = document.querySelector('[data-card="last7d"] .cost-value');
    });

    // claude-sonnet-4-5: 100,000 input tokens at $3/MTok = $0.30.
    await api('/api/agents/builder-1/heartbeat', { status: 'busy', token_usage: [{ id: 'hb-1', model: 'anthropic/claude-sonnet-4-5-20250929', inputTokens: 100_000, outputTokens: 0 }] });
    await expect.poll(() => todayCard().textContent()).toBe('$1.55');
    await table.getByRole('rowheader', { name: 'claude-sonnet-4-5' }).waitFor();
    const sameNodes = await page.evaluate(() => {
      const marks = window as unknown as Record<string, Element | null>;
      return [
        marks.todayNode === document.querySelector('[data-card="today"] .cost-value'),
        marks.last7dNode === document.querySelector('[data-card="last7d"] .cost-value'),
      ];
    });
    expect(sameNodes).toEqual([true, true]);
    expect(await page.locator('.cost-chart canvas').count()).toBeGreaterThan(0);
  });

  it('sorts a breakdown by a column header and says so with aria-sort', async () => {
    const { page } = browser;
    const table = page.getByRole('table', { name: 'Cost by model' });
    const costHeader = table.getByRole('columnheader', { name: 'Cost' });
    expect(await costHeader.getAttribute('aria-sort')).toBe('descending');
    const firstRow = () => table.getByRole('rowheader').first().textContent();
    expect(await firstRow()).toBe('gpt-5');
    await costHeader.getByRole('button').click();
    expect(await costHeader.getAttribute('aria-sort')).toBe('ascending');
    await expect.poll(firstRow).toMatch(/^glm-4\.6/);
    await page.getByRole('tab', { name: 'Agent' }).click();
    await page.getByRole('table', { name: 'Cost by agent' }).getByRole('rowheader', { name: 'builder-1' }).waitFor();
  });

  it('lets an admin add a budget and shows its progress', async () => {
    const { page } = browser;
    const form = page.getByRole('form', { name: 'Add budget' });
    await form.getByLabel('Budget name').fill('Daily cap');
    await form.getByLabel('Period').selectOption('day');
    await form.getByLabel('Limit (USD)').fill('2');
    await form.getByRole('button', { name: 'Add budget' }).click();
    const bar = page.getByRole('progressbar', { name: 'Daily cap' });
    await bar.waitFor();
    expect(await bar.getAttribute('aria-valuenow')).toBe('77'); // $1.55 of $2
    await api('/api/tokens', [{ id: 'u3', agent: 'builder-1', model: 'gpt-5', inputTokens: 400_000, outputTokens: 0 }]); // +$0.50
    await expect.poll(() => bar.getAttribute('aria-valuenow')).toBe('100');
    await page.locator('.budget').getByText('Exceeded').waitFor();
    // 50 % fired when the budget was created (already at 77 %), 80 % and 100 % on this record: once each.
    await page.getByText('Alerts this period: 50 %, 80 %, 100 %').waitFor();
    await page.getByText(/Daily cap reached 100 %/).waitFor();
    expect(browser.cspViolations).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });

  it('lets an admin price an unpriced model, preview the re-pricing and apply it', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Prices' }).click();
    await page.getByRole('heading', { name: /^Price table 2026-11-26/ }).waitFor();
    await page.getByRole('button', { name: 'Add price for glm-4.6' }).click();
    const form = page.getByRole('form', { name: 'Add or override a model price' });
    expect(await form.getByLabel('Model').inputValue()).toBe('glm-4.6');
    await form.getByLabel('Input $/MTok').fill('0.6');
    await form.getByLabel('Output $/MTok').fill('2.2');
    await form.getByRole('button', { name: 'Save price' }).click();
    await page.getByText('Saved: glm-4.6 is priced from version 2026-11-26+o1 on.').waitFor();

    await page.getByRole('form', { name: 'Re-price records' }).getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('region', { name: 'Re-pricing preview' });
    await preview.getByText(/1 newly priced/).waitFor();
    await preview.getByRole('button', { name: 'Apply re-pricing' }).click();
    await page.getByText(/^Re-priced \d+ records to 2026-11-26\+o1/).waitFor();

    // 5,000 input at $0.60/MTok + 500 output at $2.20/MTok = $0.0041, no longer unpriced.
    await page.getByRole('link', { name: 'Costs' }).click();
    const glm = page.getByRole('table', { name: 'Cost by model' }).getByRole('row', { name: /glm-4\.6/ });
    await glm.getByRole('cell', { name: '$0.0041', exact: true }).waitFor();
    expect(await glm.getByText('unpriced').count()).toBe(0);
    expect(browser.cspViolations).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });

  it('lets an admin choose how long usage detail is kept, refusing a period shorter than budgets need', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Prices' }).click();
    const form = page.getByRole('form', { name: 'Usage detail retention' });
    const days = form.getByLabel('Keep usage detail for (days)');
    await expect.poll(() => days.inputValue()).toBe('400');
    await days.fill('10');
    await form.getByRole('button', { name: 'Save usage retention' }).click();
    await form.getByRole('alert').getByText(/between 35 and 3650/).waitFor();
    await days.fill('90');
    await form.getByRole('button', { name: 'Save usage retention' }).click();
    await form.getByRole('status').getByText('Saved: usage records older than 90 days are deleted; their totals stay.').waitFor();
    await page.reload();
    await expect.poll(() => page.getByRole('form', { name: 'Usage detail retention' }).getByLabel('Keep usage detail for (days)').inputValue()).toBe('90');
    expect(browser.cspViolations).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});
