// Deterministic record ids (TELEMETRY.md §1 "Ids"), at most 128 characters: an over-long variable part
// is replaced by the first 32 hex chars of its SHA-256, so the same bytes always give the same id.

import { createHash } from 'node:crypto';

export const MAX_RECORD_ID_LENGTH = 128;

export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** `prefix + part`, or `prefix + sha256(part)[0..32]` when that would exceed 128 chars. */
export function boundedId(prefix: string, part: string): string {
  const id = prefix + part;
  return id.length <= MAX_RECORD_ID_LENGTH ? id : prefix + shortHash(part);
}
