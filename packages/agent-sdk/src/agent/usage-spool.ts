// On-disk write-ahead log for usage records: a record is appended to a segment file before it is queued,
// and the segment is deleted once every record in it was accepted. A crash or an outage leaves segments
// behind; the next agent (any process) adopts them, and the records' idempotency ids make re-sends count once.
//
// Files in the spool directory (one directory per server + agent; per host, it relies on local pids):
//   seg-<pid>-<ms>-<rand>.jsonl   owned by a live process (appended to while it runs)
//   released-<ms>-<rand>.jsonl    given up by a closed agent: anyone may adopt it
// A seg-* file whose pid is dead is adopted like a released one. Claims are atomic renames.

import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { WireUsageRecord } from './protocol.ts';

export type SpoolSegment = {
  readonly path: string;
  /** Records of this segment not yet accepted by the server. */
  pending: number;
  /** No more appends (rotated, adopted, or closed). */
  sealed: boolean;
  /** Some of its records were dropped from memory: the file is released, not deleted, when done. */
  keep: boolean;
};

export type AdoptedSegment = { segment: SpoolSegment; records: WireUsageRecord[] };

export type UsageSpool = {
  readonly dir: string;
  /** Appends records (one write) to the current segment; returns the segment they live in. */
  append(records: WireUsageRecord[]): SpoolSegment;
  /** `count` records of `segment` were accepted; deletes the file when nothing in it is pending. */
  settle(segment: SpoolSegment, count: number): void;
  /** `count` records of `segment` were dropped from memory (queue full): the file is kept for an adopter. */
  drop(segment: SpoolSegment, count: number): void;
  /** Claims orphaned segments (released, or of dead processes) holding at most `maxRecords` in total. */
  adopt(maxRecords: number): AdoptedSegment[];
  /** Gives every segment with undelivered records up for adoption. */
  release(): void;
};

export type UsageSpoolOptions = {
  /** Liveness of another local process; default `process.kill(pid, 0)`. */
  isProcessAlive?: (pid: number) => boolean;
  /** Records per segment before a new file is started. */
  segmentRecords?: number;
};

/** Segment files this process holds, across agents: an agent never adopts a sibling's live segment. */
const heldByThisProcess = new Set<string>();

function defaultIsProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const SEGMENT_NAME = /^seg-(\d+)-\d+-[0-9a-f]+\.jsonl$/;
const RELEASED_NAME = /^released-\d+-[0-9a-f]+\.jsonl$/;

function isWireRecord(value: unknown): value is WireUsageRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.id === 'string' && typeof record.model === 'string' && typeof record.agent === 'string';
}

/** Complete JSON lines only: a crash mid-append leaves a partial last line, which is skipped. */
export function readSegmentRecords(text: string): WireUsageRecord[] {
  const records: WireUsageRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(line);
      if (isWireRecord(value)) records.push(value);
    } catch {
      // partial or corrupt line: nothing to deliver
    }
  }
  return records;
}

export function createUsageSpool(dir: string, options: UsageSpoolOptions = {}): UsageSpool {
  const isProcessAlive = options.isProcessAlive ?? defaultIsProcessAlive;
  const segmentRecords = options.segmentRecords ?? 500;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const owned = new Set<SpoolSegment>();
  let current: SpoolSegment | null = null;
  let currentCount = 0;

  const uniqueSuffix = () => `${Date.now()}-${randomBytes(4).toString('hex')}`;
  const ownedName = () => `seg-${process.pid}-${uniqueSuffix()}.jsonl`;

  function track(path: string, pending: number, sealed: boolean): SpoolSegment {
    const segment: SpoolSegment = { path, pending, sealed, keep: false };
    owned.add(segment);
    heldByThisProcess.add(path);
    return segment;
  }

  function forget(segment: SpoolSegment): void {
    owned.delete(segment);
    heldByThisProcess.delete(segment.path);
    if (current === segment) current = null;
  }

  function removeFile(path: string): void {
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  function append(records: WireUsageRecord[]): SpoolSegment {
    if (current === null || current.sealed || currentCount >= segmentRecords) {
      if (current) current.sealed = true;
      current = track(join(dir, ownedName()), 0, false);
      currentCount = 0;
    }
    appendFileSync(current.path, records.map((record) => `${JSON.stringify(record)}\n`).join(''), { mode: 0o600 });
    current.pending += records.length;
    currentCount += records.length;
    return current;
  }

  function giveUp(segment: SpoolSegment): void {
    try {
      renameSync(segment.path, join(dir, `released-${uniqueSuffix()}.jsonl`));
    } catch {
      // already gone: nothing left to hand over
    }
  }

  function settle(segment: SpoolSegment, count: number): void {
    segment.pending = Math.max(0, segment.pending - count);
    if (segment.pending > 0) return;
    segment.sealed = true;
    // Nothing of it left in memory. Fully accepted: delete it. Partly dropped: release it, so that this
    // process (when its queue has room) or a later one adopts the dropped records.
    if (segment.keep) giveUp(segment);
    else removeFile(segment.path);
    forget(segment);
  }

  function drop(segment: SpoolSegment, count: number): void {
    segment.keep = true;
    settle(segment, count);
  }

  function orphanFiles(): string[] {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    return names
      .filter((name) => {
        if (RELEASED_NAME.test(name)) return true;
        const match = SEGMENT_NAME.exec(name);
        if (!match) return false;
        const pid = Number(match[1]);
        if (pid === process.pid) return !heldByThisProcess.has(join(dir, name));
        return !isProcessAlive(pid);
      })
      .sort((a, b) => a.localeCompare(b));
  }

  function adopt(maxRecords: number): AdoptedSegment[] {
    const adopted: AdoptedSegment[] = [];
    let room = maxRecords;
    for (const name of orphanFiles()) {
      if (room <= 0) break;
      const claimed = join(dir, ownedName());
      try {
        renameSync(join(dir, name), claimed); // atomic: one claimant wins, the others get ENOENT
      } catch {
        continue;
      }
      const records = readSegmentRecords(readFileSync(claimed, 'utf8'));
      if (records.length === 0) {
        removeFile(claimed);
        continue;
      }
      if (records.length > room && adopted.length > 0) {
        // Too big for what is left of the queue: give it back for a later pass.
        renameSync(claimed, join(dir, `released-${uniqueSuffix()}.jsonl`));
        break;
      }
      const segment = track(claimed, records.length, true);
      adopted.push({ segment, records });
      room -= records.length;
    }
    return adopted;
  }

  function release(): void {
    for (const segment of [...owned]) {
      if (segment.pending > 0 || segment.keep) giveUp(segment);
      else removeFile(segment.path);
      forget(segment);
    }
  }

  return { dir, append, settle, drop, adopt, release };
}
