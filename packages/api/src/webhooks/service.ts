// Webhooks (admin): endpoints with a generated Standard Webhooks secret (sealed at rest, shown once at
// creation and rotation), enable/disable, delivery history, redelivery and test events. Every change is
// audited. Delivery itself is the dispatcher's job (dispatcher.ts); this service only queues work.
import { randomUUID } from 'node:crypto';
import { type Database, sqliteDate } from '@mc/db';
import type { AuditService } from '../audit/service.ts';
import type { UserActor } from '../auth/roles.ts';
import type { RequestMeta } from '../auth/service.ts';
import type { Clock } from '../clock.ts';
import { openSecret, sealSecret } from '../crypto/secret-box.ts';
import { conflict, notFound, validationFailed } from '../errors.ts';
import type { EventsService } from '../events/service.ts';
import { refusalFor } from './address-policy.ts';
import { FAILING_WEBHOOK_AFTER } from './dispatcher.ts';
import { TEST_EVENT_TYPE } from './event-filter.ts';
import type { CreateWebhookInput, ListDeliveriesInput, UpdateWebhookInput } from './schema.ts';
import { generateWebhookSecret } from './signature.ts';
import { toAttemptView, toDeliveryView, toWebhookView } from './views.ts';

export type WebhooksDeps = { database: Database; clock: Clock; events: EventsService; audit: AuditService; secretKey: Buffer };

/** Associated data of a webhook's sealed secret: it opens only for that webhook row. */
export const webhookSecretContext = (webhookId: string) => `webhook:${webhookId}`;

/** IP-literal URLs are checked at save time too, so an obviously refused target fails fast. */
function checkLiteralDestination(url: string, allowPrivateNetwork: boolean): void {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (!/^[\d.]+$/.test(host) && !host.includes(':')) return;
  const refusal = refusalFor(host, allowPrivateNetwork);
  if (refusal) throw validationFailed(`url: ${refusal}`, [{ path: 'url', message: refusal }]);
}

