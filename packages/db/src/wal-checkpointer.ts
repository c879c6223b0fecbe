// Checkpoints the WAL from a worker thread. SQLite's automatic checkpoint runs inside the commit that crosses
// 1,000 WAL pages, on the event loop: the copy and its fsync block every request queued behind it. The
// worker has its own connection and runs PASSIVE checkpoints, which never block writers or readers. Under
// steady writes a PASSIVE checkpoint never reaches the end of the WAL, and SQLite only rewinds a WAL that is
// fully checkpointed, so the file would grow without end: once the frames in use pass `resetAtWalBytes`, the
// worker catches up, then writes are held (the async write lock; the event loop keeps running) for one
// checkpoint of the frames added meanwhile (≈ 1–20 ms), and the next write starts the WAL over. The worker
// starts only once the WAL grows, so an idle server pays for no thread; if it cannot run, the connections go
// back to automatic checkpoints.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The worker, as CommonJS source (eval): no separate file to find next to a bundle. It checkpoints on its
 * own timer (reported as `checkpoint`) and when asked (`complete`, answered as `completed`).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
function checkpoint(type) {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ type, log: result.log, checkpointed: result.checkpointed });
  } catch (error) {
    parentPort.postMessage({ type, error: String((error && error.message) || error) });
  }
}
// No timer checkpoints during a rewind: a request queued behind one would hold writes that much longer.
let rewinding = false;
const timer = setInterval(() => rewinding || checkpoint('checkpoint'), workerData.intervalMs);
checkpoint('checkpoint');
parentPort.on('message', (message) => {
  if (message === 'rewinding' || message === 'rewound') rewinding = message === 'rewinding';
  if (message === 'complete') checkpoint('completed');
  if (message === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
`;

/** What the worker reports after each checkpoint. */
type CheckpointResult = { log?: number; checkpointed?: number; error?: string };

/** A WAL frame: a 4 KiB page plus its 24-byte header. */
const WAL_FRAME_BYTES = 4096 + 24;
/** Catch-up rounds before writes are held anyway, and what counts as few frames arriving per round. */
const MAX_CATCH_UP_ROUNDS = 2;
const FEW_FRAMES = 256;

export type CheckpointerState = 'idle' | 'running' | 'failed' | 'stopped';

export type CheckpointerStats = {
  state: CheckpointerState;
  /** checkpoints the worker ran */
  checkpoints: number;
  /** of those, checkpoints with writes held that reached the end of the WAL (it starts over after each) */
  completed: number;
  /** how long writes were held, last time and at most (ms) */
  lastHoldMs: number;
  maxHoldMs: number;
  /** WAL frames in the log and copied back at the last checkpoint */
  lastLogFrames: number;
  lastCheckpointedFrames: number;
  lastError: string | null;
};

export type WalCheckpointer = {
  stats(): CheckpointerStats;
  /** Stops the worker (and the WAL watch); resolves once its connection is closed. */
  stop(): Promise<void>;
};

export type WalCheckpointerOptions = {
  file: string;
  /** the worker starts once the WAL file reaches this size (default 1 MiB) */
  startAtWalBytes?: number;
  /** how often the WAL size is looked at, and how often the worker checkpoints (default 1 s) */
  intervalMs?: number;
  /** called once if the worker fails: turn automatic checkpoints back on */
  onFallback(reason: string): void;
  /** module path of better-sqlite3 for the worker (tests inject a broken one) */
  driver?: string;
  /** holds writes while `work` runs (the database's write lock); without it the WAL is never rewound */
  pauseWrites?: <T>(work: () => Promise<T>) => Promise<T>;
  /** WAL size from which writes are held for a completing checkpoint (default 32 MiB) */
  resetAtWalBytes?: number;
};

export function startWalCheckpointer(options: WalCheckpointerOptions): WalCheckpointer {
  const intervalMs = options.intervalMs ?? 1_000;
  const startAt = options.startAtWalBytes ?? 1024 * 1024;
  const driver = options.driver ?? createRequire(import.meta.url).resolve('better-sqlite3');
  const resetAt = options.resetAtWalBytes ?? 32 * 1024 * 1024;
  const stats: CheckpointerStats = { state: 'idle', checkpoints: 0, completed: 0, lastHoldMs: 0, maxHoldMs: 0, lastLogFrames: 0, lastCheckpointedFrames: 0, lastError: null };
  let worker: Worker | null = null;
  let exited: Promise<void> = Promise.resolve();
  let completing = false;
  let onCompleted: ((result: CheckpointResult) => void) | null = null;

  /** Counts a checkpoint the worker ran; null when it failed. */
  function record(result: CheckpointResult): { log: number; checkpointed: number } | null {
    if (result.error !== undefined) {
      stats.lastError = result.error;
      return null;
    }
    stats.checkpoints += 1;
    stats.lastLogFrames = result.log ?? 0;
    stats.lastCheckpointedFrames = result.checkpointed ?? 0;
    return { log: stats.lastLogFrames, checkpointed: stats.lastCheckpointedFrames };
  }

  function fail(reason: string): void {
    if (stats.state === 'failed' || stats.state === 'stopped') return;
    stats.state = 'failed';
    stats.lastError = reason;
    onCompleted?.({ error: reason }); // release held writes at once
    clearInterval(watch);
    void worker?.terminate();
    worker = null;
    options.onFallback(reason);
  }

  function walBytes(): number {
    try {
      return statSync(`${options.file}-wal`).size;
    } catch {
      return 0;
    }
  }

  function spawn(): void {
    stats.state = 'running';
    const started = new Worker(WORKER_SOURCE, { eval: true, workerData: { file: options.file, driver, intervalMs } });
    worker = started;
    started.unref();
    started.on('message', (message: CheckpointResult & { type: string }) => {
      if (message.type === 'checkpoint') record(message);
      else if (message.type === 'completed') onCompleted?.(message);
    });
    started.on('error', (error) => fail(`WAL checkpoint worker failed: ${error.message}`));
    exited = new Promise((done) => {
      started.once('exit', (code) => {
        if (stats.state === 'running') fail(`WAL checkpoint worker exited (code ${code})`);
        done();
      });
    });
  }

  /** One checkpoint on request; the worker answers within 10 s (else the caller goes on without it). */
  function checkpointNow(active: Worker): Promise<{ log: number; checkpointed: number } | null> {
    return new Promise((done) => {
      const timer = setTimeout(() => finish({ error: 'no answer within 10 s' }), 10_000);
      function finish(result: CheckpointResult) {
        clearTimeout(timer);
        onCompleted = null;
        done(record(result));
      }
      onCompleted = finish;
      active.postMessage('complete');
    });
  }

  /**
   * Catches up without holding anything until few frames arrive per round (so the held checkpoint copies
   * little and writes wait only milliseconds), then holds writes for the one that reaches the end.
   */
  async function rewind(active: Worker, pause: NonNullable<WalCheckpointerOptions['pauseWrites']>): Promise<void> {
    active.postMessage('rewinding');
    try {
      await catchUpAndHold(active, pause);
    } finally {
      active.postMessage('rewound');
    }
  }

  async function catchUpAndHold(active: Worker, pause: NonNullable<WalCheckpointerOptions['pauseWrites']>): Promise<void> {
    let previous = stats.lastLogFrames;
    for (let round = 0; round < MAX_CATCH_UP_ROUNDS; round++) {
      const result = await checkpointNow(active);
      if (result === null || stats.state !== 'running') return;
      const arrived = result.log - previous;
      previous = result.log;
      if (arrived >= 0 && arrived < FEW_FRAMES) break;
    }
    await pause(async () => {
      const held = performance.now();
      const result = await checkpointNow(active);
      stats.lastHoldMs = Math.round(performance.now() - held);
      stats.maxHoldMs = Math.max(stats.maxHoldMs, stats.lastHoldMs);
      if (result !== null && result.log === result.checkpointed) stats.completed += 1;
    });
  }

  const watch = setInterval(() => {
    if (stats.state === 'idle' && walBytes() >= startAt) spawn();
    const active = worker;
    const pause = options.pauseWrites;
    // Frames in use (from the last checkpoint), not the file size: the file keeps its size after a rewind.
    if (stats.state !== 'running' || active === null || pause === undefined || completing || stats.lastLogFrames * WAL_FRAME_BYTES < resetAt) return;
    completing = true;
    rewind(active, pause).finally(() => {
      completing = false;
    });
  }, intervalMs);
  watch.unref();

  return {
    stats: () => ({ ...stats }),
    async stop() {
      clearInterval(watch);
      if (stats.state === 'running' && worker !== null) {
        stats.state = 'stopped';
        const stopping = worker;
        stopping.postMessage('stop');
        const timer = setTimeout(() => void stopping.terminate(), 5_000);
        await exited;
        clearTimeout(timer);
      } else if (stats.state === 'idle') {
        stats.state = 'stopped';
      }
      worker = null;
    },
  };
}
