// PROTOCOL.md §5 UsageRecord on the wire (camelCase, legacy fields accepted). Unknown keys are
// dropped (forward compatibility); wrong types and out-of-range counts are 400s naming the field.
import { z } from 'zod';

export const MAX_TOKENS_PER_RECORD = 1_000_000_000;
export const MAX_RECORDS_PER_REQUEST = 500;

const tokens = z
  .number({ error: 'must be an integer >= 0' })
  .int('must be an integer >= 0')
  .min(0, 'must be an integer >= 0')
  .max(MAX_TOKENS_PER_RECORD, 'must be at most 1,000,000,000 tokens per record');

const shortText = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const occurredAt = z.union([z.string().max(40), z.number()]).transform((value, ctx) => {
  const date = new Date(value);
  const ms = date.getTime();
  if (!Number.isFinite(ms) || ms < Date.UTC(2020, 0, 1) || ms > Date.now() + 86_400_000) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 time or epoch milliseconds between 2020 and tomorrow' });
    return z.NEVER;
  }
  return date;
});

export const UsageRecordInput = z
  .object({
    id: shortText(128).optional(),
    model: shortText(200),
    provider: shortText(50).optional(),
    inputTokens: tokens,
    outputTokens: tokens,
    cacheReadTokens: tokens.optional(),
    cacheWriteTokens: tokens.optional(),
    cacheWrite1hTokens: tokens.optional(),
    reasoningTokens: tokens.optional(),
    costUsd: z.number().min(0, 'must be >= 0').max(1_000_000, 'must be at most 1,000,000').nullish(),
    billing: z.enum(['api', 'subscription', 'unknown']).optional(),
    aggregated: z.boolean().optional(),
    subagent: shortText(128).optional(),
    sessionId: shortText(200).optional(),
    taskId: z.union([shortText(64), z.number().int().nonnegative()]).transform(String).optional(),
    agent: shortText(63).optional(),
    source: shortText(50).optional(),
    occurredAt: occurredAt.optional(),
    // Legacy anchor-style fields (accepted, informational).
    operation: z.string().max(200).optional(),
    duration: z.number().optional(),
  })
  .superRefine((record, ctx) => {
    if ((record.cacheWrite1hTokens ?? 0) > (record.cacheWriteTokens ?? 0)) {
      ctx.addIssue({ code: 'custom', path: ['cacheWrite1hTokens'], message: 'must not exceed cacheWriteTokens (it is the 1-hour part of them)' });
    }
  });
export type UsageRecordInput = z.output<typeof UsageRecordInput>;

/** Picks the schema by shape first, so errors name the real field (a plain union only says "invalid input"). */
function byShape<T>(pick: (value: unknown) => z.ZodType<T>) {
  return z.unknown().transform((value, ctx): T => {
    const result = pick(value).safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) });
    return z.NEVER;
  });
}

const RecordArray = z.array(UsageRecordInput).max(MAX_RECORDS_PER_REQUEST, `at most ${MAX_RECORDS_PER_REQUEST} records per request`);
// Built once: constructing a zod schema per request cost more than parsing with it.
const OneRecord = UsageRecordInput.transform((record) => [record]);
const RecordsObject = z.object({ records: RecordArray }).transform((b) => b.records);

/** Heartbeat `token_usage`: one record or an array, always returned as an array. */
export const UsageRecords = byShape<UsageRecordInput[]>((value) => (Array.isArray(value) ? RecordArray : OneRecord));

/** POST /api/tokens body: one record, an array, or { records: [...] }. */
export const TokensBody = byShape<UsageRecordInput[]>((value) => {
  if (Array.isArray(value)) return RecordArray;
  if (typeof value === 'object' && value !== null && 'records' in value) return RecordsObject;
  return OneRecord;
});
