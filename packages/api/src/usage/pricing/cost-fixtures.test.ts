// Golden costs of test/fixtures/telemetry: pricing each expected record reproduces expected.json
// `costs`, `costTotals` and `priceVersion` exactly (integer nano-USD, USD derived from it).

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { priceUsage, type UsageToPrice } from './cost.ts';
import { loadDefaultPriceTable } from './default-table.ts';
import { nanosToUsd } from './money.ts';

const FIXTURES_DIR = new URL('../../../../../test/fixtures/telemetry/', import.meta.url);

type JsonObject = Record<string, unknown>;

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objects(value: unknown): JsonObject[] {
  if (!Array.isArray(value)) throw new Error('expected an array');
  return value.filter(isJsonObject);
}

function count(record: JsonObject, key: string): number | undefined {
  const value = record[key];
  return typeof value === 'number' ? value : undefined;
}

function toUsage(record: JsonObject): UsageToPrice {
  return {
    model: String(record.model),
    inputTokens: count(record, 'inputTokens') ?? 0,
    outputTokens: count(record, 'outputTokens') ?? 0,
    cacheReadTokens: count(record, 'cacheReadTokens') ?? 0,
    cacheWriteTokens: count(record, 'cacheWriteTokens') ?? 0,
    cacheWrite1hTokens: count(record, 'cacheWrite1hTokens') ?? 0,
    aggregated: record.aggregated === true,
  };
}

/** expected.json stores nanos as JSON numbers: compare as bigint, never through float arithmetic. */
function expectedNanos(value: unknown): bigint | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new Error(`costNanos ${String(value)} is not an exact integer`);
  return BigInt(value);
}

const caseNames = readdirSync(FIXTURES_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe('golden costs', () => {
  const table = loadDefaultPriceTable();

  it('covers every fixture case', () => {
    expect(caseNames.length).toBeGreaterThanOrEqual(13);
  });

  describe.each(caseNames)('%s', (caseName) => {
    const expected: unknown = JSON.parse(readFileSync(new URL(`${caseName}/expected.json`, FIXTURES_DIR), 'utf8'));
    if (!isJsonObject(expected)) throw new Error(`${caseName}/expected.json is not an object`);
    const records = objects(expected.records);
    const costs = objects(expected.costs);

    it('is priced with the pinned table version', () => {
      expect(table.version).toBe(expected.priceVersion);
    });

    it('prices every record exactly as expected', () => {
      expect(costs).toHaveLength(records.length);
      records.forEach((record, index) => {
        const cost = costs[index];
        const priced = priceUsage(table, toUsage(record));
        expect({ id: record.id, model: record.model, resolvedModel: priced.resolvedModel, priced: priced.costNanos !== null, tier: priced.tier }).toStrictEqual({
          id: cost?.id,
          model: cost?.model,
          resolvedModel: cost?.resolvedModel,
          priced: cost?.priced,
          tier: cost?.tier,
        });
        expect(priced.costNanos).toBe(expectedNanos(cost?.costNanos));
        expect(priced.costNanos === null ? null : nanosToUsd(priced.costNanos)).toBe(cost?.costUsd);
      });
    });

    it('sums to the expected totals', () => {
      let pricedNanos = 0n;
      let unpricedRecords = 0;
      for (const record of records) {
        const { costNanos } = priceUsage(table, toUsage(record));
        if (costNanos === null) unpricedRecords += 1;
        else pricedNanos += costNanos;
      }
      const totals = isJsonObject(expected.costTotals) ? expected.costTotals : {};
      expect(pricedNanos).toBe(expectedNanos(totals.pricedCostNanos));
      expect(nanosToUsd(pricedNanos)).toBe(totals.pricedCostUsd);
      expect(unpricedRecords).toBe(totals.unpricedRecords);
    });
  });
});
