// An admin wires a webhook to a local receiver: secret shown once, a signed test event arrives, the
// delivery history shows it with a redacted request excerpt, and the audit log records it all and
// exports as CSV. A viewer sees neither section.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_ADMIN, type TestServer } from '../../server/src/testing/test-server.ts';
import { type BrowserSession, ensureWebBuild, launchBrowser, signIn } from './browser.ts';

type Received = { headers: Record<string, string | string[] | undefined>; body: string };

/** Standard Webhooks verification written from the spec, independent of the server's signer. */
function verifySignature(secret: string, received: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const content = `${String(received.headers['webhook-id'])}.${String(received.headers['webhook-timestamp'])}.${received.body}`;
  const expected = createHmac('sha256', key).update(content).digest('base64');
  return String(received.headers['webhook-signature']).split(' ').some((part) => part === `v1,${expected}`);
}

describe('webhooks and audit pages', () => {
  let server: TestServer;
  let browser: BrowserSession;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];

  beforeAll(async () => {
    ensureWebBuild();
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.end('thanks');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/mc-hook`;
    server = await startTestServer();
    await server.createUser({ username: 'vera', password: 'viewer-horse-battery-7', role: 'viewer' });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    receiver?.closeAllConnections();
    receiver?.close();
  });

  it('creates a webhook, shows its secret once, delivers a signed test event and lists it in the history', async () => {
    const { page } = browser;
    await signIn(page, server.url, TEST_ADMIN.username, TEST_ADMIN.password, '/settings/webhooks');
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();

    await page.getByRole('button', { name: 'Create webhook' }).click();
    await page.getByLabel('Endpoint URL').fill(receiverUrl);
    await page.getByLabel('Description').fill('CI bot');
    await page.getByLabel('All events (*)').uncheck();
    await page.getByLabel('task.*').check();
    await page.getByLabel('Other patterns').fill('gateway.cron.*');
    // A loopback receiver needs the private-network opt-in, which warns first.
    await page.getByLabel('Allow private network').check();
    await page.getByRole('note').getByText('send requests to hosts inside your network').waitFor();
    await page.getByRole('button', { name: 'Create webhook', exact: true }).last().click();

    const secretDialog = page.getByRole('dialog', { name: 'Webhook created' });
    await secretDialog.waitFor();
    const secret = await secretDialog.getByLabel(`Signing secret for ${receiverUrl}`).inputValue();
    expect(secret).toMatch(/^whsec_/);
    await page.keyboard.press('Escape');
    await secretDialog.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(secret);

    const row = page.getByRole('row', { name: /CI bot/ });
    await row.getByText('Enabled', { exact: true }).waitFor();
    await row.getByText('task.*', { exact: true }).waitFor();
    await row.getByText('gateway.cron.*', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Send test event to CI bot' }).click();
    await page.getByRole('status').getByText('Test event queued for CI bot').waitFor();
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(1);
    const [delivery] = received;
    if (!delivery) throw new Error('no delivery');
    expect(verifySignature(secret, delivery)).toBe(true);
    expect(JSON.parse(delivery.body)).toMatchObject({ type: 'webhook.test', data: { sentBy: TEST_ADMIN.username } });

    // A task event reaches it too (filter task.*), from the outbox.
    await server.publishTestEvent('task.created', { taskId: 't-1' });
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(2);

    await page.getByRole('link', { name: 'Deliveries of CI bot' }).click();
    await page.getByRole('heading', { name: 'Webhook deliveries', level: 1 }).waitFor();
    const testRow = page.getByRole('row', { name: /webhook\.test/ });
    await testRow.getByText('Succeeded', { exact: true }).waitFor();
    await page.getByRole('button', { name: /^Details of webhook\.test/ }).click();
    await page.getByText('Attempt 1').waitFor();
    await page.getByText('webhook-signature: v1,[redacted]').waitFor();
    expect(await page.content()).not.toContain(String(delivery.headers['webhook-signature']).slice(3));

    await page.getByRole('button', { name: /^Redeliver webhook\.test/ }).click();
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(3);
    expect(received[2]?.headers['webhook-id']).toBe(delivery.headers['webhook-id']);

    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No deliveries match.').waitFor();

    expect(browser.cspViolations).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });

  it('shows the audit trail with filters and exports it as CSV', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/settings/audit`);
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page.getByLabel('Action starts with').fill('webhook.');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('cell', { name: 'webhook.created' }).waitFor();
    await page.getByRole('cell', { name: 'webhook.test_sent' }).waitFor();
    await page.getByRole('cell', { name: 'webhook.redelivered' }).waitFor();
    expect(await page.getByRole('cell', { name: 'auth.login', exact: true }).count()).toBe(0);
    expect(await page.content()).not.toContain('whsec_');

    const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(href).toContain('action=webhook.');
    const response = await page.context().request.get(`${server.url}${href ?? ''}`);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers()['content-disposition']).toMatch(/^attachment; filename="mission-control-audit-.*\.csv"$/);
    const csv = await response.text();
    expect(csv.split('\n')[0]).toBe('id,at,actorType,actorId,actorName,action,targetType,targetId,ip,details');
    expect(csv).toContain('webhook.created');
    expect(csv).not.toContain('auth.login');

    await page.getByLabel('Keep entries for (days)').fill('90');
    await page.getByRole('button', { name: 'Save retention' }).click();
    await page.getByText('Saved: entries older than 90 days are deleted.').waitFor();
    expect(browser.cspViolations).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
  });

  it('keeps viewers out of webhooks and the audit log', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Sign out' }).click();
    // The sign-out request must finish (cookie cleared) before the next navigation.
    await page.getByLabel('Username').waitFor();
    await signIn(page, server.url, 'vera', 'viewer-horse-battery-7', '/settings/webhooks');
    await page.getByRole('alert').getByText('You need the admin role to manage webhooks').waitFor();
    const nav = page.getByRole('navigation', { name: 'Settings' });
    await nav.getByRole('link', { name: 'Account' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Webhooks' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    const exported = await page.context().request.get(`${server.url}/api/audit/export`);
    expect(exported.status()).toBe(403);
  });
});
