// loadPriceTable: exact nano-USD conversion and every rejection of pricing/README.md.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDefaultPriceTable } from './default-table.ts';
import { loadPriceTable, PriceTableError, usdPerTokenToNanos } from './price-table.ts';

const base = { input_cost_per_token: 3e-6, output_cost_per_token: 1.5e-5 };
const tableWith = (models: Record<string, unknown>, aliases: Record<string, string> = {}) => ({ version: '2026-11-26', aliases, models });

function loadError(json: unknown): PriceTableError {
  try {
    loadPriceTable(json);
  } catch (error) {
    if (error instanceof PriceTableError) return error;
    throw error;
  }
  throw new Error('loadPriceTable accepted an invalid table');
}

describe('loadPriceTable', () => {
  it('loads the pinned models.json with its version', () => {
    const raw: unknown = JSON.parse(readFileSync(new URL('./models.json', import.meta.url), 'utf8'));
    const table = loadPriceTable(raw);
    expect(table.version).toBe('2026-11-26');
    expect(table.models.size).toBeGreaterThan(30);
    expect(loadDefaultPriceTable().models.size).toBe(table.models.size);
  });

  it('converts float prices to exact bigint nano-USD per token', () => {
    expect(usdPerTokenToNanos(3e-6)).toBe(3_000n);
    expect(usdPerTokenToNanos(1.875e-5)).toBe(18_750n);
    expect(usdPerTokenToNanos(6.25e-6)).toBe(6_250n);
    expect(usdPerTokenToNanos(2.5e-8)).toBe(25n);
    expect(usdPerTokenToNanos(5e-9)).toBe(5n);
    expect(usdPerTokenToNanos(0)).toBe(0n);
    expect(usdPerTokenToNanos(2)).toBe(2_000_000_000n);
    expect(usdPerTokenToNanos(1e-10)).toBeNull();
    const sonnet = loadDefaultPriceTable().models.get('claude-sonnet-4-5');
    expect(sonnet?.prices.input_cost_per_token).toEqual({ baseNanos: 3_000n, tiers: [{ aboveTokens: 200_000, label: 'above_200k', nanos: 6_000n }] });
  });

  it('rejects a negative price, naming model and field', () => {
    expect(loadError(tableWith({ m: { ...base, output_cost_per_token: -1e-6 } })).message).toMatch(/model "m" field output_cost_per_token/);
    expect(loadError(tableWith({ m: { ...base, cache_read_input_token_cost: -3e-7 } })).message).toMatch(
      /model "m" field cache_read_input_token_cost: must be a number >= 0/,
    );
  });

  it('rejects a price finer than one nano-USD per token, naming model and field', () => {
    const error = loadError(tableWith({ 'tiny-model': { ...base, cache_read_input_token_cost: 1.25e-10 } }));
    expect(error.issues).toEqual([expect.stringMatching(/^model "tiny-model" field cache_read_input_token_cost: 1\.25e-10 USD per token is finer than 1 nano-USD/)]);
  });

  it('requires input and output prices', () => {
    expect(loadError(tableWith({ m: { output_cost_per_token: 1e-6 } })).message).toMatch(/model "m" field input_cost_per_token/);
  });

  it('rejects an alias to a missing model', () => {
    expect(loadError(tableWith({ m: base }, { 'm-latest': 'missing' })).issues).toEqual([
      'alias "m-latest" points to "missing", which is not a key of models',
    ]);
  });

  it('rejects two model keys that normalize to the same id', () => {
    expect(loadError(tableWith({ 'claude-x-1': base, 'claude-x-1-20250101': base })).message).toMatch(
      /"claude-x-1" and "claude-x-1-20250101" both normalize to "claude-x-1"/,
    );
  });

  it('rejects a malformed tier field and accepts well-formed ones', () => {
    expect(loadError(tableWith({ m: { ...base, input_cost_per_token_above_200_tokens: 6e-6 } })).message).toMatch(
      /model "m" field input_cost_per_token_above_200_tokens: not a price field/,
    );
    const table = loadPriceTable(tableWith({ m: { ...base, cache_creation_input_token_cost_above_1hr_above_128k_tokens: 1.2e-5, mode: 'chat' } }));
    expect(table.models.get('m')?.prices.cache_creation_input_token_cost_above_1hr.tiers).toEqual([
      { aboveTokens: 128_000, label: 'above_128k', nanos: 12_000n },
    ]);
  });

  it('rejects a bad version and a non-object table', () => {
    expect(loadError({ ...tableWith({ m: base }), version: 'latest' }).message).toMatch(/version/);
    expect(loadError(null)).toBeInstanceOf(PriceTableError);
  });
});
