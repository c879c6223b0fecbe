// The gateway manager (ARCHITECTURE.md §4): one connection per enabled gateway, created from its row
// (secrets opened with the server key), reloaded when an admin edits it, stopped when it is removed.
// Status transitions are persisted and published as gateway.updated (never per tick or per RPC).
// Started and stopped by apps/server; until start() nothing connects (tests of the CRUD stay offline).
import type { Database } from '@mc/db';
import type { Clock } from '../../clock.ts';
import type { BusEvent } from '../../events/bus.ts';
import type { EventsService } from '../../events/service.ts';
import type { Logger } from '../../logger.ts';
import { APP_VERSION } from '../../system/service.ts';
import type { UsageWriter } from '../../usage/usage-writer.ts';
import { openGatewaySecret, openIdentity, sealGatewaySecret, sealNewIdentity } from '../gateway-secrets.ts';
import { type GatewayRow, type GatewayView, type StoredGatewayError, toGatewayView } from '../gateway-views.ts';
import type { BackoffOptions } from '../protocol/backoff.ts';
import { DEFAULT_SCOPES } from '../protocol/client-options.ts';
import type { GatewayClientState } from '../protocol/client-state.ts';
import { type MirroredCronRun, readCronRun } from './cron-row.ts';
import { createGatewayConnection, type GatewayConnection, type SyncSummary } from './gateway-connection.ts';
import { createMirrorStore } from './mirror-store.ts';
import { createGatewayUsageImporter } from './usage-import.ts';

export type GatewayManagerOptions = {
  handshakeTimeoutMs?: number;
  rpcTimeoutMs?: number;
  backoff?: Partial<BackoffOptions>;
  pairingRetryMs?: number;
  /** buffered session changes are written after this delay (default 50 ms) */
  flushMs?: number;
  /** how often SDK usage is checked against gateway usage (default 60 s) */
  reconcileIntervalMs?: number;
};

export type GatewayManagerDeps = {
  database: Database;
  clock: Clock;
  events: EventsService;
  usageWriter: UsageWriter;
  secretKey: Buffer;
  log: Logger;
  options?: GatewayManagerOptions | undefined;
  onUsageRemoved?: (sqlite: Database['sqlite']) => void;
};

export const ADMIN_SCOPES = [...DEFAULT_SCOPES, 'operator.admin'];

type Transition = string;

