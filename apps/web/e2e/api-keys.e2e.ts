// An admin creates an API key, sees its secret exactly once, and revokes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ADMIN, type TestServer } from '../../server/src/testing/test-server.ts';
import { type BrowserSession, ensureWebBuild, launchBrowser, signIn } from './browser.ts';

describe('API keys page', () => {
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

  it('shows a new key secret once, lists the key, and revokes it after confirmation', async () => {
    const { page } = browser;
    // Deep link while signed out: /login?next=… brings us back here after signing in.
    await signIn(page, server.url, TEST_ADMIN.username, TEST_ADMIN.password, '/settings/api-keys');
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();

    await page.getByRole('button', { name: 'Create API key' }).click();
    await page.getByLabel('Name').fill('ci-runner');
    await page.getByLabel('Role', { exact: true }).selectOption('operator');
    await page.getByLabel('Expires in (days)').fill('30');
    await page.getByRole('button', { name: 'Create key' }).click();

    const secretDialog = page.getByRole('dialog', { name: 'API key created' });
    await secretDialog.waitFor();
    await secretDialog.getByText("It won't be shown again").waitFor();
    const secret = await secretDialog.getByLabel('Secret for ci-runner').inputValue();
    expect(secret).toMatch(/^mca?_/);
    await secretDialog.getByRole('button', { name: 'Copy' }).click();
    await secretDialog.getByText(/Copied to clipboard|Copy failed/).waitFor();

    await page.keyboard.press('Escape');
    await secretDialog.waitFor({ state: 'detached' });
    // Gone for good: neither the DOM nor a reload brings the secret back.
    expect(await page.content()).not.toContain(secret);

    const row = page.getByRole('row', { name: /ci-runner/ });
    await row.waitFor();
    await row.getByText('Active', { exact: true }).waitFor();
    await row.getByRole('cell', { name: 'Operator', exact: true }).waitFor();

    // The key works until it is revoked.
    const overviewWithKey = () =>
      fetch(`${server.url}/trpc/system.overview`, { headers: { authorization: `Bearer ${secret}` } }).then(
        (response) => response.status,
      );
    expect(await overviewWithKey()).toBe(200);

    await page.getByRole('button', { name: 'Revoke ci-runner' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Revoke ci-runner?' });
    await confirm.waitFor();
    // Cancel first: nothing changes.
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    await row.getByText('Active', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Revoke ci-runner' }).click();
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await confirm.waitFor({ state: 'detached' });
    await row.getByText('Revoked', { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Revoke ci-runner' }).count()).toBe(0);
    await expect.poll(overviewWithKey).toBe(401);

    await page.reload();
    await page.getByRole('row', { name: /ci-runner/ }).getByText('Revoked', { exact: true }).waitFor();
    expect(await page.content()).not.toContain(secret);

    expect(browser.cspViolations).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });
});
