// The pricing pitfalls of TELEMETRY.md §5, one test each, against the pinned table.

import { describe, expect, it } from 'vitest';
import { priceUsage } from './cost.ts';
import { loadDefaultPriceTable } from './default-table.ts';
import { loadPriceTable } from './price-table.ts';

const table = loadDefaultPriceTable();
const usage = (model: string, tokens: Partial<Parameters<typeof priceUsage>[1]> = {}) => ({ model, inputTokens: 0, outputTokens: 0, ...tokens });

describe('priceUsage', () => {
  it('never bills context size: a 1M-context model costs only its tokens', () => {
    // claude-opus-4-6 has max_input_tokens 1,000,000 and input $5/MTok = 5,000 nano-USD per token.
    expect(priceUsage(table, usage('claude-opus-4-6', { inputTokens: 100, outputTokens: 10 }))).toEqual({
      resolvedModel: 'claude-opus-4-6',
      tier: 'base',
      costNanos: 100n * 5_000n + 10n * 25_000n,
    });
  });

  it('leaves an unknown model unpriced: null, never 0n', () => {
    for (const model of ['glm-4.6', 'unknown', 'gpt-5.6-codex', '']) {
      expect(priceUsage(table, usage(model, { inputTokens: 1_000, outputTokens: 1_000 }))).toEqual({ resolvedModel: null, tier: null, costNanos: null });
    }
  });

  it('charges cached input at the cache-read rate, not the input rate', () => {
    // gpt-5: input $1.25/MTok, cached $0.125/MTok; Codex records hold cached tokens apart from input.
    expect(priceUsage(table, usage('gpt-5', { inputTokens: 1_000, cacheReadTokens: 9_000 })).costNanos).toBe(1_000n * 1_250n + 9_000n * 125n);
  });

  it('charges a missing cache price at the input rate (o3-pro), never free', () => {
    const priced = priceUsage(table, usage('o3-pro', { cacheReadTokens: 1_000, cacheWriteTokens: 500, cacheWrite1hTokens: 100 }));
    expect(priced.costNanos).toBe(1_500n * 20_000n);
  });

  it('charges OpenAI cache writes (no cache_creation price) at the input rate', () => {
    expect(priceUsage(table, usage('gpt-5.5', { cacheWriteTokens: 1_000 })).costNanos).toBe(1_000n * 5_000n);
  });

  it('charges 1-hour cache writes at the 1h rate and the rest at the 5-minute rate', () => {
    // claude-sonnet-4-6: 5m write $3.75/MTok, 1h write $6/MTok.
    expect(priceUsage(table, usage('claude-sonnet-4-6', { cacheWriteTokens: 1_000, cacheWrite1hTokens: 400 })).costNanos).toBe(
      600n * 3_750n + 400n * 6_000n,
    );
  });

  it('falls back from a missing 1h write price to the 5-minute write price', () => {
    const custom = loadPriceTable({
      version: '2026-01-01',
      models: { m: { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6, cache_creation_input_token_cost: 1.5e-6 } },
    });
    expect(priceUsage(custom, usage('m', { cacheWriteTokens: 10, cacheWrite1hTokens: 10 })).costNanos).toBe(10n * 1_500n);
  });

  it('selects the long-context tier per record, on that record’s own prompt size', () => {
    const over = priceUsage(table, usage('claude-sonnet-4-5', { inputTokens: 12, cacheReadTokens: 198_000, cacheWriteTokens: 2_400, outputTokens: 610 }));
    expect(over.tier).toBe('above_200k');
    expect(over.costNanos).toBe(12n * 6_000n + 610n * 22_500n + 198_000n * 600n + 2_400n * 7_500n);
    // Exactly N·1000 tokens stays base.
    const exactly = priceUsage(table, usage('claude-sonnet-4-5', { inputTokens: 8, cacheReadTokens: 197_500, cacheWriteTokens: 2_492, outputTokens: 95 }));
    expect(exactly.tier).toBe('base');
    expect(priceUsage(table, usage('gpt-5.4', { inputTokens: 272_000 })).tier).toBe('base');
    expect(priceUsage(table, usage('gpt-5.4', { inputTokens: 272_001 })).tier).toBe('above_272k');
  });

  it('never selects a tier for an aggregated record, however large', () => {
    const aggregated = priceUsage(table, usage('claude-sonnet-4-5', { inputTokens: 400_000, aggregated: true }));
    expect(aggregated).toEqual({ resolvedModel: 'claude-sonnet-4-5', tier: 'base', costNanos: 400_000n * 3_000n });
  });

  it('uses the 1h tier price above 200k when the table has one', () => {
    const priced = priceUsage(table, usage('claude-sonnet-4', { cacheReadTokens: 200_000, cacheWriteTokens: 1_000, cacheWrite1hTokens: 1_000 }));
    expect(priced.tier).toBe('above_200k');
    expect(priced.costNanos).toBe(200_000n * 600n + 1_000n * 12_000n);
  });

  it('resolves dated ids (claude-sonnet-4-5-20250929, gpt-5-2025-08-07)', () => {
    expect(priceUsage(table, usage('claude-sonnet-4-5-20250929')).resolvedModel).toBe('claude-sonnet-4-5');
    expect(priceUsage(table, usage('gpt-5-2025-08-07')).resolvedModel).toBe('gpt-5');
    expect(priceUsage(table, usage('claude-sonnet-4-5-20250929[1m]')).resolvedModel).toBe('claude-sonnet-4-5');
  });

  it('resolves provider-prefixed ids (anthropic/…, openai/…)', () => {
    expect(priceUsage(table, usage('anthropic/claude-sonnet-4-5-20250929')).resolvedModel).toBe('claude-sonnet-4-5');
    expect(priceUsage(table, usage('openai/gpt-5-codex')).resolvedModel).toBe('gpt-5-codex');
    expect(priceUsage(table, usage('vertex_ai/gemini-2.5-pro')).resolvedModel).toBe('gemini-2.5-pro');
  });

  it('resolves Bedrock ids (us.anthropic.claude-opus-4-1-20250805-v1:0)', () => {
    const priced = priceUsage(table, usage('us.anthropic.claude-opus-4-1-20250805-v1:0', { inputTokens: 2_210, outputTokens: 530 }));
    expect(priced).toEqual({ resolvedModel: 'claude-opus-4-1', tier: 'base', costNanos: 72_900_000n });
  });

  it('resolves aliases, exactly and after normalization', () => {
    expect(priceUsage(table, usage('codex-mini')).resolvedModel).toBe('codex-mini-latest');
    expect(priceUsage(table, usage('anthropic/claude-3-5-haiku-latest')).resolvedModel).toBe('claude-3-5-haiku');
    expect(priceUsage(table, usage('claude-opus-4-0-20250514')).resolvedModel).toBe('claude-opus-4');
  });

  it('rejects token counts that are not non-negative integers', () => {
    expect(() => priceUsage(table, usage('gpt-5', { inputTokens: -1 }))).toThrow(RangeError);
    expect(() => priceUsage(table, usage('gpt-5', { outputTokens: 1.5 }))).toThrow(RangeError);
  });
});
