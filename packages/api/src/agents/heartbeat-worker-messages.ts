// The messages between the main thread and the heartbeat worker (structured clone: Dates, Maps and
// bigints survive; class instances and errors are sent as plain data).
import { DomainError, type ErrorCode } from '../errors.ts';
import type { BusEvent } from '../events/bus.ts';
import type { PriceTable } from '../usage/pricing/price-table.ts';
import type { HeartbeatOutcome } from './heartbeat.ts';
import type { BeatItem } from './heartbeat-writes.ts';

export type WorkerStart = { file: string; autocheckpointPages: number };

export type SentError = { name: string; message: string; code?: ErrorCode; retryAfterS?: number };

export type ToWorker =
  | { type: 'write'; id: number; nowMs: number; table?: PriceTable; autocheckpointPages: number; items: readonly BeatItem[] }
  | { type: 'stop' };

export type ToMain =
  | { type: 'ready' }
  | { type: 'written'; id: number; results: Array<{ outcome: HeartbeatOutcome } | { error: SentError }>; events: BusEvent[] }
  | { type: 'failed'; id: number; error: SentError };

export function serializeError(error: unknown): SentError {
  if (error instanceof DomainError) return { name: error.name, message: error.message, code: error.code, ...(error.retryAfterS !== undefined ? { retryAfterS: error.retryAfterS } : {}) };
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
}

/** The worker's error on the main thread: a DomainError stays one (404 stays 404); others keep name and message. */
export function revivedError(sent: SentError): Error {
  if (sent.code) return new DomainError(sent.code, sent.message, undefined, sent.retryAfterS);
  const error = new Error(sent.message);
  error.name = sent.name;
  return error;
}
