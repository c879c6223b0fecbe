// Admin user management: create, change role, disable/enable, reset password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ADMIN, type TestServer } from '../../server/src/testing/test-server.ts';
import { type BrowserSession, ensureWebBuild, launchBrowser, signIn } from './browser.ts';

async function canSignIn(server: TestServer, username: string, password: string): Promise<boolean> {
  const response = await fetch(`${server.url}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return response.ok;
}

describe('users page', () => {
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

  it('creates a user, changes the role, disables and re-enables them, and resets the password', async () => {
    const { page } = browser;
    await signIn(page, server.url, TEST_ADMIN.username, TEST_ADMIN.password, '/settings/users');
    await page.getByRole('row', { name: /admin/ }).waitFor();
    // Admins can't lock themselves out from this page.
    expect(await page.getByRole('button', { name: 'Disable admin' }).count()).toBe(0);

    await page.getByLabel('Username', { exact: true }).fill('dora');
    await page.getByLabel('Password', { exact: true }).fill('quiet-harbor-3307');
    await page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByText('Created user dora.').waitFor();
    const row = page.getByRole('row', { name: /dora/ });
    await row.getByText('Active', { exact: true }).waitFor();

    await page.getByLabel('Role for dora').selectOption('operator');
    await expect.poll(() => server.services.users.list().then((users) => users.find((u) => u.username === 'dora')?.role)).toBe('operator');

    await page.getByRole('button', { name: 'Disable dora' }).click();
    await row.getByText('Disabled', { exact: true }).waitFor();
    expect(await canSignIn(server, 'dora', 'quiet-harbor-3307')).toBe(false);
    await page.getByRole('button', { name: 'Enable dora' }).click();
    await row.getByText('Active', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Reset password for dora' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reset password for dora' });
    await dialog.getByLabel('New password').fill('silver-maple-9902');
    await dialog.getByRole('button', { name: 'Reset password' }).click();
    await page.getByText('Password reset for dora.').waitFor();
    expect(await canSignIn(server, 'dora', 'silver-maple-9902')).toBe(true);

    expect(browser.cspViolations).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});
