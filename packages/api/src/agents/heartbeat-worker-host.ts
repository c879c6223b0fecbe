// Runs heartbeat group commits in a worker thread (heartbeat-worker.ts), which SQLite keeps busy for
// about half of each beat's server time; the main thread parses and answers the next requests meanwhile.
// The worker starts with the first agent connection or heartbeat (an idle server pays for no thread). It writes only while
// the main thread holds the write lock, so the two connections never wait on each other. If it cannot
// start or dies, the beats in flight fail (agents retry; idempotency keys keep usage counted once) and
// later batches are written on the main thread, as without a worker.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Database } from '@mc/db';
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { PriceTable } from '../usage/pricing/price-table.ts';
import type { BeatExecutor, BeatWrite } from './heartbeat-executor.ts';
import { revivedError, type ToMain, type ToWorker, type WorkerStart } from './heartbeat-worker-messages.ts';

/** The worker's module; `loader`: a module whose register() must run first (tsx, to load TypeScript source). */
export type HeartbeatWorkerEntry = { url: URL; loader?: URL };

/** The worker's code: next to the server bundle (dist/heartbeat-worker.js), or this package's source run through tsx. */
export function heartbeatWorkerEntry(): HeartbeatWorkerEntry {
  if (import.meta.url.endsWith('.js')) return { url: new URL('./heartbeat-worker.js', import.meta.url) };
  return { url: new URL('./heartbeat-worker.ts', import.meta.url), loader: tsxEsmApi() };
}

/** tsx's ESM API (register() loads .ts in this thread); `--import tsx` in a worker's execArgv does not reach its entry on Node 20. */
function tsxEsmApi(): URL {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const target = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api']?.import.default;
  if (!target) throw new Error('tsx has no ./esm/api export');
  return pathToFileURL(join(dirname(manifest), target));
}

function spawn(entry: HeartbeatWorkerEntry, workerData: WorkerStart): Worker {
  if (!entry.loader) return new Worker(entry.url, { workerData });
  const bootstrap = `import(${JSON.stringify(entry.loader.href)}).then((loader) => { loader.register(); return import(${JSON.stringify(entry.url.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

export type WorkerExecutorDeps = {
  database: Pick<Database, 'file' | 'autocheckpointPages'>;
  clock: Clock;
  priceTable: () => PriceTable;
  log: Logger;
  entry: HeartbeatWorkerEntry;
  /** Writes when there is no worker (it failed or the server is closing). */
  fallback: BeatExecutor;
};

type Waiting = { resolve(write: BeatWrite): void; reject(error: Error): void };

export function createWorkerExecutor({ database, clock, priceTable, log, entry, fallback }: WorkerExecutorDeps): BeatExecutor {
  let state: 'idle' | 'starting' | 'running' | 'failed' | 'closed' = 'idle';
  let worker: Worker | null = null;
  let ready: Promise<Worker> | null = null;
  let nextId = 1;
  const waiting = new Map<number, Waiting>();
  let sentTable: PriceTable | null = null;

  function start(): Promise<Worker> {
    ready ??= new Promise<Worker>((resolve, reject) => {
      state = 'starting';
      const workerData: WorkerStart = { file: database.file, autocheckpointPages: database.autocheckpointPages() };
      const started = spawn(entry, workerData);
      worker = started;
      started.unref();
      const fail = (error: Error) => {
        if (state === 'failed' || state === 'closed') return;
        state = 'failed';
        log.error({ err: error }, 'heartbeat worker failed; heartbeats are written on the main thread from now on');
        reject(error);
        for (const entryWaiting of waiting.values()) entryWaiting.reject(new Error('The heartbeat writer stopped before answering; send the heartbeat again'));
        waiting.clear();
      };
      started.on('message', (message: ToMain) => {
        if (message.type === 'ready') {
          if (state === 'starting') state = 'running';
          resolve(started);
          return;
        }
        const answer = waiting.get(message.id);
        if (!answer) return;
        waiting.delete(message.id);
        if (message.type === 'failed') answer.reject(revivedError(message.error));
        else answer.resolve({ results: message.results.map((result) => ('outcome' in result ? result : { error: revivedError(result.error) })), events: message.events });
      });
      started.on('error', fail);
      started.on('exit', (code) => fail(new Error(`heartbeat worker exited (code ${code})`)));
    });
    return ready;
  }

  async function write(items: Parameters<BeatExecutor['write']>[0]): Promise<BeatWrite> {
    if (state === 'failed' || state === 'closed') return fallback.write(items);
    let active: Worker;
    try {
      active = await start();
    } catch {
      return fallback.write(items);
    }
    const table = priceTable();
    const id = nextId++;
    return new Promise<BeatWrite>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      const message: ToWorker = { type: 'write', id, nowMs: clock.nowMs(), autocheckpointPages: database.autocheckpointPages(), items, ...(table !== sentTable ? { table } : {}) };
      try {
        active.postMessage(message);
        sentTable = table;
      } catch (error) {
        waiting.delete(id);
        reject(error as Error);
      }
    });
  }

  async function close(): Promise<void> {
    const previous = state;
    state = 'closed';
    const active = worker;
    if (!active || previous === 'failed') return;
    if (previous === 'starting') await ready?.catch(() => undefined);
    const exited = new Promise<void>((resolve) => active.once('exit', () => resolve()));
    active.postMessage({ type: 'stop' } satisfies ToWorker);
    const timer = setTimeout(() => void active.terminate(), 5_000);
    await exited;
    clearTimeout(timer);
  }

  function warm(): void {
    if (state === 'idle') start().catch(() => undefined); // a failure is logged and handled by the next write
  }

  return { write, close, warm, thread: () => (state === 'running' ? 'worker' : 'main') };
}
