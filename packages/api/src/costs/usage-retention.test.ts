// Usage detail retention: whole hours of raw records past the setting go; the rollups keep them, so
// totals over old periods do not move, and a later re-pricing cannot wipe the pruned hours' rollups.
import { afterEach, describe, expect, it } from 'vitest';
import { RepriceInput } from '../prices/schema.ts';
import { type CostsHarness, createCostsHarness } from './test-harness.ts';
import { DEFAULT_USAGE_RETENTION_DAYS, UsageRetention } from './usage-retention.ts';

let h: CostsHarness;
afterEach(() => h.close());

const ALL = { from: Date.parse('2026-10-01T00:00:00Z'), to: Date.parse('2026-11-27T00:00:00Z'), filter: {} };

async function seed() {
  h = await createCostsHarness('2026-11-26T12:30:00Z');
  const agent = await h.agent('veteran');
  await h.report(agent, [
    { id: 'a', model: 'gpt-5', inputTokens: 1_000_000, outputTokens: 0, occurredAt: '2026-10-07T09:15:00Z' },
    // 40 days before now is 2026-10-17T12:30Z: its hour starts at 12:00.
    { id: 'b', model: 'gpt-5', inputTokens: 1_000_000, outputTokens: 0, occurredAt: '2026-10-17T11:59:59Z' },
    { id: 'c', model: 'gpt-5', inputTokens: 1_000_000, outputTokens: 0, occurredAt: '2026-10-17T12:10:00Z' },
    { id: 'd', model: 'gpt-5', inputTokens: 1_000_000, outputTokens: 0, occurredAt: '2026-11-20T10:00:00Z' },
  ]);
}

const keys = async () => (await h.db.prisma.usageRecord.findMany({ orderBy: { idempotencyKey: 'asc' } })).map((record) => record.idempotencyKey);

describe('usage detail retention', () => {
  it('keeps every record by default for 400 days, and nothing is pruned inside them', async () => {
    await seed();
    expect(await h.services.costs.detailRetention()).toEqual({ days: DEFAULT_USAGE_RETENTION_DAYS });
    expect(await h.services.costs.pruneUsageDetail()).toBe(0);
    expect(await keys()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('deletes whole hours before the cutoff while totals over those periods stay the same', async () => {
    await seed();
    const before = h.services.costs.query.total(ALL);
    expect(before.records).toBe(4);
    await h.services.costs.setDetailRetention(h.admin, { days: 40 }, {});
    expect(await h.services.costs.pruneUsageDetail()).toBe(2);
    // 'c' is older than 40 days too, but its hour is not: an hour keeps all its records or none.
    expect(await keys()).toEqual(['c', 'd']);
    expect(h.services.costs.query.total(ALL)).toEqual(before);
    expect(await h.services.costs.pruneUsageDetail()).toBe(0);
    const audit = await h.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'usage.retention_changed' } });
    expect(JSON.parse(audit.details ?? '{}')).toEqual({ fromDays: 400, toDays: 40 });
  });

  it('leaves the rollups of pruned hours alone when a later re-pricing rebuilds the hours it changes', async () => {
    await seed();
    await h.services.costs.setDetailRetention(h.admin, { days: 40 }, {});
    await h.services.costs.pruneUsageDetail();
    const oldCost = h.services.costs.query.total({ ...ALL, to: Date.parse('2026-10-17T12:00:00Z') }).costNanos;
    expect(oldCost).toBeGreaterThan(0n);
    // Double the gpt-5 input price and re-price everything: only the kept records can change.
    const gpt5 = h.services.prices.list().models.find((model) => model.model === 'gpt-5')?.entry as { input_cost_per_token: number; output_cost_per_token: number };
    await h.services.prices.setOverride(h.admin, 'gpt-5', { input_cost_per_token: 2 * gpt5.input_cost_per_token, output_cost_per_token: gpt5.output_cost_per_token }, {});
    await h.services.prices.applyReprice(h.admin, RepriceInput.parse({ range: { from: '2026-10-01T00:00:00Z', to: '2026-11-27T00:00:00Z' } }), {});
    expect(h.services.costs.query.total({ ...ALL, to: Date.parse('2026-10-17T12:00:00Z') }).costNanos).toBe(oldCost);
    expect(h.services.costs.query.total({ ...ALL, from: Date.parse('2026-10-17T12:00:00Z') }).costNanos).toBe(2n * oldCost);
  });

  it('keeps everything with 0 days and refuses a retention too short for budget periods', async () => {
    await seed();
    await h.services.costs.setDetailRetention(h.admin, { days: 0 }, {});
    expect(await h.services.costs.pruneUsageDetail()).toBe(0);
    expect(await keys()).toEqual(['a', 'b', 'c', 'd']);
    const short = UsageRetention.safeParse({ days: 10 });
    expect(short.success).toBe(false);
    expect(short.error?.issues[0]?.message).toBe('days must be 0 (keep every record) or between 35 and 3650');
    expect(UsageRetention.safeParse({ days: 35 }).success).toBe(true);
    expect(UsageRetention.safeParse({ days: 40.5 }).success).toBe(false);
    expect(UsageRetention.safeParse({ days: 90, keep: 'all' }).success).toBe(false); // unknown fields are refused
  });
});
