// One configured gateway: its protocol client, the resync after every hello or seq gap, and the event
// mirror (sessions.changed → batched session upserts, session.message → usage, cron → jobs and runs,
// agent lifecycle → busy). All database work runs on one serial queue per gateway; every handler logs
// and swallows its failure, so a misbehaving gateway can never crash or stall the server.
import type { Database } from '@mc/db';
import type { Clock } from '../../clock.ts';
import type { BusEvent } from '../../events/bus.ts';
import type { EventsService } from '../../events/service.ts';
import type { Logger } from '../../logger.ts';
import type { GatewayClient, GatewayClientOptions, GatewayEvent } from '../protocol/client-options.ts';
import type { GatewayClientState } from '../protocol/client-state.ts';
import { createGatewayClient } from '../protocol/gateway-client.ts';
import type { HelloOk } from '../protocol/frames.ts';
import { readCronJob, readCronRun } from './cron-row.ts';
import type { AgentLink, GatewayRef, MirrorStore } from './mirror-store.ts';
import { readGatewaySnapshot } from './mirror-sync.ts';
import { asList, asRecord, type Payload, readString } from './payload-readers.ts';
import { type MirroredSession, sessionFromChange } from './session-row.ts';
import { createSessionUsageTracker } from './session-usage.ts';
import { type GatewayUsageTotals, readFreshUsageTotals, USAGE_TOTALS_DAYS, USAGE_TOTALS_REFRESH_MS, USAGE_TOTALS_RETRY_MS } from './usage-totals.ts';
import { type GatewayUsageImporter, readMessageUsage } from './usage-import.ts';

export type ConnectionSettings = {
  id: string;
  name: string;
  url: string;
  clientOptions: Omit<GatewayClientOptions, 'log' | 'onState' | 'onEvent' | 'onHello' | 'onDeviceToken' | 'onDeviceTokenRejected'>;
  /** previous lastConnectedAt: cron runs newer than this are announced (cron.run / cron.failed) */
  lastConnectedAt: Date | null;
};

export type ConnectionDeps = {
  database: Database;
  clock: Clock;
  events: EventsService;
  store: MirrorStore;
  usage: GatewayUsageImporter;
  log: Logger;
  /** delay before buffered session changes are written (one transaction per flush) */
  flushMs: number;
  onState(state: GatewayClientState): void;
  onDeviceToken(issued: { deviceToken: string; scopes: string[]; issuedAtMs: number }): void;
  onDeviceTokenRejected(): void;
  onSynced?(summary: SyncSummary): void;
};

export type SyncSummary = { sessions: number; cronJobs: number; cronRuns: number; agents: number; durationMs: number };


