// Delivery end to end against local receivers: signatures checked by the independent `standardwebhooks`
// library, the retry schedule on a fake clock, and each failure path (500, timeout, refused, redirect,
// huge and slow responses) without one receiver holding up the others.
import { createServer, type Socket } from 'node:net';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { type Receiver, startReceiver, startWebhookHarness, TEST_ADMIN_ACTOR, TEST_META, type WebhookHarness } from './test-kit.ts';

let harness: WebhookHarness;
afterEach(async () => {
  await harness?.close();
});

async function receiver(handler?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const started = await startReceiver(handler);
  onTestFinished(() => started.close());
  return started;
}

async function createHook(url: string, eventFilter: string[] = ['*'], allowPrivateNetwork = true) {
  return harness.services.webhooks.create(TEST_ADMIN_ACTOR, { url, description: '', eventFilter, allowPrivateNetwork }, TEST_META);
}

const deliveries = (webhookId: string) => harness.database.prisma.webhookDelivery.findMany({ where: { webhookId }, orderBy: { eventId: 'asc' } });

describe('webhook delivery', () => {
  it('posts matching events with a Standard Webhooks signature that an independent verifier accepts', async () => {
    harness = await startWebhookHarness();
    const hook = await receiver();
    const { webhook, secret } = await createHook(hook.url, ['agent.*']);
    const agentEvent = await harness.services.events.emit({ type: 'agent.updated', payload: { agentId: 'a1', status: 'busy' } });
    await harness.services.events.emit({ type: 'task.created', payload: { taskId: 't1' } });
    await harness.dispatcher.idle();

    expect(hook.requests).toHaveLength(1);
    const [request] = hook.requests;
    if (!request) throw new Error('no request');
    const verified = new StandardWebhook(secret).verify(request.body, request.headers);
    expect(verified).toEqual({ id: `evt_${agentEvent.id}`, type: 'agent.updated', createdAt: agentEvent.createdAt, data: { agentId: 'a1', status: 'busy' } });
    expect(request.headers['webhook-id']).toBe(`evt_${agentEvent.id}`);
    expect(request.headers['webhook-timestamp']).toBe(String(Math.floor(harness.clock.nowMs() / 1000)));
    expect(request.headers['content-type']).toBe('application/json');
    // A wrong secret fails the same verifier.
    expect(() => new StandardWebhook(`whsec_${Buffer.from('x'.repeat(32)).toString('base64')}`).verify(request.body, request.headers)).toThrow();

    const [delivery] = await deliveries(webhook.id);
    expect(delivery).toMatchObject({ status: 'succeeded', attempt: 1, httpStatus: 200, eventType: 'agent.updated', nextAttemptAt: null });
    expect(delivery?.requestExcerpt).toContain('webhook-signature: v1,[redacted]');
    expect(delivery?.requestExcerpt).not.toContain(request.headers['webhook-signature']);
    const stored = await harness.database.prisma.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
    expect(stored.lastDeliveryAt).toEqual(harness.clock.now());
  });

  it('retries a failing receiver after 1 min, 10 min, 1 h, 3 h and 8 h, then marks the delivery dead', async () => {
    harness = await startWebhookHarness();
    const hook = await receiver((_req, res) => {
      res.statusCode = 500;
      res.end('database down');
    });
    const { webhook } = await createHook(hook.url, ['task.*']);
    const event = await harness.services.events.emit({ type: 'task.created', payload: {} });
    await harness.dispatcher.idle();
    const scheduled: number[] = [];
    for (;;) {
      const [delivery] = await deliveries(webhook.id);
      if (!delivery?.nextAttemptAt) break;
      expect(delivery.status).toBe('retrying');
      const waitMs = delivery.nextAttemptAt.getTime() - harness.clock.nowMs();
      scheduled.push(waitMs);
      harness.clock.advanceBy(waitMs - 1);
      await harness.dispatcher.idle();
      expect(hook.requests).toHaveLength(scheduled.length); // not a millisecond early
      harness.clock.advanceBy(1);
      await harness.dispatcher.idle();
    }
    expect(scheduled).toEqual([60_000, 600_000, 3_600_000, 10_800_000, 28_800_000]);
    expect(hook.requests).toHaveLength(6);
    expect(new Set(hook.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([`evt_${event.id}`]));
    const [dead] = await deliveries(webhook.id);
    expect(dead).toMatchObject({ status: 'dead', attempt: 6, httpStatus: 500, error: 'HTTP 500', nextAttemptAt: null });
    expect(dead?.responseExcerpt).toContain('database down');
    const attempts = await harness.services.webhooks.listAttempts(dead?.id ?? '');
    expect(attempts.map((a) => a.attempt)).toEqual([6, 5, 4, 3, 2, 1]);
  });

  it('applies ±20 % jitter to the retry delay', async () => {
    harness = await startWebhookHarness({ dispatcher: { random: () => 0 } });
    const hook = await receiver((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    const { webhook } = await createHook(hook.url);
    await harness.services.events.emit({ type: 'task.created', payload: {} });
    await harness.dispatcher.idle();
    const [delivery] = await deliveries(webhook.id);
    expect((delivery?.nextAttemptAt?.getTime() ?? 0) - harness.clock.nowMs()).toBe(48_000);
  });

  it('gives up on a receiver that never answers after the timeout and schedules a retry', async () => {
    harness = await startWebhookHarness({ dispatcher: { timeoutMs: 200 } });
    const hook = await receiver(() => {
      // never responds
    });
    const { webhook } = await createHook(hook.url);
    await harness.services.events.emit({ type: 'task.created', payload: {} });
    await harness.dispatcher.idle();
    const [delivery] = await deliveries(webhook.id);
    expect(delivery).toMatchObject({ status: 'retrying', httpStatus: null, error: 'timed out after 200 ms' });
  });

  it('bounds a slow-loris receiver that dribbles its status line by the total timeout', async () => {
    harness = await startWebhookHarness({ dispatcher: { timeoutMs: 300 } });
    const sockets = new Set<Socket>();
    const loris = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', () => {});
      socket.write('HTTP/1.1 200');
      const drip = setInterval(() => socket.write(' '), 50);
      socket.on('close', () => clearInterval(drip));
    });
    await new Promise<void>((resolve) => loris.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => {
      for (const socket of sockets) socket.destroy();
      loris.close();
    });
    const port = (loris.address() as { port: number }).port;
    const { webhook } = await createHook(`http://127.0.0.1:${port}/`);
    await harness.services.events.emit({ type: 'task.created', payload: {} });
    await harness.dispatcher.idle();
    const [delivery] = await deliveries(webhook.id);
    expect(delivery).toMatchObject({ status: 'retrying', error: 'timed out after 300 ms' });
  });

  it('keeps the status of a receiver whose body never ends, and caps what it reads of a huge body', async () => {
    harness = await startWebhookHarness({ dispatcher: { timeoutMs: 300 } });
    const endless = await receiver((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('still going');
    });
    const huge = await receiver((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      const chunk = 'x'.repeat(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 10 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const slow = await createHook(endless.url);
    const big = await createHook(huge.url);
    await harness.services.events.emit({ type: 'task.created', payload: {} });
    await harness.dispatcher.idle();
    const [slowDelivery] = await deliveries(slow.webhook.id);
    expect(slowDelivery).toMatchObject({ status: 'succeeded', httpStatus: 200 });
    const [bigDelivery] = await deliveries(big.webhook.id);
    expect(bigDelivery).toMatchObject({ status: 'retrying', httpStatus: 500 });
    expect(bigDelivery?.responseExcerpt?.length).toBeLessThan(2_300);
    expect(bigDelivery?.responseExcerpt).toContain('more characters');
  });

  it('reports a refused connection and retries', async () => {
    harness = await startWebhookHarness();
    const closed = await startReceiver();
    await closed.close();
    const { webhook } = await createHook(closed.url);
    await harness.services.events.emit({ type: 'task.created', payload: {} });
    await harness.dispatcher.idle();
    const [delivery] = await deliveries(webhook.id);
    expect(delivery).toMatchObject({ status: 'retrying', error: `connection refused by 127.0.0.1:${closed.port}` });
  });

  it('does not follow redirects', async () => {
    harness = await startWebhookHarness();
    const target = await receiver();
    const hook = await receiver((_req, res) => {
      res.writeHead(302, { location: target.url });
      res.end();
    });
    const { webhook } = await createHook(hook.url);
    await harness.services.events.emit({ type: 'task.created', payload: {} });
    await harness.dispatcher.idle();
    const [delivery] = await deliveries(webhook.id);
    expect(delivery).toMatchObject({ status: 'retrying', httpStatus: 302 });
    expect(delivery?.error).toMatch(/^redirect not followed \(HTTP 302 to http:\/\/127\.0\.0\.1/);
    expect(target.requests).toHaveLength(0);
  });

  it('keeps delivering to healthy receivers while a slow one holds its requests open', async () => {
    harness = await startWebhookHarness({ dispatcher: { timeoutMs: 5_000, maxInFlight: 4, maxInFlightPerWebhook: 2 } });
    const held: Array<() => void> = [];
    const stuck = await receiver((_req, res) => held.push(() => res.end('late')));
    const healthy = await receiver();
    await createHook(stuck.url);
    await createHook(healthy.url);
    for (let i = 0; i < 6; i++) await harness.services.events.emit({ type: 'task.created', payload: { i } });
    harness.dispatcher.kick();
    await vi.waitFor(() => expect(healthy.requests).toHaveLength(6));
    expect(stuck.requests).toHaveLength(2); // its per-webhook share, no more
    for (;;) {
      const release = held.shift();
      if (release) release();
      else if (stuck.requests.length === 6) break;
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await harness.dispatcher.idle();
    expect(stuck.requests).toHaveLength(6);
  });

  it('disables a webhook after a run of consecutive failures and raises webhook.disabled', async () => {
    harness = await startWebhookHarness({ dispatcher: { disableAfterFailures: 3 } });
    const failing = await receiver((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const pager = await receiver();
    const { webhook } = await createHook(failing.url, ['task.*']);
    await createHook(pager.url, ['webhook.*']);
    for (let i = 0; i < 3; i++) await harness.services.events.emit({ type: 'task.created', payload: { i } });
    await harness.dispatcher.idle();

    const stored = await harness.database.prisma.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
    expect(stored).toMatchObject({ enabled: false, consecutiveFailures: 3 });
    expect(stored.disabledReason).toMatch(/^Disabled automatically after 3 consecutive failed deliveries/);
    const alert = await harness.database.prisma.event.findFirstOrThrow({ where: { type: 'webhook.disabled' } });
    expect(JSON.parse(alert.payload)).toMatchObject({ webhookId: webhook.id, automatic: true, consecutiveFailures: 3 });
    expect(alert.minRole).toBe('admin');
    await harness.dispatcher.idle();
    expect(pager.requests.map((r) => JSON.parse(r.body).type).sort()).toEqual(['webhook.disabled', 'webhook.failing']);
    const audit = await harness.services.audit.list({ action: 'webhook.auto_disabled', limit: 10 });
    expect(audit).toHaveLength(1);

    // Disabled: new events are not queued and due retries wait until it is enabled again.
    await harness.services.events.emit({ type: 'task.created', payload: { i: 3 } });
    harness.clock.advanceBy(3_600_000);
    await harness.dispatcher.idle();
    expect(failing.requests).toHaveLength(3);
    failing.respondWith((_req, res) => res.end('ok'));
    await harness.services.webhooks.setEnabled(TEST_ADMIN_ACTOR, webhook.id, true, TEST_META);
    await harness.dispatcher.idle();
    expect(failing.requests).toHaveLength(6);
    expect((await harness.database.prisma.webhook.findUniqueOrThrow({ where: { id: webhook.id } })).consecutiveFailures).toBe(0);
  });

  it('re-enabling an auto-disabled webhook raises webhook.recovered (published live) and clears its attention item', async () => {
    harness = await startWebhookHarness({ dispatcher: { disableAfterFailures: 3 } });
    const failing = await receiver((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const quiet = await receiver();
    const { webhook } = await createHook(failing.url, ['task.*']);
    const { webhook: healthy } = await createHook(quiet.url, ['task.*']);
    for (let i = 0; i < 3; i++) await harness.services.events.emit({ type: 'task.created', payload: { i } });
    await harness.dispatcher.idle();
    const attention = async () => (await harness.services.attention.list(TEST_ADMIN_ACTOR)).items.filter((i) => i.kind === 'webhook.failing').map((i) => i.title);
    const host = new URL(failing.url).host;
    expect(await attention()).toEqual([`Webhook to ${host} was disabled after repeated failures`]);

    const published: Array<{ type: string; payload: unknown }> = [];
    const unsubscribe = harness.services.bus.subscribe((event) => published.push({ type: event.type, payload: event.payload }));
    // Toggling a webhook that is not in a failing run is no recovery: only the hand-disable is published.
    await harness.services.webhooks.setEnabled(TEST_ADMIN_ACTOR, healthy.id, false, TEST_META);
    await harness.services.webhooks.setEnabled(TEST_ADMIN_ACTOR, healthy.id, true, TEST_META);
    const disabledByHand = { type: 'webhook.disabled', payload: { webhookId: healthy.id, host: new URL(quiet.url).host, automatic: false, disabledBy: 'ada' } };
    expect(published).toEqual([disabledByHand]);
    await harness.services.webhooks.setEnabled(TEST_ADMIN_ACTOR, webhook.id, true, TEST_META);
    unsubscribe();
    expect(published).toEqual([disabledByHand, { type: 'webhook.recovered', payload: { webhookId: webhook.id, host, failuresBefore: 3, enabledBy: 'ada' } }]);
    expect(await harness.database.prisma.event.findFirstOrThrow({ where: { type: 'webhook.recovered' } })).toMatchObject({ minRole: 'viewer' });
    expect(await attention()).toEqual([]);
    expect(await harness.database.prisma.webhook.findUniqueOrThrow({ where: { id: webhook.id } })).toMatchObject({ enabled: true, consecutiveFailures: 0, disabledReason: null });
  });

  it('raises webhook.failing when a run of failures starts and webhook.recovered when a delivery gets through again', async () => {
    harness = await startWebhookHarness();
    const failing = await receiver((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const { webhook } = await createHook(failing.url, ['task.*']);
    const signals = async () => (await harness.database.prisma.event.findMany({ where: { type: { in: ['webhook.failing', 'webhook.recovered'] } }, orderBy: { id: 'asc' } }))
      .map((event) => [event.type, JSON.parse(event.payload)]);
    for (let i = 0; i < 2; i++) await harness.services.events.emit({ type: 'task.created', payload: { i } });
    await harness.dispatcher.idle();
    expect(await signals()).toEqual([]);
    for (let i = 2; i < 4; i++) await harness.services.events.emit({ type: 'task.created', payload: { i } });
    await harness.dispatcher.idle();
    const host = new URL(failing.url).host;
    // Once when the run reaches 3, not again at 4; the host only, since URL paths can be secrets.
    expect(await signals()).toEqual([['webhook.failing', { webhookId: webhook.id, host, consecutiveFailures: 3 }]]);

    failing.respondWith((_req, res) => res.end('ok'));
    const [first] = await deliveries(webhook.id);
    await harness.services.webhooks.redeliver(TEST_ADMIN_ACTOR, first?.id ?? '', TEST_META);
    await harness.dispatcher.idle();
    expect((await signals()).at(-1)).toEqual(['webhook.recovered', { webhookId: webhook.id, host, failuresBefore: 4 }]);
    await harness.services.events.emit({ type: 'task.created', payload: { i: 4 } });
    await harness.dispatcher.idle();
    expect(await signals()).toHaveLength(2);
  });

  it('sends a test event to one webhook only, and redelivers with the same event id', async () => {
    harness = await startWebhookHarness();
    const first = await receiver();
    const second = await receiver();
    const { webhook, secret } = await createHook(first.url);
    await createHook(second.url);
    const test = await harness.services.webhooks.sendTest(TEST_ADMIN_ACTOR, webhook.id, TEST_META);
    await harness.dispatcher.idle();
    expect(second.requests).toHaveLength(0);
    expect(first.requests).toHaveLength(1);
    const payload = new StandardWebhook(secret).verify(first.requests[0]?.body ?? '', first.requests[0]?.headers ?? {});
    expect(payload).toMatchObject({ type: 'webhook.test', data: { webhookId: webhook.id, sentBy: 'ada' } });

    await harness.services.webhooks.redeliver(TEST_ADMIN_ACTOR, test.id, TEST_META);
    await harness.dispatcher.idle();
    expect(first.requests).toHaveLength(2);
    expect(first.requests[1]?.headers['webhook-id']).toBe(first.requests[0]?.headers['webhook-id']);
    const attempts = await harness.services.webhooks.listAttempts(test.id);
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([[2, 'succeeded'], [1, 'succeeded']]);
  });

  it('redacts a secret or signature that a receiver echoes back', async () => {
    harness = await startWebhookHarness();
    const echo = await receiver((req, res) => res.end(`you sent ${String(req.headers['webhook-signature'])} and whsec_abcdefghijklmnop`));
    const { webhook } = await createHook(echo.url);
    await harness.services.events.emit({ type: 'task.created', payload: {} });
    await harness.dispatcher.idle();
    const [delivery] = await deliveries(webhook.id);
    const signature = echo.requests[0]?.headers['webhook-signature'] ?? '';
    expect(delivery?.responseExcerpt).toContain('[redacted]');
    expect(delivery?.responseExcerpt).not.toContain(signature.slice(3));
    expect(delivery?.responseExcerpt).not.toContain('whsec_abcdefghijklmnop');
  });
});
