// Validates a LiteLLM-style price table (pricing/README.md) and converts every USD-per-token price to
// exact bigint nano-USD per token. Rejects what would make costs inexact or ambiguous; never rounds.

import { z } from 'zod';
import { normalizeModelId } from './model-resolution.ts';

export const PRICE_FIELDS = [
  'input_cost_per_token',
  'output_cost_per_token',
  'cache_read_input_token_cost',
  'cache_creation_input_token_cost',
  'cache_creation_input_token_cost_above_1hr',
] as const;

export type PriceField = (typeof PRICE_FIELDS)[number];

export type PriceTier = {
  /** The tier applies when a request's prompt exceeds this many tokens (N × 1000). */
  aboveTokens: number;
  /** `above_<N>k`, as stored with the cost. */
  label: string;
  nanos: bigint;
};

export type TieredPrice = {
  /** nano-USD per token below every tier; null when the table has no such price. */
  baseNanos: bigint | null;
  /** Largest threshold first. */
  tiers: readonly PriceTier[];
};

export type ModelPrice = {
  prices: Readonly<Record<PriceField, TieredPrice>>;
  /** Every tier threshold of any field, largest first: picks the tier label. */
  tierThresholds: readonly { aboveTokens: number; label: string }[];
};

export type PriceTable = {
  version: string;
  aliases: ReadonlyMap<string, string>;
  models: ReadonlyMap<string, ModelPrice>;
};

export class PriceTableError extends Error {
  override readonly name = 'PriceTableError';
  constructor(readonly issues: string[]) {
    super(`Invalid price table:\n${issues.map((issue) => `- ${issue}`).join('\n')}`);
  }
}

const UsdPerToken = z.number().nonnegative({ error: 'must be a number >= 0 (USD per token)' });

const PriceTableJson = z.looseObject({
  version: z.string().regex(/^\d{4}-\d{2}-\d{2}(\.\d+)?$/, { error: 'must be YYYY-MM-DD with an optional .N revision' }),
  aliases: z.record(z.string().min(1), z.string().min(1)).default({}),
  models: z.record(
    z.string().min(1),
    // Other LiteLLM fields (provider, context size, modes) are informational and pass through.
    z.looseObject({ input_cost_per_token: UsdPerToken, output_cost_per_token: UsdPerToken }),
  ),
});

const TIER_FIELD = /^(.+)_above_(\d+)k_tokens$/;
const PRICE_FIELD_SET: ReadonlySet<string> = new Set(PRICE_FIELDS);

function isPriceField(key: string): key is PriceField {
  return PRICE_FIELD_SET.has(key);
}

type FieldKind = { kind: 'base'; field: PriceField } | { kind: 'tier'; field: PriceField; thresholdK: number } | { kind: 'invalid-tier' } | { kind: 'other' };

function classifyField(key: string): FieldKind {
  if (isPriceField(key)) return { kind: 'base', field: key };
  const tier = TIER_FIELD.exec(key);
  const base = tier?.[1];
  const thresholdK = Number(tier?.[2]);
  if (base !== undefined && isPriceField(base)) {
    return thresholdK > 0 && Number.isSafeInteger(thresholdK * 1000) ? { kind: 'tier', field: base, thresholdK } : { kind: 'invalid-tier' };
  }
  // A misspelt tier of a known price would silently bill the base rate: refuse it.
  if (PRICE_FIELDS.some((field) => key.startsWith(`${field}_above_`))) return { kind: 'invalid-tier' };
  return { kind: 'other' };
}

/**
 * Exact USD-per-token → nano-USD-per-token, via the number's shortest decimal form (so 3e-6 is 3000n,
 * not Math.round of 2999.9999…); null when the price is not a whole number of nano-USD.
 */
export function usdPerTokenToNanos(usd: number): bigint | null {
  if (!Number.isFinite(usd) || usd < 0) return null;
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(String(usd));
  if (match === null) return null;
  const integerDigits = match[1] ?? '0';
  const fractionDigits = match[2] ?? '';
  const exponent = Number(match[3] ?? '0');
  const digits = BigInt(integerDigits + fractionDigits);
  const shift = exponent - fractionDigits.length + 9;
  if (shift >= 0) return digits * 10n ** BigInt(shift);
  const divisor = 10n ** BigInt(-shift);
  return digits % divisor === 0n ? digits / divisor : null;
}

