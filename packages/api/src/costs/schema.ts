// Inputs of the cost queries (zod only; the web app imports this). Ranges are a preset or an explicit
// ISO [from, to); at most MAX_RANGE_DAYS long; group-by fields are a closed list.
import { z } from 'zod';

export const RANGE_PRESETS = ['today', '7d', '30d', 'mtd', '90d'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];
export const MAX_RANGE_DAYS = 400;
export const MAX_BUCKETS = 2_200;
export const GROUP_BY_FIELDS = ['model', 'provider', 'agent', 'task', 'gateway', 'source'] as const;
export type GroupByField = (typeof GROUP_BY_FIELDS)[number];
export const BUCKETS = ['hour', 'day', 'week', 'month'] as const;
export type Bucket = (typeof BUCKETS)[number];

const instant = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time with a time zone (e.g. 2026-11-26T00:00:00Z)' });

export const CostRange = z
  .object({ preset: z.enum(RANGE_PRESETS).optional(), from: instant.optional(), to: instant.optional() })
  .strict()
  .superRefine((range, ctx) => {
    if (range.preset !== undefined) {
      if (range.from !== undefined || range.to !== undefined) ctx.addIssue({ code: 'custom', path: ['preset'], message: 'give either a preset or from/to, not both' });
      return;
    }
    if (range.from === undefined || range.to === undefined) {
      ctx.addIssue({ code: 'custom', path: [range.from === undefined ? 'from' : 'to'], message: 'required (or give a preset)' });
      return;
    }
    const from = Date.parse(range.from);
    const to = Date.parse(range.to);
    if (from < Date.UTC(2020, 0, 1)) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be in 2020 or later' });
    if (to <= from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    else if (to - from > MAX_RANGE_DAYS * 86_400_000) ctx.addIssue({ code: 'custom', path: ['to'], message: `the range must be at most ${MAX_RANGE_DAYS} days` });
  });
export type CostRange = z.output<typeof CostRange>;

export const CostFilter = z
  .object({
    agentId: z.string().max(64).optional(),
    model: z.string().max(200).optional(),
    provider: z.string().max(50).optional(),
    gatewayId: z.string().max(64).optional(),
    source: z.string().max(50).optional(),
    taskId: z.string().max(64).optional(),
    unpricedOnly: z.boolean().optional(),
  })
  .strict();
export type CostFilter = z.output<typeof CostFilter>;

export const TimeseriesInput = z
  .object({ range: CostRange, bucket: z.enum(BUCKETS).default('day'), groupBy: z.enum([...GROUP_BY_FIELDS, 'none']).default('model'), series: z.number().int().min(1).max(20).default(8) })
  .strict();
export const BreakdownInput = z
  .object({ range: CostRange, groupBy: z.enum(GROUP_BY_FIELDS), limit: z.number().int().min(1).max(1000).default(200) })
  .strict();
export const RecordsInput = z
  .object({ range: CostRange, filter: CostFilter.default({}), cursor: z.string().max(100).optional(), limit: z.number().int().min(1).max(500).default(100) })
  .strict();
export const TimeZoneInput = z.object({ timeZone: z.string().min(1).max(64) }).strict();

/** GET /api/usage/export query string. */
export const ExportQuery = z
  .object({
    format: z.enum(['csv', 'json'], { error: 'must be csv or json' }).default('csv'),
    from: instant,
    to: instant,
    agentId: z.string().max(64).optional(),
    model: z.string().max(200).optional(),
    taskId: z.string().max(64).optional(),
    gatewayId: z.string().max(64).optional(),
    source: z.string().max(50).optional(),
  })
  .strict()
  .superRefine((query, ctx) => {
    const from = Date.parse(query.from);
    const to = Date.parse(query.to);
    if (to <= from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    else if (to - from > MAX_RANGE_DAYS * 86_400_000) ctx.addIssue({ code: 'custom', path: ['to'], message: `the range must be at most ${MAX_RANGE_DAYS} days` });
  });
export type ExportQuery = z.output<typeof ExportQuery>;
