// The live stream pauses while the tab is hidden (socket closed on the server too) and resumes
// from the last event id when shown, so nothing published meanwhile is missed or repeated.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ADMIN, type TestServer } from '../../server/src/testing/test-server.ts';
import { type BrowserSession, ensureWebBuild, launchBrowser, setPageVisibility, signIn } from './browser.ts';

async function openWebSockets(server: TestServer): Promise<number> {
  const metrics = await fetch(`${server.url}/metrics`).then((response) => response.text());
  const line = metrics.split('\n').find((text) => text.startsWith('mc_ws_connections '));
  if (!line) throw new Error('mc_ws_connections missing from /metrics');
  return Number(line.split(' ')[1]);
}

function liveIndicator(page: Page) {
  return page.getByRole('banner').getByRole('status');
}

/** The test events in the "Recent events" feed, newest first (the server's own events filtered out). */
async function recentEventTypes(page: Page): Promise<string[]> {
  const types = await page
    .getByRole('region', { name: 'Recent events' })
    .getByRole('listitem')
    .evaluateAll((items) => items.map((item) => item.querySelector('.event-type')?.textContent ?? ''));
  return types.filter((type) => type.startsWith('test.'));
}

describe('live updates', () => {
  let server: TestServer;
  let browser: BrowserSession;

  beforeAll(async () => {
    ensureWebBuild();
    server = await startTestServer();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('pauses the socket while the tab is hidden and catches up on the missed events when shown', async () => {
    const { page } = browser;
    await signIn(page, server.url, TEST_ADMIN.username, TEST_ADMIN.password);
    await page.evaluate(() => localStorage.setItem('mc.pauseGraceMs', '200'));
    await liveIndicator(page).getByText('Live', { exact: true }).waitFor();
    await expect.poll(() => openWebSockets(server)).toBe(1);

    await server.publishTestEvent('test.before-hide', { step: 1 });
    await page.getByText('test.before-hide').waitFor();

    await setPageVisibility(page, 'hidden');
    await liveIndicator(page).getByText('Paused', { exact: true }).waitFor();
    await expect.poll(() => openWebSockets(server)).toBe(0);

    await server.publishTestEvent('test.while-hidden', { step: 2 });
    await server.publishTestEvent('test.while-hidden-again', { step: 3 });
    expect(await recentEventTypes(page)).toEqual(['test.before-hide']);

    await setPageVisibility(page, 'visible');
    await liveIndicator(page).getByText('Live', { exact: true }).waitFor();
    await expect
      .poll(() => recentEventTypes(page))
      .toEqual(['test.while-hidden-again', 'test.while-hidden', 'test.before-hide']);
    await expect.poll(() => openWebSockets(server)).toBe(1);

    // Still streaming live after the resume, with no repeats.
    await server.publishTestEvent('test.after-show', { step: 4 });
    await expect
      .poll(() => recentEventTypes(page))
      .toEqual(['test.after-show', 'test.while-hidden-again', 'test.while-hidden', 'test.before-hide']);

    expect(browser.cspViolations).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });

  it('stays live when the tab is hidden for less than the grace period', async () => {
    const { page } = browser;
    await page.evaluate(() => localStorage.setItem('mc.pauseGraceMs', '60000'));
    await setPageVisibility(page, 'hidden');
    await setPageVisibility(page, 'visible');
    await server.publishTestEvent('test.quick-glance', { step: 5 });
    await page.getByText('test.quick-glance').waitFor();
    expect(await liveIndicator(page).textContent()).toBe('Live');
    expect(await openWebSockets(server)).toBe(1);
  });
});
