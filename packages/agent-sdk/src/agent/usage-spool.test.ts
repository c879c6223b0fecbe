import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { WireUsageRecord } from './protocol.ts';
import { createUsageSpool } from './usage-spool.ts';

const record = (id: string): WireUsageRecord => ({ id, model: 'gpt-5', inputTokens: 1, outputTokens: 1, agent: 'a' });

function spoolDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mc-spool-unit-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('usage spool', () => {
  it('deletes a segment once every record in it was accepted', () => {
    const dir = spoolDir();
    const spool = createUsageSpool(dir);
    const segment = spool.append([record('a'), record('b')]);
    spool.settle(segment, 1);
    expect(readdirSync(dir)).toHaveLength(1);
    spool.settle(segment, 1);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("adopts the segments of a dead process, skipping a crash's partial last line, and leaves a live one alone", () => {
    const dir = spoolDir();
    writeFileSync(join(dir, 'seg-999991-1-aa.jsonl'), `${JSON.stringify(record('dead-1'))}\n${JSON.stringify(record('dead-2'))}\n{"id":"torn`);
    writeFileSync(join(dir, 'seg-999992-1-bb.jsonl'), `${JSON.stringify(record('alive-1'))}\n`);
    const spool = createUsageSpool(dir, { isProcessAlive: (pid) => pid === 999992 });
    const adopted = spool.adopt(100);
    expect(adopted.flatMap((entry) => entry.records.map((r) => r.id))).toEqual(['dead-1', 'dead-2']);
    expect(readdirSync(dir)).toContain('seg-999992-1-bb.jsonl');
    spool.settle(adopted[0]?.segment ?? spool.append([]), 2);
    expect(readdirSync(dir)).toEqual(['seg-999992-1-bb.jsonl']);
  });

  it('lets exactly one of two agents claim an orphaned segment', () => {
    const dir = spoolDir();
    writeFileSync(join(dir, 'released-1-cc.jsonl'), `${JSON.stringify(record('r-1'))}\n`);
    const first = createUsageSpool(dir).adopt(100);
    const second = createUsageSpool(dir).adopt(100);
    expect([first.length, second.length]).toEqual([1, 0]);
  });

  it('releases undelivered and dropped records for the next agent, and deletes delivered ones', () => {
    const dir = spoolDir();
    const spool = createUsageSpool(dir, { segmentRecords: 2 });
    const full = spool.append([record('x-1'), record('x-2')]);
    const next = spool.append([record('x-3')]);
    expect(next).not.toBe(full);
    spool.drop(full, 1); // one left memory (queue full); the other is still queued
    spool.settle(full, 1);
    spool.release();
    const names = readdirSync(dir);
    expect(names).toHaveLength(2);
    expect(names.every((name) => name.startsWith('released-'))).toBe(true);
    const again = createUsageSpool(dir).adopt(100);
    expect(again.flatMap((entry) => entry.records.map((r) => r.id)).sort()).toEqual(['x-1', 'x-2', 'x-3']);
  });
});
