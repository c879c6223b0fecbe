// Budget inputs (zod only; shared with the web app). Limits arrive in USD and are stored as integer
// nano-USD; thresholds are whole percents, each fired once per period.
import { z } from 'zod';

export const BUDGET_SCOPES = ['global', 'agent', 'model', 'gateway', 'task'] as const;
export type BudgetScope = (typeof BUDGET_SCOPES)[number];
export const BUDGET_PERIODS = ['day', 'week', 'month'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

const limitUsd = z
  .number({ error: 'must be a number of USD' })
  .finite()
  .positive('must be more than 0')
  .max(1_000_000, 'must be at most 1,000,000 USD');

const thresholds = z
  .array(z.number().int('must be whole percents').min(1, 'must be at least 1 %').max(1000, 'must be at most 1000 %'))
  .min(1, 'give at least one threshold')
  .max(10, 'at most 10 thresholds')
  .refine((values) => new Set(values).size === values.length, 'must not repeat a threshold');

const BudgetFields = {
  name: z.string().trim().min(1, 'must not be empty').max(100),
  scope: z.enum(BUDGET_SCOPES),
  scopeValue: z.string().trim().max(200).default(''),
  period: z.enum(BUDGET_PERIODS),
  limitUsd,
  thresholds: thresholds.default([50, 80, 100]),
  hard: z.boolean().default(false),
  enabled: z.boolean().default(true),
};

function checkScopeValue(value: { scope?: BudgetScope | undefined; scopeValue?: string | undefined }, ctx: z.RefinementCtx) {
  if (value.scope === undefined) return;
  if (value.scope === 'global' && value.scopeValue) ctx.addIssue({ code: 'custom', path: ['scopeValue'], message: 'must be empty for a global budget' });
  if (value.scope !== 'global' && !value.scopeValue) ctx.addIssue({ code: 'custom', path: ['scopeValue'], message: `name the ${value.scope} this budget limits` });
}

export const CreateBudgetInput = z.object(BudgetFields).strict().superRefine(checkScopeValue);
export type CreateBudgetInput = z.output<typeof CreateBudgetInput>;

export const UpdateBudgetInput = z
  .object({
    id: z.string().min(1).max(64),
    name: BudgetFields.name.optional(),
    scope: BudgetFields.scope.optional(),
    scopeValue: z.string().trim().max(200).optional(),
    period: BudgetFields.period.optional(),
    limitUsd: limitUsd.optional(),
    thresholds: thresholds.optional(),
    hard: z.boolean().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type UpdateBudgetInput = z.output<typeof UpdateBudgetInput>;

export const BudgetIdInput = z.object({ id: z.string().min(1).max(64) }).strict();
