// Gateway mirror (issue #7 §7), in process on a real SQLite file with the production manager settings
// (flush 50 ms) against two fake gateways (captured frames) on loopback:
//   (a) mirror sync: 2 gateways × 500 sessions (paged sessions.subscribe/sessions.list, 200 per page),
//       from "gateway added" to both snapshots written; then a resync of the unchanged mirror (reconnect)
//   (b) gateway event → bus latency: a sessions.changed frame sent by the fake until the matching
//       session.updated event is published on the bus (what tRPC/SSE subscribers receive), 200 samples
//   (c) gateway event → client: the built server (apps/server/dist, MC_GATEWAYS pointing at a fake
//       gateway here) relays the same change to a GET /api/events stream (what the web app's live
//       store sees, minus rendering), 100 samples
// The fake gateways run in this process too, so both sides share the 2 cores: numbers are a ceiling.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type BusEvent, createEventBus, createServices, silentLogger, systemClock } from '../packages/api/src/index.ts';
import { type FakeGateway, startFakeGateway } from '../packages/api/src/gateways/testing/fake-gateway.ts';
import { openDatabase } from '../packages/db/src/index.ts';
import http from 'node:http';
import { type BenchResult, createApiKey, HOST, isMain, printResult, round, startServer, summarize, tempDataDir } from './lib.ts';

const SESSIONS_PER_GATEWAY = 500;
const LATENCY_SAMPLES = 200;
const ADMIN = { kind: 'user', userId: 'bench', username: 'bench', role: 'admin' } as const;
const META = { ip: '127.0.0.1', userAgent: 'bench' };

function sessionRow(index: number, busy = false) {
  return {
    key: `agent:main:bench-${index}`, sessionId: `s-${index}`, kind: 'direct', agentId: 'main', status: busy ? 'running' : 'done', hasActiveRun: busy,
    activeRunIds: busy ? [`run-${index}`] : [], inputTokens: 1000 + index, outputTokens: 12, totalTokens: 1200, contextTokens: 200000,
    estimatedCostUsd: 0.00324, model: 'mock-1', modelProvider: 'mock', updatedAt: Date.now() - index * 1000, label: `bench session ${index}`,
  };
}

/** A fake gateway listing `count` sessions, paged like the real one. */
async function startBenchGateway(count: number): Promise<FakeGateway> {
  const fake = await startFakeGateway();
  const rows = Array.from({ length: count }, (_, index) => sessionRow(index));
  const page = (offset: number, limit: number) => {
    const sessions = rows.slice(offset, offset + limit);
    const next = offset + sessions.length;
    return { ts: Date.now(), count: sessions.length, totalCount: rows.length, hasMore: next < rows.length, nextOffset: next < rows.length ? next : null, sessions };
  };
  fake.setMethod('agents.list', { scope: 'operator.read', handle: () => ({ defaultId: 'main', agents: [{ id: 'main', identity: { name: 'Main' } }] }) });
  fake.setMethod('sessions.subscribe', {
    scope: 'operator.read',
    handle: ({ params, subscriptions }) => {
      subscriptions.sessions = true;
      return { subscribed: true, list: page(0, Number(params.limit ?? 100)) };
    },
  });
  fake.setMethod('sessions.list', { scope: 'operator.read', handle: ({ params }) => page(Number(params.offset ?? 0), Number(params.limit ?? 100)) });
  // Usage backfill is measured by nobody here: transcripts are empty.
  fake.setMethod('chat.history', { scope: 'operator.read', handle: () => ({ messages: [], hasMore: false }) });
  return fake;
}

const CLIENT_SAMPLES = 100;

/** (c): a real server process mirrors a fake gateway; time from the gateway frame to the SSE event. */
async function measureToClient(): Promise<ReturnType<typeof summarize>> {
  const data = tempDataDir('mc-bench-gw-sse-');
  const fake = await startBenchGateway(20);
  const server = await startServer({ dataDir: data.dir, env: { MC_GATEWAYS: JSON.stringify([{ name: 'sse', url: fake.url, token: 'fake-gateway-token' }]) } });
  const waiting = new Map<string, (at: number) => void>();
  let request: http.ClientRequest | null = null;
  try {
    const key = await createApiKey(server.port, 'viewer');
    await new Promise<void>((connected, fail) => {
      request = http.request({ host: HOST, port: server.port, method: 'GET', path: '/api/events', headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' }, agent: false }, (res) => {
        if (res.statusCode !== 200) {
          fail(new Error(`GET /api/events: ${res.statusCode}`));
          return;
        }
        connected();
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const at = performance.now();
          buffer += chunk;
          let end = buffer.indexOf('\n\n');
          while (end !== -1) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
            if (!block.includes('event: session.updated')) continue;
            const line = block.split('\n').find((candidate) => candidate.startsWith('data: '));
            if (!line) continue;
            const event = JSON.parse(line.slice(6)) as { payload?: { session?: { sessionKey?: string } } };
            waiting.get(event.payload?.session?.sessionKey ?? '')?.(at);
          }
        });
        res.on('error', () => undefined);
      });
      request.on('error', fail);
      request.end();
    });
    // connected and past its first sync (the usage backfill reading transcripts comes right after it)
    const deadline = performance.now() + 60_000;
    while (!fake.requests.some((entry) => entry.method === 'chat.history') && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    if (fake.readyConnections !== 1) throw new Error('the server did not connect to the fake gateway within 60 s');
    const samples: number[] = [];
    for (let sample = 0; sample < CLIENT_SAMPLES; sample += 1) {
      const row = { ...sessionRow(sample % 20, sample % 2 === 0), updatedAt: Date.now() + sample };
      const arrived = new Promise<number>((resolve) => waiting.set(row.key, resolve));
      const sentAt = performance.now();
      fake.emit('sessions.changed', { sessionKey: row.key, agentId: 'main', reason: 'bench', ts: Date.now(), session: row });
      samples.push((await arrived) - sentAt);
      waiting.delete(row.key);
    }
    return summarize(samples);
  } finally {
    (request as http.ClientRequest | null)?.destroy();
    await server.stop();
    await fake.close();
    data.remove();
  }
}

