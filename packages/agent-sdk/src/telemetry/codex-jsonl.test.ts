// Edge cases of parseCodexJsonl: baselines across runs, unnamed threads, restarted totals, errors.

import { describe, expect, it } from 'vitest';
import { type CodexJsonlOptions, parseCodexJsonl, type UsageRecord } from './index.ts';

const THREAD = 'thread-1';
const started = (thread = THREAD) => JSON.stringify({ type: 'thread.started', thread_id: thread });
const completed = (input: number, cached: number, output: number) =>
  JSON.stringify({ type: 'turn.completed', usage: { input_tokens: input, cached_input_tokens: cached, output_tokens: output } });

function parseAll(lines: string[], options: CodexJsonlOptions = {}) {
  const parser = parseCodexJsonl(options);
  const records: UsageRecord[] = [];
  for (const line of lines) records.push(...parser.push(line));
  records.push(...parser.end());
  return { records, summary: parser.summary() };
}

describe('parseCodexJsonl', () => {
  it('continues from a stored baseline of the thread', () => {
    const { records, summary } = parseAll([started(), completed(1500, 1000, 120)], {
      model: 'gpt-5-codex',
      baselines: { [THREAD]: { input_tokens: 1000, cached_input_tokens: 800, output_tokens: 100 } },
    });
    expect(records).toStrictEqual([
      {
        id: `cx:${THREAD}:1500:120`,
        source: 'codex',
        sessionId: THREAD,
        model: 'gpt-5-codex',
        inputTokens: 300,
        outputTokens: 20,
        cacheReadTokens: 200,
        cacheWriteTokens: 0,
        billing: 'unknown',
        aggregated: true,
      },
    ]);
    expect(summary.lastTotals[THREAD]).toEqual({ input_tokens: 1500, cached_input_tokens: 1000, cache_write_input_tokens: 0, output_tokens: 120, reasoning_output_tokens: 0 });
  });

  it('uses thread "unknown" when no thread.started was seen', () => {
    const { records, summary } = parseAll([completed(100, 0, 10)]);
    expect(records.map((record) => [record.id, record.sessionId, record.model])).toEqual([['cx:unknown:100:10', 'unknown', 'unknown']]);
    expect(summary.sessionIds).toEqual(['unknown']);
  });

  it('treats a decreased running total as a restart from zero', () => {
    const { records } = parseAll([started(), completed(1000, 500, 50), started(), completed(200, 100, 20)], { model: 'gpt-5' });
    expect(records.map((record) => [record.inputTokens, record.cacheReadTokens, record.outputTokens])).toEqual([
      [500, 500, 50],
      [100, 100, 20],
    ]);
  });

  it('applies `resumed` to the first thread only', () => {
    const { records, summary } = parseAll([started('a'), completed(100, 0, 10), started('b'), completed(50, 0, 5)], { resumed: true });
    expect(records.map((record) => record.id)).toEqual(['cx:b:50:5']);
    expect(summary.turns.skippedUnknownBaseline).toBe(1);
  });

  it('never adds cached input to input, even when cached exceeds input', () => {
    const { records } = parseAll([started(), completed(100, 150, 1)]);
    expect(records[0]).toMatchObject({ inputTokens: 0, cacheReadTokens: 100 });
  });

  it('reads the cache_creation_input_tokens alias and bounds reasoning by output', () => {
    const usage = { input_tokens: 100, cached_input_tokens: 20, cache_creation_input_tokens: 30, output_tokens: 10, reasoning_output_tokens: 40 };
    const { records } = parseAll([started(), JSON.stringify({ type: 'turn.completed', usage })]);
    expect(records[0]).toMatchObject({ inputTokens: 50, cacheReadTokens: 20, cacheWriteTokens: 30, reasoningTokens: 10 });
  });

  it('collects errors and survives malformed, CRLF and hostile lines', () => {
    const { records, summary } = parseAll([
      `${started()}\r`,
      'WARN something',
      '{"type":"turn.failed"}',
      '{"type":"turn.failed","error":"plain"}',
      '{"type":"error","message":{"message":"nested"}}',
      '{"type":"item.completed","item":{"type":"error"}}',
      '{"type":"turn.completed","usage":[1]}',
      '{"type":"turn.completed","usage":{"input_tokens":"5"}}',
      '{"type":"thread.started","thread_id":42}',
    ]);
    expect(records).toEqual([]);
    expect(summary.lines).toEqual({ total: 9, malformed: 1 });
    expect(summary.errors).toEqual(['turn.failed', 'turn.failed: plain', 'error: nested', 'item']);
    expect(summary.turns).toEqual({ started: 0, completed: 2, failed: 2, skippedUnknownBaseline: 0 });
  });

  it('stamps occurredAt from the clock when given one', () => {
    const clock = () => new Date('2026-11-24T10:00:00.000Z');
    const { records } = parseAll([started(), completed(10, 0, 1)], { clock });
    expect(records[0]?.occurredAt).toBe('2026-11-24T10:00:00.000Z');
  });
});
