// Reads a JSON request body with a size limit: 413 past the limit, 415 for non-JSON, 400 for bad JSON.
import type { IncomingMessage } from 'node:http';
import { DomainError } from '@mc/api';

export async function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge(limitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw tooLarge(limitBytes);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  if (type && !type.startsWith('application/json') && !type.includes('+json')) {
    throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json');
  }
  const text = Buffer.concat(chunks).toString('utf8');
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
