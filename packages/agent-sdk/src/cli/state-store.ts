// Small JSON state files under MC_HOME (transcript offsets, resume baselines): read leniently (a missing
// or corrupt file is empty state), written atomically (temp file + rename) so a crash never leaves half.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type JsonRecord = Record<string, unknown>;

export function readJsonFile(path: string): JsonRecord {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonRecord) : {};
  } catch {
    return {};
  }
}

/** `mode`: permissions of the file (default 0600; pass an existing file's mode to keep it). */
export function writeJsonFile(path: string, value: unknown, mode = 0o600): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode });
  chmodSync(temporary, mode);
  renameSync(temporary, path);
}

/** Keeps the newest `max` entries of a map stored as an object (insertion order = age). */
export function keepNewest(entries: JsonRecord, max: number): JsonRecord {
  const keys = Object.keys(entries);
  return keys.length <= max ? entries : Object.fromEntries(keys.slice(keys.length - max).map((key) => [key, entries[key]]));
}