export function createWebhooksService({ database, clock, events, audit, secretKey }: WebhooksDeps) {
  const db = database.prisma;
  const workListeners = new Set<() => void>();
  const signalWork = () => {
    for (const listener of workListeners) listener();
  };

  async function findOrThrow(id: string) {
    const row = await db.webhook.findUnique({ where: { id } });
    if (!row) throw notFound('No such webhook');
    return row;
  }

  async function list() {
    const rows = await db.webhook.findMany({ orderBy: { createdAt: 'asc' } });
    return rows.map(toWebhookView);
  }

  async function create(actor: UserActor, input: CreateWebhookInput, meta: RequestMeta) {
    checkLiteralDestination(input.url, input.allowPrivateNetwork);
    const id = randomUUID();
    const secret = generateWebhookSecret();
    const now = clock.now();
    const row = await database.transaction(async (tx) => {
      const created = await tx.webhook.create({
        data: {
          id, url: input.url, description: input.description, eventFilter: JSON.stringify(input.eventFilter),
          encryptedSecret: sealSecret(secretKey, secret, webhookSecretContext(id)), allowPrivateNetwork: input.allowPrivateNetwork,
          createdAt: now, updatedAt: now,
        },
      });
      await audit.record({
        actor, action: 'webhook.created', targetType: 'webhook', targetId: id, ip: meta.ip,
        details: { url: input.url, eventFilter: input.eventFilter, allowPrivateNetwork: input.allowPrivateNetwork },
      }, tx);
      return created;
    });
    return { webhook: toWebhookView(row), secret };
  }

  async function update(actor: UserActor, input: UpdateWebhookInput, meta: RequestMeta) {
    const before = await findOrThrow(input.id);
    const url = input.url ?? before.url;
    const allowPrivateNetwork = input.allowPrivateNetwork ?? before.allowPrivateNetwork;
    checkLiteralDestination(url, allowPrivateNetwork);
    const changes: Record<string, unknown> = {};
    if (input.url !== undefined && input.url !== before.url) changes.url = input.url;
    if (input.description !== undefined && input.description !== before.description) changes.description = input.description;
    if (input.eventFilter !== undefined) changes.eventFilter = input.eventFilter;
    if (input.allowPrivateNetwork !== undefined && input.allowPrivateNetwork !== before.allowPrivateNetwork) changes.allowPrivateNetwork = input.allowPrivateNetwork;
    const row = await database.transaction(async (tx) => {
      const updated = await tx.webhook.update({
        where: { id: input.id },
        data: {
          url, allowPrivateNetwork, updatedAt: clock.now(),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.eventFilter !== undefined ? { eventFilter: JSON.stringify(input.eventFilter) } : {}),
        },
      });
      await audit.record({ actor, action: 'webhook.updated', targetType: 'webhook', targetId: input.id, ip: meta.ip, details: changes }, tx);
      return updated;
    });
    return toWebhookView(row);
  }

  async function setEnabled(actor: UserActor, id: string, enabled: boolean, meta: RequestMeta) {
    await findOrThrow(id);
    const row = await events.transaction(async (tx, emit) => {
      const before = await tx.webhook.findUnique({ where: { id }, select: { consecutiveFailures: true } });
      const updated = await tx.webhook.update({
        where: { id },
        // Re-enabling starts a fresh failure run; the reason for an automatic disable is cleared.
        data: enabled ? { enabled: true, consecutiveFailures: 0, disabledReason: null, updatedAt: clock.now() } : { enabled: false, disabledReason: `Disabled by ${actor.username}`, updatedAt: clock.now() },
      });
      // Ending a failing run by hand is a recovery too (as when a delivery gets through): the attention
      // view drops its item live. Same payload as the dispatcher's, plus who re-enabled it.
      if (enabled && before && before.consecutiveFailures >= FAILING_WEBHOOK_AFTER) {
        await emit({ type: 'webhook.recovered', payload: { webhookId: id, host: new URL(updated.url).host, failuresBefore: before.consecutiveFailures, enabledBy: actor.username } });
      }
      // Disabled by hand: the same event as an automatic disable (other admins' lists and the attention
      // view refresh live), marked as not automatic. Admins only: webhook URLs can carry secrets.
      if (!enabled) {
        await emit({ type: 'webhook.disabled', minRole: 'admin', payload: { webhookId: id, host: new URL(updated.url).host, automatic: false, disabledBy: actor.username } });
      }
      await audit.record({ actor, action: enabled ? 'webhook.enabled' : 'webhook.disabled', targetType: 'webhook', targetId: id, ip: meta.ip }, tx);
      return updated;
    });
    if (enabled) signalWork();
    return toWebhookView(row);
  }

  async function rotateSecret(actor: UserActor, id: string, meta: RequestMeta) {
    await findOrThrow(id);
    const secret = generateWebhookSecret();
    const row = await database.transaction(async (tx) => {
      const updated = await tx.webhook.update({
        where: { id },
        data: { encryptedSecret: sealSecret(secretKey, secret, webhookSecretContext(id)), updatedAt: clock.now() },
      });
      await audit.record({ actor, action: 'webhook.secret_rotated', targetType: 'webhook', targetId: id, ip: meta.ip }, tx);
      return updated;
    });
    return { webhook: toWebhookView(row), secret };
  }

  async function remove(actor: UserActor, id: string, meta: RequestMeta) {
    const before = await findOrThrow(id);
    await events.transaction(async (tx, emit) => {
      await tx.webhook.delete({ where: { id } });
      await audit.record({ actor, action: 'webhook.deleted', targetType: 'webhook', targetId: id, ip: meta.ip, details: { url: before.url } }, tx);
      await emit({ type: 'webhook.removed', minRole: 'admin', payload: { webhookId: id, host: new URL(before.url).host, removedBy: actor.username } });
    });
    return { ok: true as const };
  }

  async function listDeliveries(filter: ListDeliveriesInput) {
    const rows = await db.webhookDelivery.findMany({
      where: {
        ...(filter.webhookId ? { webhookId: filter.webhookId } : {}),
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.eventType ? { eventType: { startsWith: filter.eventType.replace(/\*$/, '') } } : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: filter.limit + 1,
      ...(filter.cursor ? { cursor: { id: filter.cursor }, skip: 1 } : {}),
      include: { webhook: { select: { url: true } } },
    });
    const items = rows.slice(0, filter.limit).map(toDeliveryView);
    return { items, nextCursor: rows.length > filter.limit ? (items[items.length - 1]?.id ?? null) : null };
  }

  async function listAttempts(deliveryId: string) {
    const rows = await db.webhookAttempt.findMany({ where: { deliveryId }, orderBy: { attempt: 'desc' } });
    return rows.map(toAttemptView);
  }

  /** Queues one more attempt of an existing delivery now (same event id, so receivers can dedupe). */
  async function redeliver(actor: UserActor, deliveryId: string, meta: RequestMeta) {
    const delivery = await db.webhookDelivery.findUnique({ where: { id: deliveryId }, include: { webhook: { select: { url: true, enabled: true } } } });
    if (!delivery) throw notFound('No such delivery');
    if (!delivery.webhook.enabled && delivery.eventType !== TEST_EVENT_TYPE) throw conflict('This webhook is disabled; enable it before redelivering');
    const row = await database.transaction(async (tx) => {
      const updated = await tx.webhookDelivery.update({
        where: { id: deliveryId },
        data: { status: 'pending', nextAttemptAt: clock.now(), updatedAt: clock.now() },
        include: { webhook: { select: { url: true } } },
      });
      await audit.record({ actor, action: 'webhook.redelivered', targetType: 'webhook', targetId: delivery.webhookId, ip: meta.ip, details: { deliveryId, eventId: delivery.eventId } }, tx);
      return updated;
    });
    signalWork();
    return toDeliveryView(row);
  }

  /** A `webhook.test` event delivered to this webhook only (even while it is disabled). */
  async function sendTest(actor: UserActor, webhookId: string, meta: RequestMeta) {
    const webhook = await findOrThrow(webhookId);
    const now = clock.now();
    const row = await events.transaction(async (tx, emit) => {
      const event = await emit({
        type: TEST_EVENT_TYPE,
        minRole: 'admin',
        payload: { webhookId, message: 'Test event from Mission Control', sentBy: actor.username },
      });
      const delivery = await tx.webhookDelivery.create({
        data: { webhookId, eventId: event.id, eventType: TEST_EVENT_TYPE, status: 'pending', nextAttemptAt: now, createdAt: now, updatedAt: now },
        include: { webhook: { select: { url: true } } },
      });
      await audit.record({ actor, action: 'webhook.test_sent', targetType: 'webhook', targetId: webhookId, ip: meta.ip, details: { url: webhook.url, eventId: event.id } }, tx);
      return delivery;
    });
    signalWork();
    return toDeliveryView(row);
  }

  /** Housekeeping: deletes finished deliveries (and their attempts) older than `before`; returns how many. */
  async function pruneDeliveries(before: Date): Promise<number> {
    return database.rawTransaction((sqlite) =>
      sqlite.prepare(`DELETE FROM "WebhookDelivery" WHERE status IN ('succeeded', 'failed', 'dead') AND updatedAt < ?`).run(sqliteDate(before)).changes);
  }

  /** For the dispatcher: the plaintext secret of a webhook row. */
  function revealSecret(row: { id: string; encryptedSecret: string }): string {
    return openSecret(secretKey, row.encryptedSecret, webhookSecretContext(row.id));
  }

  function onWork(listener: () => void): () => void {
    workListeners.add(listener);
    return () => {
      workListeners.delete(listener);
    };
  }

  return { list, create, update, setEnabled, rotateSecret, remove, listDeliveries, listAttempts, redeliver, sendTest, pruneDeliveries, revealSecret, onWork };
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
