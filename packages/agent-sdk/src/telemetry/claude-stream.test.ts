// Edge cases of parseClaudeCodeStream beyond the golden fixtures: hostile input, line endings, replays.

import { describe, expect, it } from 'vitest';
import { parseClaudeCodeStream, type UsageRecord } from './index.ts';

const SESSION = 'sess-1';

function assistantLine(fields: { id?: string; model?: string; parent?: string; input?: number; output?: number; text?: string; uuid?: string }) {
  return JSON.stringify({
    type: 'assistant',
    message: {
      ...(fields.id !== undefined ? { id: fields.id } : {}),
      model: fields.model ?? 'claude-sonnet-4-5-20250929',
      content: [{ type: 'text', text: fields.text ?? 'hi' }],
      usage: { input_tokens: fields.input ?? 10, output_tokens: fields.output ?? 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    },
    parent_tool_use_id: fields.parent ?? null,
    session_id: SESSION,
    ...(fields.uuid !== undefined ? { uuid: fields.uuid } : {}),
  });
}

function resultLine(modelUsage: Record<string, unknown>, fields: { uuid?: string; cost?: number; subtype?: string } = {}) {
  return JSON.stringify({
    type: 'result',
    subtype: fields.subtype ?? 'success',
    is_error: false,
    session_id: SESSION,
    total_cost_usd: fields.cost ?? 0,
    modelUsage,
    ...(fields.uuid !== undefined ? { uuid: fields.uuid } : {}),
  });
}

function usageEntry(input: number, output: number, costUSD?: number) {
  return { inputTokens: input, outputTokens: output, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, ...(costUSD !== undefined ? { costUSD } : {}) };
}

function parseAll(lines: string[], options: Parameters<typeof parseClaudeCodeStream>[0] = {}) {
  const parser = parseClaudeCodeStream(options);
  const records: UsageRecord[] = [];
  for (const line of lines) records.push(...parser.push(line));
  records.push(...parser.end());
  return { records, summary: parser.summary(), parser };
}

describe('parseClaudeCodeStream', () => {
  it('counts malformed lines and keeps going', () => {
    const { records, summary } = parseAll(['not json', '{"type":"assistant","message":{', '[1,2]', '42', 'null', assistantLine({ id: 'm1' })]);
    expect(summary.lines).toMatchObject({ total: 6, malformed: 5 });
    expect(records.map((record) => record.id)).toEqual(['cc:m1']);
  });

  it('never throws on wrongly typed fields', () => {
    const hostile = [
      '{"type":"assistant"}',
      '{"type":"assistant","message":null}',
      '{"type":"assistant","message":{"id":5,"model":7,"usage":"lots"}}',
      '{"type":"assistant","message":{"id":"x","usage":{"input_tokens":"9","output_tokens":-4,"cache_creation":[],"cache_read_input_tokens":1e400}}}',
      '{"type":"assistant","message":{"id":"y","usage":{"input_tokens":3.9,"output_tokens":null}}}',
      '{"type":"assistant","message":{"id":"z","usage":{"input_tokens":1,"output_tokens":NaN}}}',
      '{"type":"result","modelUsage":[1,2],"errors":"boom","subtype":3}',
      '{"type":"result","modelUsage":{"m":null,"n":{"inputTokens":{},"costUSD":"1"}}}',
      '{"type":"rate_limit_event","rate_limit_info":{"status":"rejected","resetsAt":1e300}}',
      '{"type":"rate_limit_event","rate_limit_info":7}',
      '{"type":"system","subtype":"init","apiKeySource":{}}',
      '{"type":"conversation_reset"}',
      '{"__proto__":{"type":"assistant"},"type":"user"}',
    ];
    expect(() => parseAll(hostile)).not.toThrow();
    const { records, summary } = parseAll(hostile);
    expect(records.map((record) => [record.id, record.inputTokens, record.outputTokens])).toEqual([['cc:y', 3, 0]]);
    expect(summary.rateLimits).toEqual([{ status: 'rejected' }]);
    expect(summary.lines.malformed).toBe(1); // the NaN line is not JSON
  });

  it('parses a line longer than 1 MB', () => {
    const line = assistantLine({ id: 'big', text: 'x'.repeat(1_500_000), input: 7, output: 3 });
    expect(line.length).toBeGreaterThan(1_048_576);
    const { records } = parseAll([line]);
    expect(records).toMatchObject([{ id: 'cc:big', inputTokens: 7, outputTokens: 3 }]);
  });

  it('strips a trailing CR and accepts a chunk of several lines', () => {
    const lines = [assistantLine({ id: 'a' }), assistantLine({ id: 'b' })];
    const crlf = parseAll(lines.map((line) => `${line}\r`));
    const chunked = parseAll([`${lines.join('\r\n')}\r\n`]);
    const plain = parseAll(lines);
    expect(crlf.records).toStrictEqual(plain.records);
    expect(chunked.records).toStrictEqual(plain.records);
    expect(crlf.summary.lines.malformed).toBe(0);
  });

  it('gives the same ids when the same bytes are parsed twice, and never a second record in one parser', () => {
    const lines = [assistantLine({ id: 'a', output: 3 }), assistantLine({ id: 'a', output: 9 }), assistantLine({ uuid: 'u-1' }), assistantLine({})];
    const first = parseAll(lines).records.map((record) => record.id);
    const second = parseAll(lines).records.map((record) => record.id);
    expect(first).toEqual(['cc:a', 'cc:uuid:u-1', 'cc:line:4']);
    expect(second).toEqual(first);

    const replayed = parseAll([...lines.slice(0, 2), ...lines.slice(0, 2)]);
    expect(replayed.records.map((record) => record.id)).toEqual(['cc:a']);
    expect(replayed.records[0]?.outputTokens).toBe(9);
    expect(replayed.summary.lines).toMatchObject({ repeatedUsageLines: 3, lateDuplicates: 0 });
  });

  it('drops a line for an already emitted message as a late duplicate', () => {
    const { records, summary } = parseAll([assistantLine({ id: 'a', output: 3 }), assistantLine({ id: 'b' }), assistantLine({ id: 'a', output: 50 })]);
    expect(records.map((record) => [record.id, record.outputTokens])).toEqual([
      ['cc:a', 3],
      ['cc:b', 5],
    ]);
    expect(summary.lines.lateDuplicates).toBe(1);
  });

  it('stamps occurredAt from the clock at the first line of a message only when given a clock', () => {
    let ms = Date.parse('2026-11-24T10:00:00.000Z');
    const clock = () => {
      ms += 1000;
      return new Date(ms);
    };
    const withClock = parseAll([assistantLine({ id: 'a' }), assistantLine({ id: 'a' })], { clock });
    expect(withClock.records[0]?.occurredAt).toBe('2026-11-24T10:00:01.000Z');
    const withoutClock = parseAll([assistantLine({ id: 'a' })]);
    expect(withoutClock.records[0]).not.toHaveProperty('occurredAt');
  });

  it('restarts the running totals when modelUsage decreases (crashed result)', () => {
    const model = 'claude-haiku-4-5';
    const { records } = parseAll([
      resultLine({ [model]: usageEntry(100, 10, 0.5) }, { uuid: 'r1' }),
      resultLine({ [model]: usageEntry(0, 0, 0) }, { uuid: 'r2' }),
      resultLine({ [model]: usageEntry(30, 3, 0.1) }, { uuid: 'r3' }),
    ]);
    expect(records.map((record) => [record.id, record.inputTokens, record.costUsd])).toEqual([
      [`cc:r:r1:${model}`, 100, 0.5],
      [`cc:r:r3:${model}`, 30, 0.1],
    ]);
  });

  it('lets several modelUsage keys of one normalized model consume one pool in key order', () => {
    const { records } = parseAll([
      assistantLine({ id: 'a', model: 'claude-opus-4-1', input: 10, output: 1 }),
      resultLine({ 'claude-opus-4-1-20250805': usageEntry(6, 1), 'anthropic/claude-opus-4-1': usageEntry(7, 0) }, { uuid: 'r' }),
    ]);
    expect(records.map((record) => [record.id, record.inputTokens, record.outputTokens])).toEqual([
      ['cc:a', 10, 1],
      ['cc:r:r:anthropic/claude-opus-4-1', 3, 0],
    ]);
  });

  it('hashes an over-long modelUsage key into the reconciliation id and falls back to the line number', () => {
    const longKey = `claude-${'x'.repeat(200)}`;
    const { records } = parseAll(['', resultLine({ [longKey]: usageEntry(1, 1) })]);
    expect(records).toHaveLength(1);
    expect(records[0]?.id).toMatch(/^cc:r:line2:[0-9a-f]{32}$/);
    expect(records[0]?.model).toBe(longKey);
  });

  it('skips the first reconciliation of a resumed run without baseline, then reconciles deltas', () => {
    const model = 'claude-sonnet-4-6';
    const { records, summary } = parseAll(
      [resultLine({ [model]: usageEntry(500, 50, 1) }, { uuid: 'r1' }), resultLine({ [model]: usageEntry(520, 55, 1.25) }, { uuid: 'r2' })],
      { resumed: true },
    );
    expect(summary.reconcileSkipped).toBe(1);
    expect(records.map((record) => [record.id, record.inputTokens, record.outputTokens, record.costUsd])).toEqual([
      [`cc:r:r2:${model}`, 20, 5, 0.25],
    ]);
  });

  it('hands back the last result as the next run baseline', () => {
    const { parser } = parseAll([resultLine({ m: usageEntry(1, 2, 0.003) }, { cost: 0.003 })]);
    expect(parser.nextBaseline()).toEqual({ modelUsage: { m: usageEntry(1, 2, 0.003) }, totalCostUsd: 0.003 });
  });
});