function formatZodIssue(issue: z.core.$ZodIssue): string {
  const [section, key, field, ...rest] = issue.path.map(String);
  if (section === 'models' && key !== undefined) {
    return `model "${key}"${field !== undefined ? ` field ${[field, ...rest].join('.')}` : ''}: ${issue.message}`;
  }
  if (section === 'aliases' && key !== undefined) return `alias "${key}": ${issue.message}`;
  return `${issue.path.length > 0 ? issue.path.join('.') : 'table'}: ${issue.message}`;
}

function convertModel(modelKey: string, entry: Record<string, unknown>, issues: string[]): ModelPrice {
  const bases = new Map<PriceField, bigint>();
  const tiers = new Map<PriceField, PriceTier[]>();
  const thresholds = new Map<number, string>();
  for (const [key, value] of Object.entries(entry)) {
    const kind = classifyField(key);
    if (kind.kind === 'other') continue;
    if (kind.kind === 'invalid-tier') {
      issues.push(`model "${modelKey}" field ${key}: not a price field; tiers are <price field>_above_<N>k_tokens with N >= 1`);
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      issues.push(`model "${modelKey}" field ${key}: must be a number >= 0 (USD per token), got ${JSON.stringify(value)}`);
      continue;
    }
    const nanos = usdPerTokenToNanos(value);
    if (nanos === null) {
      issues.push(
        `model "${modelKey}" field ${key}: ${value} USD per token is finer than 1 nano-USD per token ($0.001 per million tokens); costs must stay whole nano-USD`,
      );
      continue;
    }
    if (kind.kind === 'base') {
      bases.set(kind.field, nanos);
    } else {
      const aboveTokens = kind.thresholdK * 1000;
      const label = `above_${kind.thresholdK}k`;
      thresholds.set(aboveTokens, label);
      tiers.set(kind.field, [...(tiers.get(kind.field) ?? []), { aboveTokens, label, nanos }]);
    }
  }
  const byThresholdDescending = (a: { aboveTokens: number }, b: { aboveTokens: number }) => b.aboveTokens - a.aboveTokens;
  const priceOf = (field: PriceField): TieredPrice =>
    Object.freeze({ baseNanos: bases.get(field) ?? null, tiers: Object.freeze((tiers.get(field) ?? []).sort(byThresholdDescending)) });
  const prices: Record<PriceField, TieredPrice> = {
    input_cost_per_token: priceOf('input_cost_per_token'),
    output_cost_per_token: priceOf('output_cost_per_token'),
    cache_read_input_token_cost: priceOf('cache_read_input_token_cost'),
    cache_creation_input_token_cost: priceOf('cache_creation_input_token_cost'),
    cache_creation_input_token_cost_above_1hr: priceOf('cache_creation_input_token_cost_above_1hr'),
  };
  return Object.freeze({
    prices: Object.freeze(prices),
    tierThresholds: Object.freeze([...thresholds].map(([aboveTokens, label]) => ({ aboveTokens, label })).sort(byThresholdDescending)),
  });
}

/** Parses and validates a models.json-shaped value; throws PriceTableError listing every problem. */
export function loadPriceTable(json: unknown): PriceTable {
  const parsed = PriceTableJson.safeParse(json);
  if (!parsed.success) throw new PriceTableError(parsed.error.issues.map(formatZodIssue));
  const issues: string[] = [];
  const models = new Map<string, ModelPrice>();
  const keyByNormalizedId = new Map<string, string>();
  for (const [modelKey, entry] of Object.entries(parsed.data.models)) {
    models.set(modelKey, convertModel(modelKey, entry, issues));
    // Two keys that normalize alike make "normalized id → key" ambiguous (which one prices "x-20250101"?).
    const normalized = normalizeModelId(modelKey);
    const clash = keyByNormalizedId.get(normalized);
    if (clash !== undefined) issues.push(`models "${clash}" and "${modelKey}" both normalize to "${normalized}"; keep one undated key and alias the other`);
    else keyByNormalizedId.set(normalized, modelKey);
  }
  const aliases = new Map<string, string>();
  for (const [alias, target] of Object.entries(parsed.data.aliases)) {
    if (!models.has(target)) issues.push(`alias "${alias}" points to "${target}", which is not a key of models`);
    else aliases.set(alias, target);
  }
  if (issues.length > 0) throw new PriceTableError(issues);
  return Object.freeze({ version: parsed.data.version, aliases, models });
}
