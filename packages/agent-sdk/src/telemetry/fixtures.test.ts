// Golden cases of test/fixtures/telemetry (normative, TELEMETRY.md): every parser reproduces each
// case's expected.json records (exact keys, order) and summary (summary() includes totals).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type Billing,
  type ClaudeStreamOptions,
  type CodexJsonlOptions,
  type CodexUsageTotals,
  parseClaudeCodeStream,
  parseClaudeTranscript,
  parseCodexJsonl,
  type UsageRecord,
} from './index.ts';

const FIXTURES_DIR = new URL('../../../../test/fixtures/telemetry/', import.meta.url);

type JsonObject = Record<string, unknown>;

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readJson(url: URL): JsonObject {
  const value: unknown = JSON.parse(readFileSync(url, 'utf8'));
  if (!isJsonObject(value)) throw new Error(`${url.pathname} is not a JSON object`);
  return value;
}

function toBilling(value: unknown): Billing | undefined {
  return value === 'api' || value === 'subscription' || value === 'unknown' ? value : undefined;
}

function claudeStreamOptions(args: JsonObject): ClaudeStreamOptions {
  const baseline = args.baseline;
  return {
    ...(args.resumed === true ? { resumed: true } : {}),
    ...(isJsonObject(baseline) && isJsonObject(baseline.modelUsage)
      ? {
          baseline: {
            modelUsage: baseline.modelUsage,
            totalCostUsd: typeof baseline.totalCostUsd === 'number' ? baseline.totalCostUsd : null,
          },
        }
      : {}),
  };
}

const CODEX_TOTAL_KEYS = ['input_tokens', 'cached_input_tokens', 'cache_write_input_tokens', 'output_tokens', 'reasoning_output_tokens'] as const;

function codexTotals(usage: unknown): Partial<CodexUsageTotals> {
  const totals: Partial<CodexUsageTotals> = {};
  if (!isJsonObject(usage)) return totals;
  for (const key of CODEX_TOTAL_KEYS) {
    const value = usage[key];
    if (typeof value === 'number') totals[key] = value;
  }
  return totals;
}

function codexOptions(args: JsonObject): CodexJsonlOptions {
  const billing = toBilling(args.billing);
  const baselines = args.baselines;
  return {
    model: typeof args.model === 'string' ? args.model : null,
    ...(billing !== undefined ? { billing } : {}),
    ...(args.resumed === true ? { resumed: true } : {}),
    ...(isJsonObject(baselines) ? { baselines: Object.fromEntries(Object.entries(baselines).map(([thread, usage]) => [thread, codexTotals(usage)])) } : {}),
  };
}

/** README: split on `\n`, drop the empty piece after the final newline, push each line, then end(). */
function inputLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function runCase(caseName: string, caseDir: URL, args: JsonObject): { records: UsageRecord[]; summary: unknown } {
  const inputUrl = new URL('input.jsonl', caseDir);
  if (caseName.startsWith('claude-transcript-')) {
    const startOffset = typeof args.startOffset === 'number' ? args.startOffset : 0;
    const billing = toBilling(args.billing);
    return parseClaudeTranscript(readFileSync(inputUrl), { startOffset, ...(billing !== undefined ? { billing } : {}) });
  }
  const parser = caseName.startsWith('claude-stream-')
    ? parseClaudeCodeStream(claudeStreamOptions(args))
    : parseCodexJsonl(codexOptions(args));
  const records: UsageRecord[] = [];
  for (const line of inputLines(readFileSync(inputUrl, 'utf8'))) records.push(...parser.push(line));
  records.push(...parser.end());
  return { records, summary: parser.summary() };
}

const caseNames = readdirSync(FIXTURES_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe('telemetry golden cases', () => {
  it('finds every case and knows its parser', () => {
    expect(caseNames.length).toBeGreaterThanOrEqual(13);
    for (const name of caseNames) expect(name).toMatch(/^(claude-stream|claude-transcript|codex-exec)-/);
  });

  describe.each(caseNames)('%s', (caseName) => {
    const caseDir = new URL(`${caseName}/`, FIXTURES_DIR);
    const argsUrl = new URL('args.json', caseDir);
    const args = existsSync(argsUrl) ? readJson(argsUrl) : {};
    const expected = readJson(new URL('expected.json', caseDir));

    it('emits exactly the expected records, keys in order', () => {
      const { records } = runCase(caseName, caseDir, args);
      expect(records).toStrictEqual(expected.records);
      const expectedRecords = Array.isArray(expected.records) ? expected.records : [];
      expect(records.map((record) => Object.keys(record))).toStrictEqual(
        expectedRecords.map((record: unknown) => (isJsonObject(record) ? Object.keys(record) : [])),
      );
    });

    it('reports the expected summary, totals included', () => {
      const { summary } = runCase(caseName, caseDir, args);
      expect(summary).toStrictEqual(expected.summary);
    });

    it('gives the same records when the same bytes are parsed again', () => {
      const first = runCase(caseName, caseDir, args);
      const second = runCase(caseName, caseDir, args);
      expect(second.records).toStrictEqual(first.records);
    });
  });
});
