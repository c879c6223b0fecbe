// Signing in and out: server error text, first-admin setup, password change, and sessions
// ending (here or elsewhere) sending the browser back to the sign-in page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ADMIN, type TestServer } from '../../server/src/testing/test-server.ts';
import { type BrowserSession, ensureWebBuild, launchBrowser, signIn } from './browser.ts';

describe('authentication', () => {
  let server: TestServer;
  let browser: BrowserSession;

  beforeAll(async () => {
    ensureWebBuild();
    server = await startTestServer();
    await server.createUser({ username: 'carol', password: 'lunar-tide-4410', role: 'operator' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows the server's message for a wrong password and keeps the user on /login", async () => {
    const { page } = browser;
    await page.goto(`${server.url}/settings/account`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByLabel('Username').fill('carol');
    await page.getByLabel('Password').fill('not-her-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Invalid username or password').waitFor();

    await page.getByLabel('Password').fill('lunar-tide-4410');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back to where the visitor was going.
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/settings/account');
  });

  it('changes the own password after checking the current one', async () => {
    const { page } = browser;
    await page.getByLabel('Current password').fill('wrong-current-password');
    await page.getByLabel('New password', { exact: true }).fill('amber-field-8821');
    await page.getByLabel('Confirm new password').fill('amber-field-8821');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').waitFor();

    await page.getByLabel('Current password').fill('lunar-tide-4410');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed.').waitFor();

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await signIn(page, server.url, 'carol', 'amber-field-8821');
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  });

  it('signs out everywhere from the account page', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/settings/account`);
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Sign out everywhere?' });
    await confirm.getByRole('button', { name: 'Sign out all sessions' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.getByText(/Signed out of \d+ sessions?\./).waitFor();
    // The old cookie is dead: reloading stays signed out.
    await page.goto(`${server.url}/`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });

  it('returns to the sign-in page when the session is revoked elsewhere', async () => {
    const { page } = browser;
    await signIn(page, server.url, TEST_ADMIN.username, TEST_ADMIN.password);
    await page.getByRole('banner').getByRole('status').getByText('Live', { exact: true }).waitFor();

    // Another device signs in as the same user and ends every session; the server closes this
    // tab's socket and the live stream's reconnect finds no session.
    const otherDevice = await server.login();
    const response = await fetch(`${server.url}/trpc/auth.logoutEverywhere`, {
      method: 'POST',
      headers: { cookie: otherDevice, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(200);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(browser.cspViolations).toEqual([]);
  });
});

describe('first-admin setup', () => {
  let server: TestServer;
  let browser: BrowserSession;

  beforeAll(async () => {
    ensureWebBuild();
    server = await startTestServer({ seedAdmin: false });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('points the login page at the setup link, then creates the admin from it', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/login`);
    await page.getByText('No admin account exists yet').waitFor();

    await page.goto(`${server.url}/setup`);
    await page.getByText('This setup link has no token').waitFor();

    const setupUrl = server.setupUrl;
    if (!setupUrl) throw new Error('the server printed no setup link');
    await page.goto(setupUrl);
    await page.getByLabel('Username').fill('root');
    await page.getByLabel('Password').fill('first-admin-password-1');
    await page.getByRole('button', { name: 'Create admin' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByRole('banner').getByText('root').waitFor();

    // The token is single-use.
    await page.goto(setupUrl);
    await page.getByText('An admin account already exists').waitFor();
    expect(browser.cspViolations).toEqual([]);
  });
});
