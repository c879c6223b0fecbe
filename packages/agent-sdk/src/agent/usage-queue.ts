// Batches usage records to POST /api/tokens (<= 500 per request), one request at a time, retried with
// backoff (Retry-After on 429) under the records' idempotency ids, so a retry never double-counts.
// Bounded: past `maxQueuedRecords` the oldest records leave memory (they stay in the spool, if any).

import { createBackoff, type RetryPolicy } from './backoff.ts';
import { isFatal, MissionControlError, RateLimitedError, UnknownAgentError, ValidationError } from './errors.ts';
import type { TokensResponse, WireUsageRecord } from './protocol.ts';
import type { SpoolSegment, UsageSpool } from './usage-spool.ts';

export const MAX_RECORDS_PER_REQUEST = 500;

export type UsageQueueStats = {
  /** Records waiting in memory. */
  queued: number;
  /** Records the server accepted as new. */
  recorded: number;
  /** Records the server already had (a retry or a re-send after a crash): counted once, server side. */
  duplicates: number;
  /** Records the server refused as invalid (reported through onError, never retried). */
  rejected: number;
  /** Records dropped from memory because the queue was full (still on disk when a spool is used). */
  dropped: number;
};

export type UsageQueueOptions = {
  send(records: WireUsageRecord[]): Promise<TokensResponse>;
  spool: UsageSpool | null;
  maxQueuedRecords: number;
  batchDelayMs: number;
  retry?: RetryPolicy;
  /** Every failure, as it happens (retryable ones too). */
  onError(error: MissionControlError): void;
  /** The server does not know the agent (404): the owner reconnects and then calls resume(). */
  onUnknownAgent(): void;
};

type QueuedRecord = { record: WireUsageRecord; segment: SpoolSegment | null };

export type UsageQueue = {
  enqueue(records: WireUsageRecord[]): void;
  /** Starts sending (after connect); sending pauses itself on a 404 until resume() is called again. */
  resume(): void;
  /** Resolves when the queue is empty, `timeoutMs` passed, or a fatal error stopped it. */
  flush(timeoutMs: number): Promise<void>;
  /** Stops for good; undelivered spooled records are released for the next agent. */
  close(): void;
  stats(): UsageQueueStats;
  /** The fatal error that stopped the queue, if any. */
  readonly fatalError: MissionControlError | null;
};

/** Indexes of the records a 400 names (`records.3.inputTokens` → 3). */
function rejectedIndexes(error: ValidationError, batchLength: number): number[] {
  const indexes = new Set<number>();
  for (const detail of error.details) {
    const match = /(?:^|\.)(\d+)(?:\.|$)/.exec(detail.path);
    const index = match ? Number(match[1]) : Number.NaN;
    if (Number.isInteger(index) && index >= 0 && index < batchLength) indexes.add(index);
  }
  return [...indexes];
}

