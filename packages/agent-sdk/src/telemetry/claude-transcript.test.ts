// Edge cases of parseClaudeTranscript: byte offsets (reset, realign, partial lines), CRLF, re-reads.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseClaudeTranscript } from './index.ts';

const FIXTURE = new URL('../../../../test/fixtures/telemetry/claude-transcript-offset/input.jsonl', import.meta.url);

function line(fields: { id: string; input?: number; timestamp?: string; sidechain?: boolean; agentId?: string }) {
  return JSON.stringify({
    type: 'assistant',
    sessionId: 's-1',
    isSidechain: fields.sidechain ?? false,
    ...(fields.agentId !== undefined ? { agentId: fields.agentId } : {}),
    timestamp: fields.timestamp ?? '2026-11-24T09:00:00.000Z',
    message: { id: fields.id, model: 'claude-haiku-4-5', usage: { input_tokens: fields.input ?? 5, output_tokens: 2 } },
  });
}

describe('parseClaudeTranscript', () => {
  it('leaves a trailing partial line for the next read and resumes there', () => {
    const complete = `${line({ id: 'a' })}\n${line({ id: 'b' })}\n`;
    const partial = line({ id: 'c' });
    const first = parseClaudeTranscript(complete + partial.slice(0, 20), { startOffset: 0 });
    expect(first.records.map((record) => record.id)).toEqual(['cc:a', 'cc:b']);
    expect(first.summary.endOffset).toBe(Buffer.byteLength(complete));

    const second = parseClaudeTranscript(`${complete}${partial}\n`, { startOffset: first.summary.endOffset });
    expect(second.records.map((record) => record.id)).toEqual(['cc:c']);
    expect(second.summary.startOffset).toBe(first.summary.endOffset);
  });

  it('restarts at 0 when the offset is past the end of the file', () => {
    const text = `${line({ id: 'a' })}\n`;
    const { records, summary } = parseClaudeTranscript(text, { startOffset: 10_000 });
    expect(records.map((record) => record.id)).toEqual(['cc:a']);
    expect(summary).toMatchObject({ startOffset: 0, endOffset: text.length, offsetReset: true });
  });

  it('skips to the next line start when the offset falls inside a line', () => {
    const first = `${line({ id: 'a' })}\n`;
    const text = `${first}${line({ id: 'b' })}\n`;
    const { records, summary } = parseClaudeTranscript(text, { startOffset: 5 });
    expect(records.map((record) => record.id)).toEqual(['cc:b']);
    expect(summary).toMatchObject({ startOffset: 5, endOffset: text.length, offsetRealigned: true });
    expect(summary.lines.total).toBe(1);

    const insideLastLine = parseClaudeTranscript(line({ id: 'a' }), { startOffset: 5 });
    expect(insideLastLine.records).toEqual([]);
    expect(insideLastLine.summary.endOffset).toBe(5);
  });

  it('reads CRLF transcripts and counts byte offsets in UTF-8 bytes', () => {
    const text = `${JSON.stringify({ type: 'user', sessionId: 's-1', message: { content: 'héllo ✓' } })}\r\n${line({ id: 'a' })}\r\n`;
    const { records, summary } = parseClaudeTranscript(new TextEncoder().encode(text), { startOffset: 0 });
    expect(records.map((record) => record.id)).toEqual(['cc:a']);
    expect(summary.endOffset).toBe(Buffer.byteLength(text));
    expect(summary.lines.malformed).toBe(0);
  });

  it('re-reading from an older offset yields the same ids (the server drops the repeats)', () => {
    const bytes = readFileSync(FIXTURE);
    const fromStart = parseClaudeTranscript(bytes, { startOffset: 0 });
    const fromOffset = parseClaudeTranscript(bytes, { startOffset: 1132 });
    const startIds = new Set(fromStart.records.map((record) => record.id));
    for (const record of fromOffset.records) expect(startIds.has(record.id)).toBe(true);
    expect(fromStart.summary.endOffset).toBe(fromOffset.summary.endOffset);
  });

  it('labels sidechain messages without agentId "sidechain" and drops replays of main-chain messages', () => {
    const text = [line({ id: 'main' }), line({ id: 'main', sidechain: true }), line({ id: 'side', sidechain: true })].join('\n');
    const { records, summary } = parseClaudeTranscript(`${text}\n`, { startOffset: 0, billing: 'api' });
    expect(records.map((record) => [record.id, record.subagent ?? null, record.billing])).toEqual([
      ['cc:main', null, 'api'],
      ['cc:side', 'sidechain', 'api'],
    ]);
    expect(summary.lines.sidechainReplays).toBe(1);
  });

  it('skips API error messages and messages without usage', () => {
    const apiError = JSON.stringify({ type: 'assistant', isApiErrorMessage: true, message: { id: 'e', model: 'claude-haiku-4-5', usage: { input_tokens: 1 } } });
    const noUsage = JSON.stringify({ type: 'assistant', message: { id: 'n', model: 'claude-haiku-4-5' } });
    const { records, summary } = parseClaudeTranscript(`${apiError}\n${noUsage}\n`, { startOffset: 0 });
    expect(records).toEqual([]);
    expect(summary.lines).toMatchObject({ synthetic: 1, emptyUsage: 1 });
  });
});
