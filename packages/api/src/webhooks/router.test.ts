// Webhook procedures through the real router: admin only, input validation with field errors, and
// the secret returned exactly twice (create, rotateSecret) and never again in any output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import type { Actor } from '../auth/roles.ts';
import type { Context } from '../context.ts';
import { silentLogger } from '../logger.ts';
import { appRouter } from '../router.ts';
import { createCallerFactory } from '../trpc.ts';
import { issuesToDetails } from '../validation.ts';
import { openSecret } from '../crypto/secret-box.ts';
import { startReceiver, startWebhookHarness, TEST_ADMIN_ACTOR, type Receiver, type WebhookHarness } from './test-kit.ts';

let harness: WebhookHarness;
let hook: Receiver;
beforeAll(async () => {
  harness = await startWebhookHarness();
  hook = await startReceiver();
});
afterAll(async () => {
  await hook.close();
  await harness.close();
});

function caller(actor: Actor) {
  const ctx: Context = {
    actor, services: harness.services, meta: { ip: '10.1.1.1', userAgent: 'vitest', requestId: 'r1' }, log: silentLogger,
    setSessionCookie: () => {}, clearSessionCookie: () => {},
  };
  return createCallerFactory(appRouter)(ctx);
}
const admin = () => caller(TEST_ADMIN_ACTOR);
/** The field errors a client would get (the error formatter's details), from a caller's TRPCError. */
function fieldErrors(error: unknown) {
  const cause = (error as { cause?: unknown }).cause;
  if (!(cause instanceof ZodError)) throw new Error(`expected a validation error, got ${String(error)}`);
  return issuesToDetails(cause.issues);
}

