// Webhook delivery (issue "Webhooks" §7), in process on a real SQLite file with the production dispatcher
// settings (8 in flight, 2 per webhook) and a keep-nothing loopback receiver answering 200:
//   (a) throughput: 1,000 events to 1 webhook, then 250 events to 4 webhooks → delivered requests/s, end to end
//       (outbox fan-out, signing, HTTP POST, outcome + attempt rows written)
//   (b) publish overhead: 500 events emitted one by one (services.events.emit, one transaction each)
//       with 0 webhooks vs 10 matching webhooks being delivered to at the same time → per-emit latency
// The receiver runs in this process too, so both sides share the 2 cores: numbers are a floor.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createEventBus, createServices, createWebhookDispatcher, silentLogger, systemClock } from '../packages/api/src/index.ts';
import { openDatabase } from '../packages/db/src/index.ts';
import { type BenchResult, isMain, loadAverage, printResult, round, summarize, tempDataDir } from './lib.ts';

const THROUGHPUT_EVENTS = 1_000;
const PUBLISH_EVENTS = 500;
const ADMIN = { kind: 'user', userId: 'bench', username: 'bench', role: 'admin' } as const;
const META = { ip: '127.0.0.1', userAgent: 'bench' };

async function startSink() {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received += 1;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received: () => received,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

async function startStack(file: string) {
  const database = await openDatabase({ file });
  const bus = createEventBus();
  const services = createServices({ database, clock: systemClock, bus, log: silentLogger, secretKey: randomBytes(32) });
  const dispatcher = createWebhookDispatcher({ database, bus, clock: systemClock, log: silentLogger, events: services.events, webhooks: services.webhooks });
  await dispatcher.start();
  return {
    services,
    dispatcher,
    async addWebhooks(url: string, count: number) {
      for (let i = 0; i < count; i++) {
        await services.webhooks.create(ADMIN, { url, description: `bench ${i}`, eventFilter: ['bench.*'], allowPrivateNetwork: true }, META);
      }
    },
    /** Deliveries not succeeded at the end (a transient failure waits for its retry in 1 min). */
    async unfinished() {
      const rows = await database.prisma.webhookDelivery.findMany({ where: { status: { not: 'succeeded' } }, select: { status: true, error: true } });
      return rows.map((row) => `${row.status}: ${row.error ?? 'not attempted yet'}`);
    },
    async close() {
      await dispatcher.stop();
      await database.close();
    },
  };
}

async function throughput(dir: string, webhooks: number, events: number, sinkUrl: string) {
  const stack = await startStack(join(dir, `throughput-${webhooks}.db`));
  try {
    await stack.addWebhooks(sinkUrl, webhooks);
    const started = performance.now();
    for (let i = 0; i < events; i++) await stack.services.events.emit({ type: 'bench.tick', payload: { i } });
    await stack.dispatcher.idle();
    const seconds = (performance.now() - started) / 1000;
    return { perSecond: (events * webhooks) / seconds, seconds, unfinished: await stack.unfinished() };
  } finally {
    await stack.close();
  }
}

async function publishLatency(dir: string, webhooks: number, sinkUrl: string) {
  const stack = await startStack(join(dir, `publish-${webhooks}.db`));
  try {
    await stack.addWebhooks(sinkUrl, webhooks);
    const samples: number[] = [];
    const started = performance.now();
    for (let i = 0; i < PUBLISH_EVENTS; i++) {
      const before = performance.now();
      await stack.services.events.emit({ type: 'bench.tick', payload: { i } });
      samples.push(performance.now() - before);
    }
    const emitSeconds = (performance.now() - started) / 1000;
    await stack.dispatcher.idle();
    return { ...summarize(samples), perSecond: PUBLISH_EVENTS / emitSeconds, unfinished: await stack.unfinished() };
  } finally {
    await stack.close();
  }
}

export async function run(): Promise<BenchResult> {
  const data = tempDataDir('mc-bench-webhooks-');
  const sink = await startSink();
  try {
    const one = await throughput(data.dir, 1, THROUGHPUT_EVENTS, sink.url);
    const four = await throughput(data.dir, 4, THROUGHPUT_EVENTS / 4, sink.url);
    const bare = await publishLatency(data.dir, 0, sink.url);
    const loaded = await publishLatency(data.dir, 10, sink.url);
    const expected = THROUGHPUT_EVENTS * 2 + PUBLISH_EVENTS * 10;
    const unfinished = [...one.unfinished, ...four.unfinished, ...bare.unfinished, ...loaded.unfinished];
    return {
      name: 'webhooks',
      metrics: [
        { key: 'deliveries_per_s_1', label: 'deliveries/s, 1 webhook (1,000 events)', value: round(one.perSecond, 0), unit: '/s', target: '≥ 200', pass: one.perSecond >= 200 },
        { key: 'deliveries_per_s_4', label: 'deliveries/s, 4 webhooks (1,000 deliveries)', value: round(four.perSecond, 0), unit: '/s' },
        { key: 'publish_p50_0', label: 'emit p50, 0 webhooks', value: round(bare.p50, 2), unit: 'ms' },
        { key: 'publish_p99_0', label: 'emit p99, 0 webhooks', value: round(bare.p99, 2), unit: 'ms' },
        { key: 'publish_p50_10', label: 'emit p50, 10 webhooks delivering', value: round(loaded.p50, 2), unit: 'ms' },
        { key: 'publish_p99_10', label: 'emit p99, 10 webhooks delivering', value: round(loaded.p99, 2), unit: 'ms' },
        { key: 'publish_rate_0', label: 'emits/s, 0 webhooks', value: round(bare.perSecond, 0), unit: '/s' },
        {
          key: 'publish_rate_10', label: 'emits/s, 10 webhooks delivering', value: round(loaded.perSecond, 0), unit: '/s',
          target: '≥ 50 % of 0 webhooks', pass: loaded.perSecond >= bare.perSecond / 2,
        },
        { key: 'received', label: 'requests received by the sink', value: sink.received(), unit: `of ${expected}` },
        { key: 'unfinished', label: 'deliveries not succeeded at the end', value: unfinished.length, unit: '' },
      ],
      notes: [
        ...[...new Set(unfinished)].slice(0, 3).map((text) => `not succeeded: ${text}`),
        `load average at the end: ${loadAverage()} (other work on the machine slows every number here)`,
        'in process: dispatcher, SQLite and receiver share the machine; maxInFlight 8, 2 per webhook, no keep-alive (each request pins its own DNS answer)',
        'emit = one Prisma transaction writing the Event row; with webhooks the dispatcher fans out and writes outcomes under the same write lock',
      ],
    };
  } finally {
    sink.close();
    data.remove();
  }
}

if (isMain(import.meta.url)) printResult(await run());
