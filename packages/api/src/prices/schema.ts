// Inputs of the price admin procedures. Entries use LiteLLM field names in USD per token; the full
// validation (whole nano-USD, tiers, clashing model keys) is loadPriceTable's, run on the merged table.
import { z } from 'zod';
import { CostRange } from '../costs/schema.ts';

const usdPerToken = z.number({ error: 'must be a number (USD per token)' }).finite().min(0, 'must be >= 0 (prices cannot be negative)');

export const PriceEntry = z
  .object({ input_cost_per_token: usdPerToken, output_cost_per_token: usdPerToken })
  .catchall(z.union([usdPerToken, z.string().max(100)]));
export type PriceEntry = z.output<typeof PriceEntry>;

export const ModelKey = z.string().trim().min(1, 'must not be empty').max(200).regex(/^[A-Za-z0-9._:@/\-[\]]+$/, 'letters, digits and . _ : @ / - [ ] only');

export const SetOverrideInput = z.object({ model: ModelKey, entry: PriceEntry }).strict();
export const RemoveOverrideInput = z.object({ model: ModelKey }).strict();

export const RepriceInput = z
  .object({
    range: CostRange,
    /** Price-table keys or reported ids; empty = every model. */
    models: z.array(ModelKey).max(100).default([]),
  })
  .strict();
export type RepriceInput = z.output<typeof RepriceInput>;

export const UnpricedInput = z.object({ range: CostRange.default({ preset: '90d' }) }).strict();