export function createGatewayManager(deps: GatewayManagerDeps) {
  const { database, clock, events, secretKey } = deps;
  const db = database.prisma;
  const options = deps.options ?? {};
  const log = deps.log.child({ component: 'gateway-manager' });
  const store = createMirrorStore({ database, events, clock });
  const usage = createGatewayUsageImporter({ database, events, usageWriter: deps.usageWriter, ...(deps.onUsageRemoved ? { onUsageRemoved: deps.onUsageRemoved } : {}) });
  const connections = new Map<string, GatewayConnection>();
  const transitions = new Map<string, Transition>();
  const statusQueues = new Map<string, Promise<void>>();
  const lifecycleQueues = new Map<string, Promise<void>>();
  const publishedCounts = new Map<string, string>();
  const syncListeners = new Set<(gatewayId: string, summary: SyncSummary) => void>();
  let started = false;
  let reconcileTimer: ReturnType<typeof setInterval> | null = null;

  async function start(): Promise<void> {
    if (started) return;
    started = true;
    const rows = database.sqlite.prepare('SELECT id FROM "Gateway" WHERE enabled = 1').all() as Array<{ id: string }>;
    for (const row of rows) await reload(row.id);
    reconcileTimer = setInterval(() => {
      usage.reconcileSdkUsage().catch((error: unknown) => log.error({ err: error }, 'SDK/gateway usage reconciliation failed'));
    }, options.reconcileIntervalMs ?? 60_000);
    reconcileTimer.unref();
  }

  async function stop(): Promise<void> {
    started = false;
    if (reconcileTimer !== null) clearInterval(reconcileTimer);
    reconcileTimer = null;
    await Promise.all([...lifecycleQueues.values()]);
    await Promise.all([...connections.keys()].map((id) => disconnect(id)));
    await Promise.all([...statusQueues.values()]);
  }

  function disconnect(gatewayId: string): Promise<void> {
    return serialized(gatewayId, () => disconnectNow(gatewayId));
  }

  async function disconnectNow(gatewayId: string): Promise<void> {
    const connection = connections.get(gatewayId);
    connections.delete(gatewayId);
    transitions.delete(gatewayId);
    if (connection !== undefined) await connection.stop();
  }

  /** One reload/disconnect at a time per gateway, so two quick edits never leave two connections. */
  function serialized(gatewayId: string, work: () => Promise<void>): Promise<void> {
    const previous = lifecycleQueues.get(gatewayId) ?? Promise.resolve();
    const next = previous.then(work, work);
    lifecycleQueues.set(gatewayId, next);
    void next.finally(() => {
      if (lifecycleQueues.get(gatewayId) === next) lifecycleQueues.delete(gatewayId);
    }).catch(() => undefined);
    return next;
  }

  /** (Re)creates the connection from the current row; stops it when the row is gone or disabled. */
  function reload(gatewayId: string): Promise<void> {
    return serialized(gatewayId, () => reloadNow(gatewayId));
  }

  async function reloadNow(gatewayId: string): Promise<void> {
    await disconnectNow(gatewayId);
    if (!started) return;
    const row = await db.gateway.findUnique({ where: { id: gatewayId } });
    if (row === null || !row.enabled || !started) return;
    let identitySealed = row.identitySealed;
    if (identitySealed === null) {
      identitySealed = sealNewIdentity(secretKey, row.id);
      await database.transaction((tx) => tx.gateway.update({ where: { id: row.id }, data: { identitySealed } }));
    }
    let connection: GatewayConnection;
    try {
      const secret = openGatewaySecret(secretKey, row.id, 'secret', row.secretSealed);
      const auth = secret === null ? {} : row.authMode === 'password' ? { password: secret } : row.authMode === 'token' ? { token: secret } : {};
      connection = createGatewayConnection(
        {
          id: row.id, name: row.name, url: row.url, lastConnectedAt: row.lastConnectedAt,
          clientOptions: {
            url: row.url, auth, identity: openIdentity(secretKey, row.id, identitySealed),
            deviceToken: openGatewaySecret(secretKey, row.id, 'device-token', row.deviceTokenSealed),
            scopes: row.requestAdminScope ? ADMIN_SCOPES : DEFAULT_SCOPES, clientVersion: APP_VERSION, displayName: 'Mission Control',
            ...(options.handshakeTimeoutMs === undefined ? {} : { handshakeTimeoutMs: options.handshakeTimeoutMs }),
            ...(options.rpcTimeoutMs === undefined ? {} : { rpcTimeoutMs: options.rpcTimeoutMs }),
            ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
            ...(options.pairingRetryMs === undefined ? {} : { pairingRetryMs: options.pairingRetryMs }),
          },
        },
        {
          database, clock, events, store, usage, flushMs: options.flushMs ?? 50, log: log.child({ gatewayId: row.id, gateway: row.name }),
          onState: (state) => onState(row.id, state),
          onDeviceToken: (issued) => void persist(row.id, 'device token', () => saveDeviceToken(row.id, issued.deviceToken, issued.scopes)),
          onDeviceTokenRejected: () => void persist(row.id, 'device token dropped', () => saveDeviceToken(row.id, null, [])),
          onSynced: (summary) => {
            void persist(row.id, 'counts', () => publishIfCountsChanged(row.id));
            for (const listener of syncListeners) listener(row.id, summary);
          },
        },
      );
    } catch (error) {
      // A key that does not open (MC_SECRET_KEY changed) must not take the server down.
      log.error({ gatewayId, err: error instanceof Error ? error.message : String(error) }, 'cannot open gateway secrets');
      await persistStatus(gatewayId, 'auth_failed', {
        code: 'SECRET_UNREADABLE', message: 'the stored gateway secrets cannot be decrypted with the current server key',
        hint: 'MC_SECRET_KEY or the key file changed: re-enter the gateway token (edit the gateway)',
      }, null);
      return;
    }
    connections.set(gatewayId, connection);
    connection.start();
  }

  function persist(gatewayId: string, label: string, work: () => Promise<void>): Promise<void> {
    const previous = statusQueues.get(gatewayId) ?? Promise.resolve();
    const next = previous.then(work).catch((error: unknown) => log.error({ gatewayId, err: error, work: label }, 'gateway state write failed'));
    statusQueues.set(gatewayId, next);
    return next;
  }

  async function saveDeviceToken(gatewayId: string, deviceToken: string | null, scopes: string[]): Promise<void> {
    await database.transaction((tx) => tx.gateway.updateMany({
      where: { id: gatewayId },
      data: {
        deviceTokenSealed: deviceToken === null ? null : sealGatewaySecret(secretKey, gatewayId, 'device-token', deviceToken),
        deviceTokenScopes: JSON.stringify(scopes), updatedAt: clock.now(),
      },
    }));
  }

  function onState(gatewayId: string, state: GatewayClientState): void {
    const key: Transition = JSON.stringify([state.status, state.lastError?.code ?? null, state.lastError?.message ?? null, state.pairing?.requestId ?? null,
      state.scopes, state.serverVersion, state.protocol]);
    if (transitions.get(gatewayId) === key) return;
    transitions.set(gatewayId, key);
    const stored: StoredGatewayError | null = state.lastError === null ? null : { ...state.lastError, pairing: state.pairing };
    void persist(gatewayId, 'status', () => persistStatus(gatewayId, state.status === 'idle' ? 'connecting' : state.status, stored, state));
  }

  async function persistStatus(gatewayId: string, status: string, lastError: StoredGatewayError | null, state: GatewayClientState | null): Promise<void> {
    await events.transaction(async (tx, emit) => {
      const exists = await tx.gateway.findUnique({ where: { id: gatewayId }, select: { id: true } });
      if (exists === null) return;
      const row = await tx.gateway.update({
        where: { id: gatewayId },
        data: {
          status, lastError: lastError === null ? null : JSON.stringify(lastError), updatedAt: clock.now(),
          ...(state === null ? {} : { latencyMs: state.latencyMs, serverVersion: state.serverVersion, protocol: state.protocol }),
          ...(state?.status === 'ready' ? { lastConnectedAt: clock.now() } : {}),
        },
      });
      const view = await viewOf(row, tx);
      publishedCounts.set(gatewayId, JSON.stringify(view.counts));
      await emit({ type: 'gateway.updated', payload: { gatewayId, gateway: view } });
    });
  }

  /** After a resync: the row's counts (agents, sessions, cron jobs) changed → one gateway.updated. */
  async function publishIfCountsChanged(gatewayId: string): Promise<void> {
    const row = await db.gateway.findUnique({ where: { id: gatewayId } });
    if (row === null) return;
    const view = await viewOf(row);
    const counts = JSON.stringify(view.counts);
    if (publishedCounts.get(gatewayId) === counts) return;
    publishedCounts.set(gatewayId, counts);
    await events.emit({ type: 'gateway.updated', payload: { gatewayId, gateway: view } });
  }

  type CountsClient = Pick<typeof db, 'agent' | 'gatewaySession' | 'cronJob'>;

  async function viewOf(row: GatewayRow, client: CountsClient = db): Promise<GatewayView> {
    const [agents, sessions, cronJobs] = await Promise.all([
      client.agent.count({ where: { gatewayId: row.id, source: 'gateway' } }),
      client.gatewaySession.count({ where: { gatewayId: row.id } }),
      client.cronJob.count({ where: { gatewayId: row.id } }),
    ]);
    return toGatewayView(row, live(row.id), { agents, sessions, cronJobs });
  }

  function live(gatewayId: string) {
    const connection = connections.get(gatewayId);
    return connection === undefined ? null : { state: connection.state(), health: connection.health(), usageTotals: connection.usageTotals() };
  }

  return {
    start,
    stop,
    reload,
    disconnect,
    viewOf,
    connection: (gatewayId: string) => connections.get(gatewayId),
    retryNow(gatewayId: string): boolean {
      const connection = connections.get(gatewayId);
      connection?.client.retryNow();
      return connection !== undefined;
    },
    isStarted: () => started,
    /** Mirror write after a delete on the gateway: the row goes now, not at the next resync. */
    async removeSession(gatewayId: string, gatewayName: string, sessionKey: string): Promise<void> {
      const emitted: BusEvent[] = [];
      await database.rawTransaction(() => store.removeSession({ id: gatewayId, name: gatewayName }, sessionKey, emitted));
      events.publish(emitted);
    },
    /** cron.runs entries fetched on demand; new ones are announced like live runs. */
    async ingestCronRuns(gatewayId: string, gatewayName: string, entries: readonly unknown[]): Promise<void> {
      const runs = entries.map(readCronRun).filter((run): run is MirroredCronRun => run !== null);
      if (runs.length === 0) return;
      const emitted: BusEvent[] = [];
      await database.rawTransaction(() => store.insertCronRuns({ id: gatewayId, name: gatewayName }, runs, () => true, emitted));
      events.publish(emitted);
    },
    reconcileSdkUsage: () => usage.reconcileSdkUsage(),
    onSynced(listener: (gatewayId: string, summary: SyncSummary) => void): () => void {
      syncListeners.add(listener);
      return () => syncListeners.delete(listener);
    },
    /** Pending status/device-token writes of one gateway are done. */
    settled: async (gatewayId: string) => {
      await statusQueues.get(gatewayId);
    },
  };
}

export type GatewayManager = ReturnType<typeof createGatewayManager>;
