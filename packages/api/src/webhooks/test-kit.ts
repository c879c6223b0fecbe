// Test helpers for webhooks (not shipped): a programmable local receiver on 127.0.0.1:0 that records
// every request, and a harness with a migrated temp database, services and a dispatcher on a fake clock.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, openDatabase } from '@mc/db';
import type { UserActor } from '../auth/roles.ts';
import { createFakeClock, type FakeClock } from '../clock.ts';
import { createEventBus } from '../events/bus.ts';
import { silentLogger } from '../logger.ts';
import { createServices, type Services } from '../services.ts';
import { createWebhookDispatcher, type DispatcherOptions, type WebhookDispatcher } from './dispatcher.ts';

export type ReceivedRequest = { method: string; url: string; headers: Record<string, string>; body: string };
export type ReceiverHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export type Receiver = {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Replaces how the receiver answers (default: 200 "ok"). */
  respondWith(handler: ReceiverHandler): void;
  close(): Promise<void>;
};

export async function startReceiver(handler?: ReceiverHandler): Promise<Receiver> {
  let current: ReceiverHandler = handler ?? ((_req, res) => res.end('ok'));
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers, body });
      current(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    requests,
    respondWith(next) {
      current = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const TEST_ADMIN_ACTOR: UserActor = { kind: 'user', userId: 'admin-1', username: 'ada', role: 'admin' };
export const TEST_META = { ip: '127.0.0.1', userAgent: 'vitest' };

export type WebhookHarness = {
  database: Database;
  services: Services;
  dispatcher: WebhookDispatcher;
  clock: FakeClock;
  secretKey: Buffer;
  file: string;
  /** Stops the dispatcher and closes the database, keeping the file (a process going away). */
  shutdown(): Promise<void>;
  close(): Promise<void>;
};

/** Deterministic defaults: no jitter (random 0.5), short timeout, no poll timer (tests call kick/idle). */
export const TEST_DISPATCHER_OPTIONS: Partial<DispatcherOptions> = { timeoutMs: 500, pollIntervalMs: 3_600_000, random: () => 0.5, stopGraceMs: 1_000 };

export async function startWebhookHarness(
  options: { dispatcher?: Partial<DispatcherOptions>; clock?: FakeClock; file?: string; secretKey?: Buffer } = {},
): Promise<WebhookHarness> {
  const dir = options.file ? null : mkdtempSync(join(tmpdir(), 'mc-webhooks-'));
  const file = options.file ?? join(dir ?? '', 'test.db');
  const database = await openDatabase({ file });
  // Near real time: standard verifiers reject timestamps more than 5 minutes from their own clock.
  const clock = options.clock ?? createFakeClock(new Date(Math.floor(Date.now() / 1000) * 1000));
  const secretKey = options.secretKey ?? randomBytes(32);
  const bus = createEventBus();
  const services = createServices({ database, clock, bus, log: silentLogger, secretKey });
  const dispatcher = createWebhookDispatcher({
    database, bus, clock, log: silentLogger, events: services.events, webhooks: services.webhooks,
    options: { ...TEST_DISPATCHER_OPTIONS, ...options.dispatcher },
  });
  await dispatcher.start();
  let down = false;
  async function shutdown() {
    if (down) return;
    down = true;
    await dispatcher.stop();
    await database.close();
  }
  return {
    database, services, dispatcher, clock, secretKey, file, shutdown,
    async close() {
      await shutdown();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