export function createUsageQueue(options: UsageQueueOptions): UsageQueue {
  const queue: QueuedRecord[] = [];
  const backoff = createBackoff(options.retry);
  const stats = { recorded: 0, duplicates: 0, rejected: 0, dropped: 0 };
  let batchLimit = MAX_RECORDS_PER_REQUEST;
  let running = false; // a request is in flight
  let paused = true; // until resume(): not connected yet, or the agent is unknown
  let closed = false;
  let fatalError: MissionControlError | null = null;
  let timer: NodeJS.Timeout | null = null;
  let waiters: Array<() => void> = [];

  function settleWaiters(): void {
    if (queue.length > 0 && fatalError === null && !closed) return;
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  }

  function settleSpool(items: QueuedRecord[], how: 'settle' | 'drop'): void {
    const counts = new Map<SpoolSegment, number>();
    for (const item of items) if (item.segment) counts.set(item.segment, (counts.get(item.segment) ?? 0) + 1);
    for (const [segment, count] of counts) {
      if (how === 'settle') options.spool?.settle(segment, count);
      else options.spool?.drop(segment, count);
    }
  }

  function schedule(delayMs: number): void {
    if (timer !== null || closed || fatalError !== null) return;
    timer = setTimeout(() => {
      timer = null;
      void pump();
    }, delayMs);
    timer.unref();
  }

  /** Fills free room with orphaned spool segments (earlier crashes, closed agents). */
  function adoptOrphans(): void {
    if (!options.spool) return;
    const room = options.maxQueuedRecords - queue.length;
    if (room <= 0) return;
    for (const { segment, records } of options.spool.adopt(room)) {
      for (const record of records) queue.push({ record, segment });
    }
  }

  function removeRejected(items: QueuedRecord[]): void {
    for (const item of items) {
      const index = queue.indexOf(item);
      if (index >= 0) queue.splice(index, 1);
    }
    stats.rejected += items.length;
    settleSpool(items, 'settle');
  }

  function handleFailure(error: MissionControlError, batch: QueuedRecord[]): void {
    options.onError(error);
    if (isFatal(error)) {
      fatalError = error;
      return;
    }
    if (error instanceof UnknownAgentError) {
      paused = true;
      options.onUnknownAgent();
      return;
    }
    if (error instanceof ValidationError || error.status === 413) {
      const bad = error instanceof ValidationError ? rejectedIndexes(error, batch.length) : [];
      if (bad.length > 0) {
        const rejected = bad.map((index) => batch[index]).filter((item): item is QueuedRecord => item !== undefined);
        removeRejected(rejected); // never retried: it would poison every later batch
      } else if (batch.length === 1) {
        removeRejected(batch);
      } else {
        batchLimit = Math.max(1, Math.ceil(batch.length / 2)); // find the bad record (or fit in 1 MiB) by halving
      }
      schedule(0);
      return;
    }
    schedule(error instanceof RateLimitedError ? Math.max(error.retryAfterMs, 1) : backoff.next());
  }

  async function pump(): Promise<void> {
    if (running || paused || closed || fatalError !== null) return;
    if (queue.length === 0) adoptOrphans();
    if (queue.length === 0) {
      settleWaiters();
      return;
    }
    running = true;
    const batch = queue.slice(0, batchLimit);
    try {
      const response = await options.send(batch.map((item) => item.record));
      backoff.reset();
      stats.recorded += response.recorded;
      stats.duplicates += response.duplicates;
      if (batchLimit < MAX_RECORDS_PER_REQUEST) batchLimit = Math.min(MAX_RECORDS_PER_REQUEST, batchLimit * 2);
      queue.splice(0, batch.length);
      settleSpool(batch, 'settle');
    } catch (error) {
      const failure = error instanceof MissionControlError ? error : new MissionControlError(String(error), { cause: error });
      handleFailure(failure, batch);
    } finally {
      running = false;
    }
    if (queue.length > 0 && timer === null) schedule(0);
    else if (queue.length === 0) {
      adoptOrphans();
      if (queue.length > 0) schedule(0);
    }
    settleWaiters();
  }

  function enqueue(records: WireUsageRecord[]): void {
    if (closed || records.length === 0) return;
    const segment = options.spool ? options.spool.append(records) : null;
    for (const record of records) queue.push({ record, segment });
    const overflow = queue.length - options.maxQueuedRecords;
    if (overflow > 0) {
      // Never the in-flight head: drop right behind it (the oldest not being sent).
      const start = running ? Math.min(batchLimit, queue.length - overflow) : 0;
      const dropped = queue.splice(start, overflow);
      stats.dropped += dropped.length;
      settleSpool(dropped, 'drop');
      options.onError(
        new MissionControlError(
          `Usage queue full (${options.maxQueuedRecords} records): ${dropped.length} oldest left memory${options.spool ? ' (kept in the spool, sent later)' : ' and are lost; set spoolDir to keep them'}`,
          { code: 'QUEUE_FULL' },
        ),
      );
    }
    if (queue.length >= batchLimit) schedule(0);
    else schedule(options.batchDelayMs);
  }

  function resume(): void {
    if (closed) return;
    paused = false;
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    void pump();
  }

  function flush(timeoutMs: number): Promise<void> {
    if (queue.length === 0 || fatalError !== null || closed) return Promise.resolve();
    if (!running && !paused) {
      // Skip a pending batch delay; a backoff wait is kept (the server asked us to wait).
      if (timer !== null && backoff.failures === 0) {
        clearTimeout(timer);
        timer = null;
      }
      void pump();
    }
    return new Promise((resolve) => {
      const deadline = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(deadline);
        waiters = waiters.filter((waiter) => waiter !== done);
        resolve();
      }
      waiters.push(done);
    });
  }

  function close(): void {
    if (closed) return;
    closed = true;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    queue.length = 0;
    options.spool?.release();
    settleWaiters();
  }

  return {
    enqueue,
    resume,
    flush,
    close,
    stats: () => ({ queued: queue.length, ...stats }),
    get fatalError() {
      return fatalError;
    },
  };
}