describe('webhooks router', () => {
  it('never returns the secret after creation or rotation, in any procedure output', async () => {
    const created = await admin().webhooks.create({ url: hook.url, description: 'CI', eventFilter: ['task.*', 'agent.*'], allowPrivateNetwork: true });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Object.keys(created.webhook)).not.toContain('encryptedSecret');
    const stored = await harness.database.prisma.webhook.findUniqueOrThrow({ where: { id: created.webhook.id } });
    expect(stored.encryptedSecret).not.toContain(created.secret.slice(6));
    expect(openSecret(harness.secretKey, stored.encryptedSecret, `webhook:${created.webhook.id}`)).toBe(created.secret);

    const rotated = await admin().webhooks.rotateSecret({ id: created.webhook.id });
    expect(rotated.secret).not.toBe(created.secret);
    await harness.services.events.emit({ type: 'task.created', payload: {} });
    await harness.dispatcher.idle();
    const test = await admin().webhooks.sendTest({ id: created.webhook.id });
    await harness.dispatcher.idle();

    const id = created.webhook.id;
    const outputs: Record<string, unknown> = {
      list: await admin().webhooks.list(),
      update: await admin().webhooks.update({ id, description: 'CI bot' }),
      setEnabled: await admin().webhooks.setEnabled({ id, enabled: true }),
      deliveries: await admin().webhooks.deliveries({ webhookId: id }),
      globalDeliveries: await admin().webhooks.deliveries({}),
      attempts: await admin().webhooks.attempts({ id: test.id }),
      redeliver: await admin().webhooks.redeliver({ id: test.id }),
      sendTest: test,
      createWithoutSecret: created.webhook,
      rotateWithoutSecret: rotated.webhook,
    };
    await harness.dispatcher.idle();
    outputs.attemptsAfterRedeliver = await admin().webhooks.attempts({ id: test.id });
    const json = JSON.stringify(outputs);
    expect((outputs.deliveries as { items: unknown[] }).items.length).toBe(2);
    expect(json).not.toContain('whsec_');
    expect(json).not.toContain(created.secret.slice(6, 20));
    expect(json).not.toContain(rotated.secret.slice(6, 20));
    expect(json).not.toMatch(/"(secret|encryptedSecret)"/);
    // The signature the receiver saw is not stored either.
    for (const request of hook.requests) expect(json).not.toContain(request.headers['webhook-signature']?.slice(3));
    expect(await admin().webhooks.remove({ id })).toEqual({ ok: true });
  });

  it('is admin only: operators and viewers get FORBIDDEN, agents too', async () => {
    const operator = caller({ kind: 'user', userId: 'op', username: 'op', role: 'operator' });
    const viewer = caller({ kind: 'user', userId: 'v', username: 'v', role: 'viewer' });
    const agent = caller({ kind: 'agent', apiKeyId: 'k', agentId: 'a', keyName: 'k' });
    for (const who of [operator, viewer, agent]) {
      await expect(who.webhooks.list()).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(who.webhooks.create({ url: 'https://example.com', eventFilter: ['*'] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(who.webhooks.deliveries({})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
  });

  it.each([
    ['not a url', 'not a url', 'is not a valid URL (e.g. https://hooks.example.com/mission-control)'],
    ['ftp', 'ftp://files.example.com/in', 'must use http or https, not ftp'],
    ['javascript', 'javascript:alert(1)', 'must use http or https, not javascript'],
    ['file', 'file:///etc/passwd', 'must use http or https, not file'],
    ['credentials', 'https://user:pass@hooks.example.com/', 'must not contain a user name or password; authenticate with the signature instead'],
    ['over 2048 characters', `https://example.com/${'a'.repeat(2100)}`, 'must be at most 2048 characters'],
  ])('refuses a URL (%s) with a field error on url', async (_name, url, message) => {
    const error = await admin().webhooks.create({ url, eventFilter: ['*'] }).catch((caught: unknown) => caught);
    expect(fieldErrors(error)).toEqual([{ path: 'url', message }]);
  });

  it('refuses malformed event patterns and an empty filter', async () => {
    const bad = await admin().webhooks.create({ url: 'https://example.com/', eventFilter: ['agent*'] }).catch((caught: unknown) => caught);
    expect(fieldErrors(bad)).toEqual([{ path: 'eventFilter.0', message: 'must be *, an event type like task.created, or a family like agent.*' }]);
    const empty = await admin().webhooks.create({ url: 'https://example.com/', eventFilter: [] }).catch((caught: unknown) => caught);
    expect(fieldErrors(empty)).toEqual([{ path: 'eventFilter', message: 'needs at least one event pattern' }]);
  });

  it('audits every change with the actor and IP', async () => {
    const { webhook } = await admin().webhooks.create({ url: 'https://hooks.example.com/a', eventFilter: ['*'] });
    await admin().webhooks.setEnabled({ id: webhook.id, enabled: false });
    await admin().webhooks.rotateSecret({ id: webhook.id });
    await admin().webhooks.remove({ id: webhook.id });
    const entries = (await harness.services.audit.list({ limit: 50 })).filter((entry) => entry.targetId === webhook.id);
    expect(entries.map((entry) => entry.action)).toEqual(['webhook.deleted', 'webhook.secret_rotated', 'webhook.disabled', 'webhook.created']);
    expect(entries.every((entry) => entry.ip === '10.1.1.1' && entry.actorName === 'ada')).toBe(true);
    expect(JSON.stringify(entries)).not.toContain('whsec_');
  });

  it('publishes admin-only webhook.disabled (not automatic) and webhook.removed for changes made by hand, without the URL path', async () => {
    const published: Array<{ type: string; minRole: string; payload: unknown }> = [];
    const unsubscribe = harness.services.bus.subscribe((e) => published.push({ type: e.type, minRole: e.minRole, payload: e.payload }));
    try {
      const { webhook } = await admin().webhooks.create({ url: 'https://hooks.example.com/secret-token-path', eventFilter: ['*'] });
      await admin().webhooks.setEnabled({ id: webhook.id, enabled: false });
      await admin().webhooks.remove({ id: webhook.id });
      const mine = published.filter((event) => event.type === 'webhook.disabled' || event.type === 'webhook.removed');
      expect(mine).toEqual([
        { type: 'webhook.disabled', minRole: 'admin', payload: { webhookId: webhook.id, host: 'hooks.example.com', automatic: false, disabledBy: 'ada' } },
        { type: 'webhook.removed', minRole: 'admin', payload: { webhookId: webhook.id, host: 'hooks.example.com', removedBy: 'ada' } },
      ]);
      expect(JSON.stringify(mine)).not.toContain('secret-token-path');
    } finally {
      unsubscribe();
    }
  });

  it('pages and filters the delivery history', async () => {
    const { webhook } = await admin().webhooks.create({ url: hook.url, eventFilter: ['page.*'], allowPrivateNetwork: true });
    for (let i = 0; i < 5; i++) {
      await harness.services.events.emit({ type: i % 2 ? 'page.odd' : 'page.even', payload: { i } });
      harness.clock.advanceBy(1000);
    }
    await harness.dispatcher.idle();
    const first = await admin().webhooks.deliveries({ webhookId: webhook.id, limit: 2 });
    const second = await admin().webhooks.deliveries({ webhookId: webhook.id, limit: 2, cursor: first.nextCursor ?? undefined });
    const third = await admin().webhooks.deliveries({ webhookId: webhook.id, limit: 2, cursor: second.nextCursor ?? undefined });
    expect([...first.items, ...second.items, ...third.items]).toHaveLength(5);
    expect(third.nextCursor).toBeNull();
    expect((await admin().webhooks.deliveries({ webhookId: webhook.id, eventType: 'page.odd' })).items).toHaveLength(2);
    expect((await admin().webhooks.deliveries({ webhookId: webhook.id, status: 'failed' })).items).toHaveLength(0);
    await expect(admin().webhooks.redeliver({ id: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('webhook delivery retention', () => {
  it('prunes finished deliveries older than the cutoff, keeping pending ones', async () => {
    const { webhook } = await admin().webhooks.create({ url: hook.url, eventFilter: ['prune.*'], allowPrivateNetwork: true });
    await harness.services.events.emit({ type: 'prune.done', payload: {} });
    await harness.dispatcher.idle();
    await harness.database.prisma.webhookDelivery.create({
      data: { webhookId: webhook.id, eventId: 999_999, eventType: 'prune.later', status: 'retrying', nextAttemptAt: new Date(harness.clock.nowMs() + 3_600_000) },
    });
    harness.clock.advanceBy(31 * 86_400_000);
    // Other tests in this file share the database: their finished deliveries go too.
    expect(await harness.services.webhooks.pruneDeliveries(new Date(harness.clock.nowMs() - 30 * 86_400_000))).toBeGreaterThan(0);
    const left = await admin().webhooks.deliveries({ webhookId: webhook.id });
    expect(left.items.map((item) => item.eventType)).toEqual(['prune.later']);
  });
});
