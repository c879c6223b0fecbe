// Webhook dispatcher (background job): fans committed outbox events out to matching enabled webhooks,
// then sends due deliveries with a bounded number in flight (globally and per webhook, so one slow
// receiver can't starve the others). At-least-once: the fan-out cursor (Setting 'webhooks.fanoutCursor')
// advances in the same transaction that inserts the delivery rows, and a delivery stays due until its
// outcome is written, so a restart re-sends rather than loses. Events that match no webhook (most of a
// busy fleet's heartbeats) advance the cursor in memory only; it is stored once per poll interval and on
// stop, so they cost no write transaction. After a crash they are matched again, against the webhooks of
// the restart. No per-webhook ordering: retries and parallel sends may arrive out of order; receivers
// order by the payload's createdAt / event id.
import { randomUUID } from 'node:crypto';
import { type Database, sqliteDate } from '@mc/db';
import type { Clock } from '../clock.ts';
import type { BusEvent, EventBus } from '../events/bus.ts';
import type { EventsService } from '../events/service.ts';
import type { Logger } from '../logger.ts';
import { DestinationRefusedError, pinDestination, type ResolveHost, systemResolveHost } from './address-policy.ts';
import { matchesEventFilter, parseEventFilter, TEST_EVENT_TYPE } from './event-filter.ts';
import { sendPinnedRequest } from './http-sender.ts';
import { retryDelayMs } from './retry-schedule.ts';
import type { WebhooksService } from './service.ts';
import { standardWebhookHeaders, webhookMessageId } from './signature.ts';

export const FANOUT_CURSOR_KEY = 'webhooks.fanoutCursor';
/** Consecutive failed attempts from which a webhook counts as failing: webhook.failing when reached, webhook.recovered on the next success. */
export const FAILING_WEBHOOK_AFTER = 3;
/** New events are fanned out in one pass per this many ms, not one pass per published batch. */
const FANOUT_COALESCE_MS = 20;
const EXCERPT_CHARS = 2048;

export type DispatcherOptions = {
  maxInFlight: number;
  maxInFlightPerWebhook: number;
  timeoutMs: number;
  maxResponseBytes: number;
  /** How often due retries are looked for (fan-out itself is woken by the bus). */
  pollIntervalMs: number;
  /** Consecutive failed attempts after which a webhook is disabled and webhook.disabled is emitted. */
  disableAfterFailures: number;
  /** How long stop() waits for requests in flight; later outcomes are dropped and re-sent after restart. */
  stopGraceMs: number;
  resolveHost: ResolveHost;
  random: () => number;
};

export const DEFAULT_DISPATCHER_OPTIONS: DispatcherOptions = {
  maxInFlight: 8,
  maxInFlightPerWebhook: 2,
  timeoutMs: 10_000,
  maxResponseBytes: 64 * 1024,
  pollIntervalMs: 1_000,
  disableAfterFailures: 50,
  stopGraceMs: 2_000,
  resolveHost: systemResolveHost,
  random: Math.random,
};

export type DeliveryOutcomeStatus = 'succeeded' | 'retrying' | 'failed' | 'dead';

export type DispatcherDeps = {
  database: Database;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  events: EventsService;
  webhooks: WebhooksService;
  options?: Partial<DispatcherOptions>;
  /** Called once per attempt (metrics). */
  onOutcome?: (status: DeliveryOutcomeStatus) => void;
};

type DueRow = { id: string; webhookId: string; eventId: number; eventType: string; attempt: number };
type WebhookRow = { id: string; url: string; encryptedSecret: string; enabled: number; allowPrivateNetwork: number; consecutiveFailures: number };
type EventRow = { id: number; type: string; payload: string; createdAt: string };
type AttemptResult = {
  ok: boolean;
  /** false: retrying can't help (refused destination, unreadable secret, vanished event). */
  retryable: boolean;
  httpStatus: number | null;
  durationMs: number;
  error: string | null;
  requestExcerpt: string | null;
  responseExcerpt: string | null;
};

