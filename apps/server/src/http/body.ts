// Reads a JSON request body with a size limit: 413 past the limit, 415 for non-JSON, 400 for bad JSON.
// Plain stream events rather than `for await`: the async iterator cost ~5 % of a heartbeat's CPU.
import type { IncomingMessage } from 'node:http';
import { DomainError } from '@mc/api';

export function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limitBytes) return Promise.reject(tooLarge(limitBytes));
  return new Promise<unknown>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (error: unknown, value?: unknown) => {
      req.off('data', onData).off('end', onEnd).off('error', endedEarly).off('close', endedEarly);
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) settle(tooLarge(limitBytes));
      else chunks.push(chunk);
    };
    const onEnd = () => {
      try {
        settle(null, parseJson(req, chunks, size));
      } catch (error) {
        settle(error);
      }
    };
    // The client went away mid-body (reset, abort): its problem, not a server error worth a stack in the log.
    const endedEarly = () => settle(new DomainError('VALIDATION_FAILED', 'The request body ended early'));
    req.on('data', onData).on('end', onEnd).on('error', endedEarly).on('close', endedEarly);
  });
}

function parseJson(req: IncomingMessage, chunks: Buffer[], size: number): unknown {
  if (size === 0) return undefined;
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  if (type && !type.startsWith('application/json') && !type.includes('+json')) {
    throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json');
  }
  const text = (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new DomainError('VALIDATION_FAILED', `Malformed JSON: ${(error as Error).message}`);
  }
}

function tooLarge(limitBytes: number) {
  return new DomainError('PAYLOAD_TOO_LARGE', `Request body exceeds ${Math.round(limitBytes / 1024)} KiB`);
}
