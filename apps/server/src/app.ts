// Composition root: database, services, HTTP + WebSocket on one port, background jobs, shutdown.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Clock, createEventBus, createServices, heartbeatWorkerEntry, createWebhookDispatcher, type Logger, type Services, StartupConfigError, systemClock, type WebhookDispatcher,
  type WebhookDispatcherOptions,
} from '@mc/api';
import { type Database, openDatabase } from '@mc/db';
import { type Config, StartupError } from './config.ts';
import { sessionCookieName } from './http/cookies.ts';
import { createRequestHandler } from './http/request-handler.ts';
import { loadStaticSite } from './http/static-files.ts';
import { startHousekeeping } from './housekeeping.ts';
import { startLivenessWatch } from './liveness.ts';
import { createMetrics } from './metrics.ts';
import { createTrpcWebSocket } from './realtime/trpc-websocket.ts';
import { loadSecretKey } from './secret-key.ts';

export type RunningServer = {
  url: string;
  port: number;
  services: Services;
  db: Database;
  secretKey: Buffer;
  webhookDispatcher: WebhookDispatcher;
  setupUrl: string | null;
  close(): Promise<void>;
};

export async function startServer(config: Config, options: { log: Logger; clock?: Clock; webhooks?: Partial<WebhookDispatcherOptions> }): Promise<RunningServer> {
  const { log } = options;
  const clock = options.clock ?? systemClock;
  const db = await openDatabase({ file: config.databaseFile, backgroundCheckpoints: true });
  if (db.migrations.applied.length) log.info({ applied: db.migrations.applied }, 'migrations applied');

  const bus = createEventBus();
  let secretKey: Buffer;
  try {
    // Before the services: they seal secrets at rest with it.
    secretKey = loadSecretKey(config.secretKey, config.dataDir);
  } catch (error) {
    await db.close();
    throw error;
  }
  const services = createServices({
    database: db, clock, bus, log, secretKey, options: { agentOfflineAfterS: config.agentOfflineAfterS, rateLimits: config.rateLimits },
    heartbeatWorker: heartbeatWorkerEntry(),
  });
  let setupToken: string | null = null;
  try {
    const seeded = await services.auth.seedAdmin(config.admin);
    if (seeded === 'setup-required') setupToken = await services.auth.issueSetupToken();
    const seededGateways = await services.gateways.seed(config.gateways);
    if (seededGateways.length) log.info({ gateways: seededGateways }, 'gateways seeded from MC_GATEWAYS');
  } catch (error) {
    await db.close();
    if (error instanceof StartupConfigError) throw new StartupError(error.message);
    throw error;
  }

  const metrics = createMetrics();
  const shutdown = new AbortController();
  const sseClients = { count: 0 };
  let wsConnections = 0;
  metrics.gauge('mc_ws_connections', 'Open tRPC WebSocket connections', () => wsConnections);
  metrics.gauge('mc_sse_clients', 'Open SSE streams', () => sseClients.count);
  metrics.gauge('mc_process_resident_memory_bytes', 'Resident set size', () => process.memoryUsage.rss());
  metrics.gauge('mc_sqlite_wal_checkpoints', 'WAL checkpoints run by the background checkpointer since start', () => db.checkpointer?.stats().checkpoints ?? 0);
  metrics.gauge('mc_sqlite_wal_rewinds', 'Checkpoints with writes held that reached the end of the WAL (the WAL starts over after each)', () => db.checkpointer?.stats().completed ?? 0);
  metrics.gauge('mc_sqlite_wal_hold_max_ms', 'Longest time writes were held for a completing checkpoint since start (ms)', () => db.checkpointer?.stats().maxHoldMs ?? 0);
  metrics.gauge('mc_sqlite_wal_checkpointer_up', '1 while the background WAL checkpointer runs or waits for the WAL to grow; 0 after it failed (SQLite checkpoints in commits again)', () =>
    db.checkpointer?.stats().state === 'failed' ? 0 : 1);
  metrics.gauge('mc_heartbeat_worker_up', '1 while heartbeats are written by the heartbeat worker thread; 0 before the first agent connects or beats, or after it failed (written on the main thread)', () =>
    services.agents.heartbeatThread() === 'worker' ? 1 : 0);
  const countEvents = metrics.counter('mc_events_published_total', 'Domain events published, by type');
  bus.subscribe((event) => countEvents({ type: event.type }));

  const secureCookies = config.trustProxy;
  const cookieName = sessionCookieName(secureCookies);
  const site = loadStaticSite(config.webDist);
  if (!site.available) log.warn({ webDist: config.webDist }, 'web app not built; API only');

  const handleRequest = createRequestHandler({
    config, services, log, metrics, site, cookieName, secureCookies, shutdown: shutdown.signal, sseClients,
    readiness: async () => {
      try {
        db.sqlite.prepare('SELECT 1').get();
        return { ready: true };
      } catch (error) {
        return { ready: false, reason: (error as Error).message };
      }
    },
  });
  const websocket = createTrpcWebSocket({
    services, log, allowedHosts: config.allowedHosts, cookieName, trustProxy: config.trustProxy,
    onConnectionChange: (delta) => {
      wsConnections += delta;
    },
  });

  const server: Server = createServer({ requestTimeout: 60_000, headersTimeout: 20_000 }, (req, res) => {
    void handleRequest(req, res);
  });
  server.on('upgrade', (req, socket, head) => {
    if (!(req.url ?? '').startsWith('/trpc')) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    void websocket.handleUpgrade(req, socket, head);
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(new StartupError(error.code === 'EADDRINUSE' ? `Port ${config.port} is already in use; set PORT to another port.` : `Cannot listen on ${config.host}:${config.port}: ${error.message}`));
    });
    server.listen(config.port, config.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  const stopHousekeeping = startHousekeeping(services, log);
  const stopLiveness = startLivenessWatch(services, log);
  // Pipelines: reconcile open runs, then advance them on task events and a 1 s tick (timeouts, cron).
  const stopPipelines = services.pipelines.startScheduler();
  // OpenClaw gateway connections: never fatal (each gateway reports its own status).
  services.gatewayManager.start().catch((error: unknown) => log.error({ err: error }, 'gateway manager failed to start'));
  const countWebhookOutcomes = metrics.counter('mc_webhook_attempts_total', 'Webhook delivery attempts by resulting status');
  const webhookDispatcher = createWebhookDispatcher({
    database: db, bus, clock, log: log.child({ job: 'webhooks' }), events: services.events, webhooks: services.webhooks,
    ...(options.webhooks ? { options: options.webhooks } : {}),
    onOutcome: (status) => countWebhookOutcomes({ status }),
  });
  await webhookDispatcher.start();
  const setupUrl = setupToken ? `${url}/setup?token=${setupToken}` : null;

  let closing: Promise<void> | null = null;
  async function close() {
    closing ??= (async () => {
      shutdown.abort();
      stopHousekeeping();
      stopLiveness();
      await stopPipelines();
      await services.gatewayManager.stop();
      server.close();
      await websocket.close();
      server.closeAllConnections();
      await webhookDispatcher.stop();
      await services.agents.close();
      await db.close();
    })();
    return closing;
  }

  return { url, port, services, db, secretKey, webhookDispatcher, setupUrl, close };
}

export { StartupError };