export function createGatewayConnection(settings: ConnectionSettings, deps: ConnectionDeps) {
  const { database, clock, events, store, usage } = deps;
  const log = deps.log;
  const gateway: GatewayRef = { id: settings.id, name: settings.name };
  let links = new Map<string, AgentLink>();
  let queue: Promise<void> = Promise.resolve();
  let generation = 0;
  let syncing = false;
  let resyncRequested = false;
  let stopped = false;
  let ready = false;
  let announceRunsAfter = settings.lastConnectedAt;
  const pendingSessions = new Map<string, MirroredSession>();
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  let health: { ok: boolean | null; at: string } | null = null;
  let presenceCount: number | null = null;
  let lastSync: SyncSummary | null = null;
  let usageTotals: GatewayUsageTotals | null = null;
  let usageTotalsTimer: ReturnType<typeof setTimeout> | null = null;
  const findSession = database.sqlite.prepare(`SELECT raw, busy FROM "GatewaySession" WHERE gatewayId = ? AND sessionKey = ?`);
  const sessionsNeedingUsage = database.sqlite.prepare(`SELECT sessionKey FROM "GatewaySession" WHERE gatewayId = ?
    AND COALESCE(outputTokens, 0) + COALESCE(inputTokens, 0) > 0 AND (usageSyncedAt IS NULL OR usageSyncedAt < activityAt)`);

  const client: GatewayClient = createGatewayClient({
    ...settings.clientOptions,
    log,
    onState: (state) => {
      const wasReady = ready;
      ready = state.status === 'ready';
      if (wasReady && !ready) enqueue('mark offline', markNotReady);
      deps.onState(state);
    },
    onHello: (hello) => onHello(hello),
    onEvent: (event) => onEvent(event),
    onDeviceToken: (issued) => deps.onDeviceToken(issued),
    onDeviceTokenRejected: () => deps.onDeviceTokenRejected(),
  });

  const usageTracker = createSessionUsageTracker({
    gateway, clock, log, usage, store, database, enqueue,
    call: (method, params) => call(method, params),
    links: () => links,
    active: () => ready && !stopped,
  });

  /** Serial DB work; a failure is logged and the queue goes on. */
  function enqueue(label: string, work: () => Promise<void> | void): Promise<void> {
    const next = queue.then(async () => {
      if (stopped && label !== 'flush') return;
      try {
        await work();
      } catch (error) {
        log.error({ err: error, work: label }, 'gateway mirror work failed; continuing');
      }
    });
    queue = next;
    return next;
  }

  async function write(work: (emitted: BusEvent[]) => void): Promise<void> {
    const emitted: BusEvent[] = [];
    await database.rawTransaction(() => work(emitted));
    events.publish(emitted);
  }

  function call(method: string, params?: unknown, options?: { timeoutMs?: number }): Promise<unknown> {
    return client.call(method, params, options);
  }

  // ---------- resync ----------

  function onHello(hello: HelloOk): void {
    generation += 1;
    usageTracker.resetSubscriptions();
    const snapshotHealth = asRecord(asRecord(hello.snapshot).health);
    health = Object.keys(snapshotHealth).length > 0 ? { ok: typeof snapshotHealth.ok === 'boolean' ? snapshotHealth.ok : null, at: clock.now().toISOString() } : health;
    presenceCount = asList(asRecord(hello.snapshot).presence).length;
    requestResync();
  }

  function requestResync(): void {
    if (syncing) {
      resyncRequested = true;
      return;
    }
    syncing = true;
    void runResync();
  }

  async function runResync(): Promise<void> {
    try {
      do {
        resyncRequested = false;
        await resyncOnce();
      } while (resyncRequested && !stopped);
    } catch (error) {
      log.error({ err: error }, 'gateway resync failed');
    } finally {
      syncing = false;
      if (pendingSessions.size > 0) scheduleFlush();
    }
  }

  async function resyncOnce(): Promise<void> {
    const startedAt = clock.nowMs();
    const myGeneration = generation;
    const snapshot = await readGatewaySnapshot((method, params) => call(method, params), log);
    if (myGeneration !== generation || stopped) return;
    const serverVersion = client.state().serverVersion;
    const announceAfter = announceRunsAfter;
    await enqueue('resync write', () =>
      write((emitted) => {
        if (snapshot.agents !== null) links = store.upsertAgents(gateway, snapshot.agents, serverVersion, emitted);
        else links = store.agentLinks(gateway.id);
        if (snapshot.sessions !== null) {
          store.upsertSessions(gateway, snapshot.sessions.rows, links, emitted);
          if (snapshot.sessions.complete) store.removeSessionsExcept(gateway, new Set(snapshot.sessions.rows.map((row) => row.sessionKey)), emitted);
        }
        if (snapshot.cronJobs !== null) {
          store.upsertCronJobs(gateway, snapshot.cronJobs.rows, emitted);
          if (snapshot.cronJobs.complete) store.removeCronJobsExcept(gateway, new Set(snapshot.cronJobs.rows.map((job) => job.jobId)), emitted);
        }
        if (snapshot.cronRuns !== null) {
          store.insertCronRuns(gateway, snapshot.cronRuns, (run) => announceAfter !== null && run.runAt > announceAfter, emitted);
        }
        store.refreshAgentStatuses(gateway.id, ready, emitted);
      }),
    );
    announceRunsAfter = clock.now();
    lastSync = {
      sessions: snapshot.sessions?.rows.length ?? 0, cronJobs: snapshot.cronJobs?.rows.length ?? 0, cronRuns: snapshot.cronRuns?.length ?? 0,
      agents: snapshot.agents?.length ?? 0, durationMs: clock.nowMs() - startedAt,
    };
    log.info({ ...lastSync }, 'gateway mirror synced');
    deps.onSynced?.(lastSync);
    void refreshUsageTotals();
    usageTracker.queue((sessionsNeedingUsage.all(gateway.id) as { sessionKey: string }[]).map((row) => row.sessionKey));
  }

  // ---------- events ----------

  function onEvent(event: GatewayEvent): void {
    try {
      if (event.gap) {
        requestResync();
        return;
      }
      switch (event.event) {
        case 'sessions.changed':
          onSessionChanged(event.payload);
          return;
        case 'session.message':
          onSessionMessage(event.payload);
          return;
        case 'cron':
          onCron(event.payload);
          return;
        case 'agent':
          onAgentStream(event.payload);
          return;
        case 'health':
          health = { ok: typeof asRecord(event.payload).ok === 'boolean' ? Boolean(asRecord(event.payload).ok) : null, at: clock.now().toISOString() };
          return;
        case 'presence':
          presenceCount = asList(asRecord(event.payload).presence).length;
          return;
        default:
          // chat deltas, ticks, tasks…: nothing to persist (chat is rendered from the transcript on demand).
          return;
      }
    } catch (error) {
      log.error({ err: error, event: event.event }, 'gateway event handler failed; ignored');
    }
  }

  function currentSession(sessionKey: string): { raw: Payload | null; busy: boolean } {
    const pending = pendingSessions.get(sessionKey);
    if (pending !== undefined) return { raw: pending.raw, busy: pending.busy };
    const row = findSession.get(gateway.id, sessionKey) as { raw: string; busy: number } | undefined;
    if (row === undefined) return { raw: null, busy: false };
    try {
      return { raw: asRecord(JSON.parse(row.raw)), busy: row.busy === 1 };
    } catch {
      return { raw: null, busy: row.busy === 1 };
    }
  }

  function onSessionChanged(payload: unknown): void {
    const sessionKey = readString(asRecord(payload).sessionKey) ?? readString(asRecord(asRecord(payload).session).key);
    if (sessionKey === null) return; // session-less notices ({reason, ts})
    const before = currentSession(sessionKey);
    const session = sessionFromChange(payload, before.raw);
    if (session === null) return;
    bufferSession(session);
    if (session.busy && !before.busy) usageTracker.subscribeMessages(sessionKey);
    // A run ended: its transcript has the final usage, even if some session.message frames were missed.
    if (before.busy && !session.busy) usageTracker.queue([sessionKey]);
  }

  function onSessionMessage(payload: unknown): void {
    const body = asRecord(payload);
    const sessionKey = readString(body.sessionKey);
    if (sessionKey === null) return;
    if (Object.keys(asRecord(body.session)).length > 0) {
      const session = sessionFromChange(payload, currentSession(sessionKey).raw);
      if (session !== null) bufferSession(session);
    }
    const record = readMessageUsage(body.message, sessionKey, readString(body.messageId), clock.now());
    if (record === null) return;
    const gatewayAgentId = readString(body.agentId) ?? readString(asRecord(body.session).agentId);
    usageTracker.importLive(record, gatewayAgentId);
  }

  function onCron(payload: unknown): void {
    const body = asRecord(payload);
    const jobId = readString(body.jobId);
    const action = readString(body.action);
    if (jobId === null) return;
    if (action === 'removed') {
      enqueue('cron removed', () => write((emitted) => store.removeCronJob(gateway, jobId, emitted)));
      return;
    }
    const job = readCronJob({ id: jobId, ...asRecord(body.job) });
    const run = action === 'finished' ? readCronRun({ jobName: job?.name, ...body }) : null;
    enqueue(`cron ${action ?? 'event'}`, () =>
      write((emitted) => {
        if (job !== null && Object.keys(asRecord(body.job)).length > 0) store.upsertCronJobs(gateway, [job], emitted);
        if (run !== null) store.insertCronRuns(gateway, [run], () => true, emitted);
      }),
    );
  }

  /** lifecycle start/end flips busy before the matching sessions.changed arrives. */
  function onAgentStream(payload: unknown): void {
    const body = asRecord(payload);
    if (body.stream !== 'lifecycle') return;
    const sessionKey = readString(body.sessionKey);
    const phase = readString(asRecord(body.data).phase);
    if (sessionKey === null || (phase !== 'start' && phase !== 'end' && phase !== 'error')) return;
    const before = currentSession(sessionKey);
    if (before.raw === null) return;
    const busy = phase === 'start';
    if (before.busy === busy) return;
    const session = sessionFromChange({ sessionKey, hasActiveRun: busy }, before.raw);
    if (session !== null) bufferSession(session);
    if (busy) usageTracker.subscribeMessages(sessionKey);
  }

  // ---------- gateway totals ----------

  async function refreshUsageTotals(): Promise<void> {
    if (usageTotalsTimer !== null) clearTimeout(usageTotalsTimer);
    usageTotalsTimer = null;
    if (!ready || stopped) return;
    let fresh: GatewayUsageTotals | null = null;
    try {
      fresh = readFreshUsageTotals(await call('usage.cost', { days: USAGE_TOTALS_DAYS }), clock.now());
    } catch (error) {
      log.debug({ err: error instanceof Error ? error.message : String(error) }, 'usage.cost failed');
    }
    if (fresh !== null) usageTotals = fresh;
    if (stopped) return;
    usageTotalsTimer = setTimeout(() => void refreshUsageTotals(), fresh === null ? USAGE_TOTALS_RETRY_MS : USAGE_TOTALS_REFRESH_MS);
    usageTotalsTimer.unref();
  }

  // ---------- batching ----------

  function bufferSession(session: MirroredSession): void {
    pendingSessions.set(session.sessionKey, session);
    scheduleFlush();
  }

  function scheduleFlush(): void {
    if (flushTimer !== null || syncing) return;
    flushTimer = setTimeout(() => {
      flushTimer = null;
      void enqueue('flush', flushSessions);
    }, deps.flushMs);
  }

  async function flushSessions(): Promise<void> {
    if (pendingSessions.size === 0) return;
    const batch = [...pendingSessions.values()];
    pendingSessions.clear();
    await write((emitted) => {
      if (batch.some((session) => session.gatewayAgentId !== null && !links.has(session.gatewayAgentId))) links = store.agentLinks(gateway.id);
      const changedAgents = store.upsertSessions(gateway, batch, links, emitted);
      if (changedAgents.size > 0) store.refreshAgentStatuses(gateway.id, ready, emitted, changedAgents);
    });
  }

  async function markNotReady(): Promise<void> {
    await flushSessions();
    await write((emitted) => store.refreshAgentStatuses(gateway.id, false, emitted));
  }

  // ---------- usage ----------

  return {
    gateway,
    client,
    start: () => client.start(),
    async stop() {
      stopped = true;
      if (flushTimer !== null) clearTimeout(flushTimer);
      flushTimer = null;
      if (usageTotalsTimer !== null) clearTimeout(usageTotalsTimer);
      await client.stop();
      await enqueue('flush', flushSessions);
      await queue;
    },
    state: () => client.state(),
    call,
    resync: requestResync,
    /** Mirror writes queued so far are done (tests, benchmarks). */
    idle: async () => {
      while (syncing || flushTimer !== null || usageTracker.draining()) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await queue;
    },
    health: () => health,
    presenceCount: () => presenceCount,
    lastSync: () => lastSync,
    /** the gateway's own 30-day totals from its last fresh usage.cost answer */
    usageTotals: () => usageTotals,
    refreshUsageTotals,
    /** Runs work on this gateway's mirror queue (sessions/cron services after a gateway action). */
    enqueue,
    write,
  };
}

export type GatewayConnection = ReturnType<typeof createGatewayConnection>;