export function createWebhookDispatcher(deps: DispatcherDeps) {
  const { database, bus, clock, log, events, webhooks } = deps;
  const options = { ...DEFAULT_DISPATCHER_OPTIONS, ...deps.options };
  const sqlite = database.sqlite;

  const readCursor = sqlite.prepare(`SELECT value FROM "Setting" WHERE key = ?`);
  const writeCursor = sqlite.prepare(
    `INSERT INTO "Setting" (key, value, updatedAt) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updatedAt = excluded.updatedAt`,
  );
  const latestEventId = sqlite.prepare(`SELECT COALESCE(MAX(id), 0) AS id FROM "Event"`);
  const eventsAfter = sqlite.prepare(`SELECT id, type FROM "Event" WHERE id > ? ORDER BY id LIMIT 500`);
  const enabledWebhooks = sqlite.prepare(`SELECT id, eventFilter FROM "Webhook" WHERE enabled = 1`);
  const insertDelivery = sqlite.prepare(
    `INSERT OR IGNORE INTO "WebhookDelivery" (id, webhookId, eventId, eventType, attempt, status, nextAttemptAt, createdAt, updatedAt)
     VALUES (?, ?, ?, ?, 0, 'pending', ?, ?, ?)`,
  );
  const dueDeliveries = sqlite.prepare(
    `SELECT d.id, d.webhookId, d.eventId, d.eventType, d.attempt FROM "WebhookDelivery" d JOIN "Webhook" w ON w.id = d.webhookId
     WHERE d.status IN ('pending', 'retrying') AND d.nextAttemptAt <= ? AND (w.enabled = 1 OR d.eventType = '${TEST_EVENT_TYPE}')
     ORDER BY d.nextAttemptAt LIMIT 200`,
  );
  const webhookById = sqlite.prepare(`SELECT id, url, encryptedSecret, enabled, allowPrivateNetwork, consecutiveFailures FROM "Webhook" WHERE id = ?`);
  const eventById = sqlite.prepare(`SELECT id, type, payload, createdAt FROM "Event" WHERE id = ?`);
  const updateDelivery = sqlite.prepare(
    `UPDATE "WebhookDelivery" SET attempt = attempt + 1, status = ?, httpStatus = ?, durationMs = ?, error = ?, requestExcerpt = ?, responseExcerpt = ?,
     nextAttemptAt = ?, updatedAt = ? WHERE id = ? RETURNING attempt`,
  );
  const insertAttempt = sqlite.prepare(
    `INSERT INTO "WebhookAttempt" (deliveryId, attempt, status, httpStatus, durationMs, error, requestExcerpt, responseExcerpt, createdAt)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const failuresOf = sqlite.prepare(`SELECT consecutiveFailures FROM "Webhook" WHERE id = ?`);
  const markWebhookSuccess = sqlite.prepare(`UPDATE "Webhook" SET consecutiveFailures = 0, lastDeliveryAt = ? WHERE id = ?`);
  const markWebhookFailure = sqlite.prepare(
    `UPDATE "Webhook" SET consecutiveFailures = consecutiveFailures + 1, lastDeliveryAt = ? WHERE id = ? RETURNING consecutiveFailures, enabled, url`,
  );
  const disableWebhook = sqlite.prepare(`UPDATE "Webhook" SET enabled = 0, disabledReason = ?, updatedAt = ? WHERE id = ?`);
  const insertAudit = sqlite.prepare(
    `INSERT INTO "AuditLog" (at, actorType, actorId, actorName, action, targetType, targetId, ip, details) VALUES (?, 'system', NULL, 'webhook dispatcher', ?, 'webhook', ?, NULL, ?)`,
  );

  const inFlight = new Map<string, string>(); // deliveryId → webhookId
  const inFlightRequests = new Set<Promise<void>>();
  let waiters: Array<() => void> = [];
  let pumping = false;
  let pumpAgain = false;
  let claimWanted = false;
  let started = false;
  let stopped = false;
  let pollTimer: ReturnType<typeof setInterval> | undefined;
  let fanOutTimer: ReturnType<typeof setTimeout> | undefined;
  const unsubscribers: Array<() => void> = [];
  /** Last event fanned out; the stored cursor may lag behind it (see the header). */
  let fanOutCursor = -1;
  let storedCursor = -1;

  function notify() {
    const current = waiters;
    waiters = [];
    for (const wake of current) wake();
  }

  function readStoredCursor(): number {
    const row = readCursor.get(FANOUT_CURSOR_KEY) as { value: string } | undefined;
    if (!row) return -1;
    const value = JSON.parse(row.value) as { lastEventId?: unknown };
    return typeof value.lastEventId === 'number' ? value.lastEventId : -1;
  }

  function writeStoredCursor(id: number): void {
    writeCursor.run(FANOUT_CURSOR_KEY, JSON.stringify({ lastEventId: id }), sqliteDate(clock.now()));
    storedCursor = id;
  }

  async function loadCursor() {
    storedCursor = readStoredCursor();
    if (storedCursor < 0) {
      // First start: deliver from now on, not the history that predates every webhook.
      await database.rawTransaction(() => {
        storedCursor = readStoredCursor();
        if (storedCursor < 0) writeStoredCursor((latestEventId.get() as { id: number }).id);
      });
    }
    fanOutCursor = storedCursor;
  }

  /** Stores the in-memory cursor if it moved past the stored one. */
  async function storeCursor(): Promise<void> {
    if (fanOutCursor <= storedCursor) return;
    await database.rawTransaction(() => {
      if (fanOutCursor > storedCursor) writeStoredCursor(fanOutCursor);
    });
  }

  /** Inserts a delivery row per (matching enabled webhook, event) after the cursor; returns how many. */
  async function fanOut(): Promise<number> {
    let created = 0;
    for (;;) {
      const batch = eventsAfter.all(fanOutCursor) as Array<{ id: number; type: string }>;
      const last = batch.at(-1);
      if (!last) return created;
      const targets = (enabledWebhooks.all() as Array<{ id: string; eventFilter: string }>).map((row) => ({ id: row.id, patterns: parseEventFilter(row.eventFilter) }));
      const matches = batch.flatMap((event) => targets.filter((target) => matchesEventFilter(target.patterns, event.type)).map((target) => ({ event, webhookId: target.id })));
      if (matches.length === 0) {
        fanOutCursor = last.id;
      } else {
        const inserted = await database.rawTransaction(() => {
          // Another dispatcher on this database stored a later cursor: take it and look again.
          const stored = readStoredCursor();
          if (stored > storedCursor) {
            storedCursor = stored;
            fanOutCursor = Math.max(fanOutCursor, stored);
            return 0;
          }
          const at = sqliteDate(clock.now());
          for (const { event, webhookId } of matches) insertDelivery.run(randomUUID(), webhookId, event.id, event.type, at, at, at);
          writeStoredCursor(last.id);
          fanOutCursor = last.id;
          return matches.length;
        });
        created += inserted;
      }
      if (batch.length < 500) return created;
    }
  }

  function claimDue(): void {
    const free = options.maxInFlight - inFlight.size;
    if (free <= 0) return;
    const perWebhook = new Map<string, number>();
    for (const webhookId of inFlight.values()) perWebhook.set(webhookId, (perWebhook.get(webhookId) ?? 0) + 1);
    let started = 0;
    for (const row of dueDeliveries.all(sqliteDate(clock.now())) as DueRow[]) {
      if (started >= free) break;
      if (inFlight.has(row.id)) continue;
      const busy = perWebhook.get(row.webhookId) ?? 0;
      if (busy >= options.maxInFlightPerWebhook) continue;
      perWebhook.set(row.webhookId, busy + 1);
      inFlight.set(row.id, row.webhookId);
      started += 1;
      const request = deliver(row)
        .catch((error: unknown) => log.error({ err: error, deliveryId: row.id }, 'webhook delivery crashed'))
        .finally(() => {
          inFlight.delete(row.id);
          inFlightRequests.delete(request);
          notify();
          if (!stopped) kick();
        });
      inFlightRequests.add(request);
    }
  }

  /** One pass: fan out new events, then claim due deliveries if any were created or `claim` asks for it. */
  async function pump(claim: boolean): Promise<void> {
    if (claim) claimWanted = true;
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        if (stopped) break;
        const created = await fanOut();
        if (created > 0 || claimWanted) {
          claimWanted = false;
          claimDue();
        }
      } while (pumpAgain);
    } catch (error) {
      log.error({ err: error }, 'webhook dispatcher pass failed');
    } finally {
      pumping = false;
      notify();
    }
  }

  /** Fan out and look for due deliveries now. */
  function kick(): void {
    if (!started || stopped) return;
    void pump(true);
  }

  /** New events on the bus: one fan-out pass shortly, however many batches arrive meanwhile. */
  function onNewEvents(): void {
    if (fanOutTimer || !started || stopped) return;
    fanOutTimer = setTimeout(() => {
      fanOutTimer = undefined;
      if (started && !stopped) void pump(false);
    }, FANOUT_COALESCE_MS);
  }

  function poll(): void {
    kick();
    storeCursor().catch((error: unknown) => log.error({ err: error }, 'storing the webhook fan-out cursor failed'));
  }

  async function attempt(row: DueRow, webhook: WebhookRow): Promise<AttemptResult> {
    const failure = (error: string, retryable: boolean, requestExcerpt: string | null = null): AttemptResult =>
      ({ ok: false, retryable, httpStatus: null, durationMs: 0, error, requestExcerpt, responseExcerpt: null });
    const event = eventById.get(row.eventId) as EventRow | undefined;
    if (!event) return failure(`event ${row.eventId} is no longer in the outbox (pruned by retention)`, false);
    let secret: string;
    try {
      secret = webhooks.revealSecret(webhook);
    } catch {
      return failure('the webhook secret cannot be decrypted with this server key (was MC_SECRET_KEY changed?); rotate the secret', false);
    }
    const messageId = webhookMessageId(event.id);
    const body = JSON.stringify({ id: messageId, type: event.type, createdAt: new Date(event.createdAt).toISOString(), data: JSON.parse(event.payload) as unknown });
    const headers = standardWebhookHeaders(secret, messageId, Math.floor(clock.nowMs() / 1000), body);
    const url = new URL(webhook.url);
    const requestExcerpt = excerptRequest(url, headers, body);
    const redact = (text: string) => redactSecrets(text, [secret, secret.slice('whsec_'.length), headers['webhook-signature']?.slice(3) ?? '']);
    let pinned: Awaited<ReturnType<typeof pinDestination>>;
    try {
      pinned = await pinDestination(url, webhook.allowPrivateNetwork === 1, options.resolveHost);
    } catch (error) {
      if (error instanceof DestinationRefusedError) return failure(error.message, error.retryable, requestExcerpt);
      throw error;
    }
    const outcome = await sendPinnedRequest({ url, pinned, headers, body, timeoutMs: options.timeoutMs, maxResponseBytes: options.maxResponseBytes });
    if (outcome.kind === 'error') return { ...failure(outcome.error, true, requestExcerpt), durationMs: outcome.durationMs };
    const responseExcerpt = redact(excerptResponse(outcome));
    const base = { httpStatus: outcome.status, durationMs: outcome.durationMs, requestExcerpt, responseExcerpt };
    if (outcome.status >= 200 && outcome.status < 300) return { ...base, ok: true, retryable: false, error: null };
    if (outcome.status >= 300 && outcome.status < 400) {
      return { ...base, ok: false, retryable: true, error: `redirect not followed (HTTP ${outcome.status}${outcome.location ? ` to ${outcome.location.slice(0, 200)}` : ''}); point the webhook at the final URL` };
    }
    return { ...base, ok: false, retryable: true, error: `HTTP ${outcome.status}` };
  }

  async function deliver(row: DueRow): Promise<void> {
    const webhook = webhookById.get(row.webhookId) as WebhookRow | undefined;
    if (!webhook) return; // deleted; its deliveries went with it
    const result = await attempt(row, webhook);
    if (stopped) return; // shutting down: the delivery stays due and is re-sent after the restart
    const isTest = row.eventType === TEST_EVENT_TYPE;
    const published: BusEvent[] = [];
    let status: DeliveryOutcomeStatus = 'succeeded';
    await database.rawTransaction(() => {
      const now = clock.now();
      const at = sqliteDate(now);
      let nextAttemptAt: string | null = null;
      if (!result.ok) {
        // A test event is one attempt only; other failures follow the retry schedule until it runs out.
        const delay = result.retryable && !isTest ? retryDelayMs(row.attempt + 1, options.random) : null;
        status = delay !== null ? 'retrying' : result.retryable && !isTest ? 'dead' : 'failed';
        if (delay !== null) nextAttemptAt = sqliteDate(new Date(now.getTime() + delay));
      }
      const updated = updateDelivery.get(status, result.httpStatus, result.durationMs, result.error, result.requestExcerpt, result.responseExcerpt, nextAttemptAt, at, row.id) as
        | { attempt: number }
        | undefined;
      if (!updated) return; // webhook deleted while in flight
      insertAttempt.run(row.id, updated.attempt, result.ok ? 'succeeded' : 'failed', result.httpStatus, result.durationMs, result.error, result.requestExcerpt, result.responseExcerpt, at);
      if (isTest) return;
      // Entering or leaving a failing run is an event for everyone who sees the attention view: host only (URL paths can be secrets).
      const host = new URL(webhook.url).host;
      if (result.ok) {
        const before = failuresOf.get(row.webhookId) as { consecutiveFailures: number } | undefined;
        markWebhookSuccess.run(at, row.webhookId);
        if (before && before.consecutiveFailures >= FAILING_WEBHOOK_AFTER) {
          published.push(events.recordRaw(sqlite, { type: 'webhook.recovered', payload: { webhookId: row.webhookId, host, failuresBefore: before.consecutiveFailures } }));
        }
        return;
      }
      const counters = markWebhookFailure.get(at, row.webhookId) as { consecutiveFailures: number; enabled: number; url: string } | undefined;
      if (counters && counters.consecutiveFailures === FAILING_WEBHOOK_AFTER) {
        published.push(events.recordRaw(sqlite, { type: 'webhook.failing', payload: { webhookId: row.webhookId, host, consecutiveFailures: counters.consecutiveFailures } }));
      }
      if (counters && counters.enabled === 1 && counters.consecutiveFailures >= options.disableAfterFailures) {
        const reason = `Disabled automatically after ${counters.consecutiveFailures} consecutive failed deliveries (last: ${result.error ?? 'failed'})`;
        disableWebhook.run(reason, at, row.webhookId);
        insertAudit.run(at, 'webhook.auto_disabled', row.webhookId, JSON.stringify({ consecutiveFailures: counters.consecutiveFailures, lastError: result.error }));
        published.push(
          events.recordRaw(sqlite, {
            type: 'webhook.disabled',
            minRole: 'admin',
            payload: { webhookId: row.webhookId, url: counters.url, consecutiveFailures: counters.consecutiveFailures, reason, automatic: true },
          }),
        );
      }
    });
    if (published.some((event) => event.type === 'webhook.disabled')) log.warn({ webhookId: row.webhookId }, 'webhook disabled after consecutive failures');
    if (published.length) events.publish(published);
    deps.onOutcome?.(status);
  }

  return {
    async start(): Promise<void> {
      if (started) return;
      started = true;
      stopped = false;
      await loadCursor();
      unsubscribers.push(bus.subscribe(() => onNewEvents()), webhooks.onWork(() => kick()));
      pollTimer = setInterval(poll, options.pollIntervalMs);
      pollTimer.unref();
      kick();
    },
    /** Stops claiming work and waits (up to stopGraceMs) for requests in flight. */
    async stop(): Promise<void> {
      if (!started || stopped) return;
      clearInterval(pollTimer);
      clearTimeout(fanOutTimer);
      fanOutTimer = undefined;
      for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
      const grace = new Promise<void>((resolve) => setTimeout(resolve, options.stopGraceMs).unref());
      stopped = true;
      await Promise.race([Promise.all([...inFlightRequests]), grace]);
      while (pumping) await new Promise<void>((resolve) => waiters.push(resolve));
      await storeCursor();
    },
    /** Looks for new events and due deliveries now (the poll timer does this every pollIntervalMs). */
    kick,
    /** Resolves once nothing is in flight and nothing is due at the clock's current time (tests, bench). */
    async idle(): Promise<void> {
      for (;;) {
        if (!pumping && inFlight.size === 0) {
          await pump(true);
          if (!pumping && inFlight.size === 0) return;
        }
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    inFlightCount: () => inFlight.size,
  };
}

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>;

function excerptRequest(url: URL, headers: Record<string, string>, body: string): string {
  // Only the origin: paths and queries of chat-bot URLs are often secrets themselves.
  const lines = [`POST ${url.origin}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${name === 'webhook-signature' ? 'v1,[redacted]' : value}`);
  return `${lines.join('\n')}\n\n${truncate(body)}`;
}

function excerptResponse(outcome: { status: number; contentType: string | null; location: string | null; body: string; truncated: boolean }): string {
  const lines = [`HTTP ${outcome.status}`];
  if (outcome.contentType) lines.push(`content-type: ${outcome.contentType}`);
  if (outcome.location) lines.push(`location: ${outcome.location.slice(0, 500)}`);
  const body = truncate(outcome.body);
  return `${lines.join('\n')}\n\n${body}${outcome.truncated && body.length === outcome.body.length ? '\n…(response cut off)' : ''}`;
}

function truncate(text: string): string {
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}\n…(${text.length - EXCERPT_CHARS} more characters)` : text;
}

/** Receivers sometimes echo what they got; never store a secret or signature they sent back. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let redacted = text.replace(/whsec_[A-Za-z0-9+/=]+/g, 'whsec_[redacted]');
  for (const secret of secrets) if (secret.length >= 8) redacted = redacted.split(secret).join('[redacted]');
  return redacted;
}