export async function run(): Promise<BenchResult> {
  const data = tempDataDir('mc-bench-gw-');
  const database = await openDatabase({ file: join(data.dir, 'bench.db') });
  const bus = createEventBus();
  const services = createServices({ database, clock: systemClock, bus, log: silentLogger, secretKey: randomBytes(32) });
  const fakes = await Promise.all([startBenchGateway(SESSIONS_PER_GATEWAY), startBenchGateway(SESSIONS_PER_GATEWAY)]);
  await services.gatewayManager.start();
  try {
    const syncs: Array<{ gatewayId: string; durationMs: number; at: number }> = [];
    services.gatewayManager.onSynced((gatewayId, summary) => void syncs.push({ gatewayId, durationMs: summary.durationMs, at: performance.now() }));
    const waitForSyncs = async (count: number) => {
      while (syncs.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
    };

    // (a) first sync of both gateways, then a resync after both reconnect
    const started = performance.now();
    const ids: string[] = [];
    for (const [index, fake] of fakes.entries()) {
      const view = await services.gateways.create(ADMIN, { name: `bench-${index}`, url: fake.url, authMode: 'token', secret: 'fake-gateway-token', requestAdminScope: false, enabled: true }, META);
      ids.push(view.id);
    }
    await waitForSyncs(2);
    const firstSyncMs = Math.max(...syncs.map((sync) => sync.at)) - started;
    const mirrored = await database.prisma.gatewaySession.count();
    const restartAt = performance.now();
    await Promise.all(fakes.map((fake) => fake.restart()));
    await waitForSyncs(4);
    const resyncMs = Math.max(...syncs.slice(2).map((sync) => sync.at)) - restartAt;

    // (b) gateway event → bus
    const [fake] = fakes;
    const gatewayId = ids[0];
    if (fake === undefined || gatewayId === undefined) throw new Error('no gateway');
    const waiting = new Map<string, (at: number) => void>();
    bus.subscribe((event: BusEvent) => {
      if (event.type !== 'session.updated') return;
      const key = (event.payload as { session: { sessionKey: string } }).session.sessionKey;
      waiting.get(key)?.(performance.now());
    });
    const latencies: number[] = [];
    for (let sample = 0; sample < LATENCY_SAMPLES; sample += 1) {
      const row = { ...sessionRow(sample % SESSIONS_PER_GATEWAY, sample % 2 === 0), updatedAt: Date.now() + sample };
      const arrived = new Promise<number>((resolve) => waiting.set(row.key, resolve));
      const sentAt = performance.now();
      fake.emit('sessions.changed', { sessionKey: row.key, agentId: 'main', reason: 'bench', ts: Date.now(), session: row });
      latencies.push((await arrived) - sentAt);
      waiting.delete(row.key);
    }
    const latency = summarize(latencies);
    const toClient = await measureToClient();
    return {
      name: 'gateways',
      metrics: [
        { key: 'sync_first_ms', label: `first sync, 2 gateways × ${SESSIONS_PER_GATEWAY} sessions (added → mirrored)`, value: round(firstSyncMs, 0), unit: 'ms', target: '< 5000 ms', pass: firstSyncMs < 5000 },
        { key: 'sync_per_gateway_ms', label: 'snapshot read + write per gateway (after hello)', value: round(Math.max(...syncs.slice(0, 2).map((sync) => sync.durationMs)), 0), unit: 'ms' },
        { key: 'resync_ms', label: 'resync after both gateways restart (unchanged rows)', value: round(resyncMs, 0), unit: 'ms' },
        { key: 'mirrored_sessions', label: 'sessions mirrored', value: mirrored, unit: `of ${2 * SESSIONS_PER_GATEWAY}` },
        { key: 'event_bus_p50_ms', label: 'sessions.changed → session.updated on the bus, p50', value: round(latency.p50, 1), unit: 'ms' },
        { key: 'event_bus_p90_ms', label: 'sessions.changed → session.updated on the bus, p90', value: round(latency.p90, 1), unit: 'ms' },
        { key: 'event_bus_p99_ms', label: 'sessions.changed → session.updated on the bus, p99', value: round(latency.p99, 1), unit: 'ms', target: '< 250 ms', pass: latency.p99 < 250 },
        { key: 'event_client_p50_ms', label: 'gateway frame → SSE client (server process), p50', value: round(toClient.p50, 1), unit: 'ms' },
        { key: 'event_client_p99_ms', label: 'gateway frame → SSE client (server process), p99', value: round(toClient.p99, 1), unit: 'ms', target: '< 300 ms', pass: toClient.p99 < 300 },
      ],
      notes: [
        '(a)/(b) in process: fake gateways, manager and SQLite share the machine; production settings (50 ms write batching)',
        '(c) runs the built server (apps/server/dist/main.js) with MC_GATEWAYS; the SSE stream is what the web app\'s live store consumes',
      ],
    };
  } finally {
    await services.gatewayManager.stop();
    await Promise.all(fakes.map((fake) => fake.close()));
    await database.close();
    data.remove();
  }
}

if (isMain(import.meta.url)) printResult(await run());
