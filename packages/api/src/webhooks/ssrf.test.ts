// SSRF cases through the dispatcher: refused destinations are never contacted, and an allowed
// hostname is connected to at the address resolved once (pinned), with its own Host header.
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import type { ResolveHost } from './address-policy.ts';
import { startReceiver, startWebhookHarness, TEST_ADMIN_ACTOR, TEST_META, type WebhookHarness } from './test-kit.ts';

let harness: WebhookHarness;
afterEach(async () => {
  await harness?.close();
});

const lookups: string[] = [];
const fakeDns: Record<string, string[]> = { 'internal.example': ['10.0.0.7'], 'metadata.example': ['169.254.169.254'], 'hooks.test': ['127.0.0.1'] };
const resolveHost: ResolveHost = async (hostname) => {
  lookups.push(hostname);
  return (fakeDns[hostname] ?? []).map((address) => ({ address, family: 4 as const }));
};

async function deliverOnce(url: string, allowPrivateNetwork: boolean) {
  const { webhook } = await harness.services.webhooks.create(TEST_ADMIN_ACTOR, { url, description: '', eventFilter: ['*'], allowPrivateNetwork }, TEST_META);
  await harness.services.events.emit({ type: 'task.created', payload: {} });
  await harness.dispatcher.idle();
  return harness.database.prisma.webhookDelivery.findFirstOrThrow({ where: { webhookId: webhook.id } });
}

describe('webhook SSRF guard in delivery', () => {
  it('refuses a hostname resolving to a private address without contacting it, and does not retry', async () => {
    harness = await startWebhookHarness({ dispatcher: { resolveHost } });
    const delivery = await deliverOnce('http://internal.example/hook', false);
    expect(delivery).toMatchObject({ status: 'failed', attempt: 1, httpStatus: null, nextAttemptAt: null });
    expect(delivery.error).toBe('internal.example resolves to 10.0.0.7 is a private address; enable "allow private network" on this webhook to reach it');
  });

  it('refuses metadata addresses even when private networks are allowed', async () => {
    harness = await startWebhookHarness({ dispatcher: { resolveHost } });
    const delivery = await deliverOnce('http://metadata.example/latest/meta-data', true);
    expect(delivery).toMatchObject({ status: 'failed' });
    expect(delivery.error).toMatch(/169\.254\.169\.254 is a metadata address/);
  });

  it('connects to the pinned address with the hostname in the Host header, resolving once', async () => {
    harness = await startWebhookHarness({ dispatcher: { resolveHost } });
    const hook = await startReceiver();
    onTestFinished(() => hook.close());
    lookups.length = 0;
    const delivery = await deliverOnce(`http://hooks.test:${hook.port}/in`, true);
    expect(delivery.status).toBe('succeeded');
    expect(hook.requests[0]?.headers.host).toBe(`hooks.test:${hook.port}`);
    expect(hook.requests[0]?.url).toBe('/in');
    expect(lookups).toEqual(['hooks.test']);
  });

  it('refuses loopback and link-local IP literals when the webhook is saved', async () => {
    harness = await startWebhookHarness();
    const create = (url: string, allowPrivateNetwork: boolean) =>
      harness.services.webhooks.create(TEST_ADMIN_ACTOR, { url, description: '', eventFilter: ['*'], allowPrivateNetwork }, TEST_META);
    await expect(create('http://127.0.0.1:9/hook', false)).rejects.toThrow(/loopback address; enable "allow private network"/);
    await expect(create('http://169.254.169.254/', true)).rejects.toThrow(/metadata address/);
    await expect(create('http://[fe80::1]/', true)).rejects.toThrow(/link-local/);
    await expect(create('http://127.0.0.1:9/hook', true)).resolves.toMatchObject({ webhook: { allowPrivateNetwork: true } });
  });
});

describe('webhook DNS failures', () => {
  it('retries a failed DNS lookup instead of giving up', async () => {
    harness = await startWebhookHarness({ dispatcher: { resolveHost } });
    const delivery = await deliverOnce('http://not-in-dns.example/hook', true);
    expect(delivery).toMatchObject({ status: 'retrying', error: 'DNS lookup of not-in-dns.example returned no address' });
  });
});
