// Role-aware UI: viewers get no write controls and no admin pages; operators no admin pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/src/testing/test-server.ts';
import { type BrowserSession, ensureWebBuild, launchBrowser, signIn } from './browser.ts';

describe('role-aware UI', () => {
  let server: TestServer;
  let browser: BrowserSession;

  beforeAll(async () => {
    ensureWebBuild();
    server = await startTestServer();
    await server.createUser({ username: 'vera', password: 'viewer-password-123', role: 'viewer' });
    await server.createUser({ username: 'otto', password: 'operator-password-123', role: 'operator' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('gives a viewer no "Create API key" button and refuses /settings/users', async () => {
    const { page } = browser;
    await signIn(page, server.url, 'vera', 'viewer-password-123');
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    const settingsNav = page.getByRole('navigation', { name: 'Settings' });
    await settingsNav.getByRole('link', { name: 'Account' }).waitFor();
    expect(await settingsNav.getByRole('link', { name: 'Users' }).count()).toBe(0);
    expect(await settingsNav.getByRole('link', { name: 'API keys' }).count()).toBe(0);

    await page.goto(`${server.url}/settings/api-keys`);
    await page.getByText('You need the operator role').waitFor();
    expect(await page.getByRole('button', { name: 'Create API key' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Revoke/ }).count()).toBe(0);

    await page.goto(`${server.url}/settings/users`);
    await page.getByText('You need the admin role').waitFor();
    expect(await page.getByRole('button', { name: 'Create user' }).count()).toBe(0);
    expect(await page.getByRole('table').count()).toBe(0);

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(browser.cspViolations).toEqual([]);
  });

  it('lets an operator create API keys but not manage users', async () => {
    const { page } = browser;
    await signIn(page, server.url, 'otto', 'operator-password-123', '/settings/api-keys');
    await page.getByRole('button', { name: 'Create API key' }).waitFor();
    await page.getByText('No API keys yet').waitFor();

    await page.getByRole('button', { name: 'Create API key' }).click();
    // An operator cannot mint an admin key.
    const roleOptions = await page.getByLabel('Role', { exact: true }).locator('option').allTextContents();
    expect(roleOptions).toEqual(['Viewer', 'Operator']);

    await page.goto(`${server.url}/settings/users`);
    await page.getByText('You need the admin role').waitFor();
    expect(browser.cspViolations).toEqual([]);
  });
});
