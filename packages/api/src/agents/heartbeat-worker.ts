// The heartbeat worker thread (started by heartbeat-worker-host.ts): runs heartbeat group commits on its
// own connection while the main thread keeps serving requests. It writes only when the main thread holds
// the write lock and has sent it a batch, so SQLite never makes either side wait. It has the writers the
// inline path has (usage, rollups, budgets, events) and drops its caches whenever another connection has
// committed since its last batch (PRAGMA data_version): budgets, the costs time zone. Prices come with
// the batch whenever the table in force changed.
import { parentPort, workerData } from 'node:worker_threads';
import { openWriterConnection } from '@mc/db/raw';
import { createBudgetEvaluator } from '../budgets/evaluator.ts';
import type { Clock } from '../clock.ts';
import { createRollupQuery } from '../costs/rollup-query.ts';
import { timeZoneSettingFor } from '../costs/time-zone-setting.ts';
import type { BusEvent } from '../events/bus.ts';
import { createRawEventRecorder } from '../events/raw-events.ts';
import type { PriceTable } from '../usage/pricing/price-table.ts';
import { createUsageWriter } from '../usage/usage-writer.ts';
import { createHeartbeatWriter } from './heartbeat.ts';
import { serializeError, type ToMain, type ToWorker, type WorkerStart } from './heartbeat-worker-messages.ts';
import { writeBeats } from './heartbeat-writes.ts';

if (!parentPort) throw new Error('heartbeat-worker.ts runs as a worker thread');
const port = parentPort;
const start = workerData as WorkerStart;

const sqlite = openWriterConnection(start.file, start.autocheckpointPages);
let autocheckpointPages = start.autocheckpointPages;
// The batch's time, from the main thread's clock (tests control it).
let nowMs = 0;
const clock: Clock = { now: () => new Date(nowMs), nowMs: () => nowMs };
let table: PriceTable | null = null;
const recorded: BusEvent[] = [];
const events = { recordRaw: createRawEventRecorder(clock), publish: (list: readonly BusEvent[]) => void recorded.push(...list) };
const timeZone = timeZoneSettingFor(sqlite);
const evaluator = createBudgetEvaluator({ sqlite, clock, events, timeZone, query: createRollupQuery(sqlite) });
const usageWriter = createUsageWriter(sqlite, () => {
  if (!table) throw new Error('no price table yet');
  return table;
}, { hooks: [evaluator.onUsageInserted] });
const writer = createHeartbeatWriter(sqlite, events, usageWriter);
const dataVersion = sqlite.prepare('PRAGMA data_version').pluck();
let seenVersion = dataVersion.get();

async function write(message: Extract<ToWorker, { type: 'write' }>): Promise<ToMain> {
  nowMs = message.nowMs;
  if (message.table) table = message.table;
  if (message.autocheckpointPages !== autocheckpointPages) {
    autocheckpointPages = message.autocheckpointPages;
    sqlite.pragma(`wal_autocheckpoint = ${autocheckpointPages}`);
  }
  const version = dataVersion.get();
  if (version !== seenVersion) {
    seenVersion = version;
    evaluator.invalidate();
    timeZone.reload();
  }
  try {
    const results = writeBeats(sqlite, writer, message.items);
    // The budget hook publishes in a microtask after the commit; let it run first.
    await Promise.resolve();
    return {
      type: 'written', id: message.id, events: recorded.splice(0),
      results: results.map((result) => ('outcome' in result ? result : { error: serializeError(result.error) })),
    };
  } catch (error) {
    recorded.length = 0;
    return { type: 'failed', id: message.id, error: serializeError(error) };
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'stop') {
    sqlite.close();
    port.close();
    return;
  }
  void write(message).then((reply) => port.postMessage(reply));
});
port.postMessage({ type: 'ready' } satisfies ToMain);
