// Computed cost of one usage record (TELEMETRY.md §5.2), exact in bigint nano-USD. Tier per record on
// its own prompt size, never for aggregated records; a missing cache price is the input price; unknown
// model → null (unpriced), never 0.

import { resolveModel } from './model-resolution.ts';
import type { ModelPrice, PriceField, PriceTable } from './price-table.ts';

export type UsageToPrice = {
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  cacheWrite1hTokens?: number;
  aggregated?: boolean;
};

export type PricedUsage = {
  resolvedModel: string | null;
  /** `base` or `above_<N>k`; null when unpriced. */
  tier: string | null;
  costNanos: bigint | null;
};

const UNPRICED: PricedUsage = Object.freeze({ resolvedModel: null, tier: null, costNanos: null });

/** Token counts arrive validated (PROTOCOL.md §5: int >= 0); anything else is a caller bug. */
function tokenCount(value: number | undefined, name: string): bigint {
  if (value === undefined) return 0n;
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  return BigInt(value);
}

function rateAt(model: ModelPrice, field: PriceField, promptTokens: bigint | null): bigint | null {
  const price = model.prices[field];
  if (promptTokens !== null) {
    // Tiers are sorted largest first: the first one exceeded is the largest N with prompt > N·1000.
    const tier = price.tiers.find((candidate) => promptTokens > BigInt(candidate.aboveTokens));
    if (tier !== undefined) return tier.nanos;
  }
  return price.baseNanos;
}

export function priceUsage(table: PriceTable, usage: UsageToPrice): PricedUsage {
  const resolvedModel = resolveModel(table, usage.model);
  const model = resolvedModel === null ? undefined : table.models.get(resolvedModel);
  if (resolvedModel === null || model === undefined) return UNPRICED;

  const input = tokenCount(usage.inputTokens, 'inputTokens');
  const output = tokenCount(usage.outputTokens, 'outputTokens');
  const cacheRead = tokenCount(usage.cacheReadTokens, 'cacheReadTokens');
  const cacheWrite = tokenCount(usage.cacheWriteTokens, 'cacheWriteTokens');
  // The 1-hour writes are part of cacheWrite; never bill more of them than there are writes.
  const requestedCacheWrite1h = tokenCount(usage.cacheWrite1hTokens, 'cacheWrite1hTokens');
  // biome-ignore lint/complexity/useMathMinMax: bigint operands (Math.min does not take bigint)
  const cacheWrite1h = requestedCacheWrite1h < cacheWrite ? requestedCacheWrite1h : cacheWrite;

  // Aggregated records sum several requests: their size says nothing about any one request's tier.
  const prompt = usage.aggregated === true ? null : input + cacheRead + cacheWrite;
  const tier = prompt === null ? undefined : model.tierThresholds.find((threshold) => prompt > BigInt(threshold.aboveTokens));

  const inputRate = rateAt(model, 'input_cost_per_token', prompt);
  const outputRate = rateAt(model, 'output_cost_per_token', prompt);
  if (inputRate === null || outputRate === null) return UNPRICED; // the loader makes both required
  const cacheReadRate = rateAt(model, 'cache_read_input_token_cost', prompt) ?? inputRate;
  const cacheWriteRate = rateAt(model, 'cache_creation_input_token_cost', prompt) ?? inputRate;
  const cacheWrite1hRate = rateAt(model, 'cache_creation_input_token_cost_above_1hr', prompt) ?? cacheWriteRate;

  const costNanos =
    input * inputRate +
    output * outputRate +
    cacheRead * cacheReadRate +
    (cacheWrite - cacheWrite1h) * cacheWriteRate +
    cacheWrite1h * cacheWrite1hRate;
  return { resolvedModel, tier: tier?.label ?? 'base', costNanos };
}

/**
 * What a record's cache reads saved (TELEMETRY.md §5.2 rates): the same tokens charged at the input rate
 * minus their cost at the cache-read rate, in the record's own tier (moving cache reads into input keeps
 * the prompt size, so the tier cannot change). null when unpriced.
 */
export function cacheSavedNanos(table: PriceTable, usage: UsageToPrice, priced: PricedUsage): bigint | null {
  if (priced.costNanos === null) return null;
  const cacheRead = usage.cacheReadTokens ?? 0;
  if (cacheRead === 0) return 0n;
  const asInput = priceUsage(table, { ...usage, inputTokens: usage.inputTokens + cacheRead, cacheReadTokens: 0 });
  return asInput.costNanos === null ? null : asInput.costNanos - priced.costNanos;
}
