// Price overrides and re-pricing: a new version for new records, old records untouched until an admin
// previews and applies a re-pricing, which also rebuilds the rollups; bad tables are 400s that change nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { type CostsHarness, createCostsHarness } from '../costs/test-harness.ts';
import { RepriceInput, SetOverrideInput } from './schema.ts';

let h: CostsHarness;
afterEach(() => h.close());

const glm = (id: string, at?: string) => ({ id, model: 'glm-4.6', inputTokens: 1_000_000, outputTokens: 100_000, ...(at ? { occurredAt: at } : {}) });
const GLM_PRICES = { input_cost_per_token: 6e-7, output_cost_per_token: 2.2e-6, litellm_provider: 'zai' };
const rollupEqualsRaw = (harness: CostsHarness) => {
  const rollup = harness.db.sqlite.prepare(`SELECT SUM(costNanos) AS cost, SUM(unpricedRecords) AS unpriced, SUM(cacheSavedNanos) AS saved FROM "UsageRollupHourly"`).safeIntegers(true).get();
  const raw = harness.db.sqlite.prepare(`SELECT COALESCE(SUM(costNanos), 0) AS cost, SUM(costNanos IS NULL) AS unpriced, COALESCE(SUM(cacheSavedNanos), 0) AS saved FROM "UsageRecord"`).safeIntegers(true).get();
  expect(rollup).toEqual(raw);
  for (const [dimension, grain] of [['all', 'day'], ['model', 'hour'], ['agentId', 'day']]) {
    const slices = harness.db.sqlite.prepare(`SELECT SUM(costNanos) AS cost, SUM(unpricedRecords) AS unpriced, SUM(cacheSavedNanos) AS saved FROM "UsageRollupSlice" WHERE dimension = ? AND grain = ?`).safeIntegers(true).get(dimension, grain);
    expect(slices, `${dimension} ${grain} slices`).toEqual(raw);
  }
};

describe('price overrides', () => {
  it('prices new records of an added model under a new version; old ones stay unpriced until re-priced', async () => {
    h = await createCostsHarness('2026-11-26T12:00:00Z');
    const agent = await h.agent('z-agent');
    await h.report(agent, [glm('old-1', '2026-11-26T09:15:00Z'), glm('old-2', '2026-11-25T09:15:00Z')]);
    expect(h.services.prices.unpriced({ range: { preset: '7d' } })).toEqual([{ model: 'glm-4.6', records: 2, tokens: 2_200_000, pricedNow: false, resolvesTo: null }]);

    const set = await h.services.prices.setOverride(h.admin, 'glm-4.6', SetOverrideInput.parse({ model: 'glm-4.6', entry: GLM_PRICES }).entry, {});
    expect(set.version).toBe('2026-11-26+o1');
    expect(h.services.prices.list()).toMatchObject({ version: '2026-11-26+o1', pinnedVersion: '2026-11-26', overrides: 1 });
    expect(h.services.prices.list().models.find((m) => m.model === 'glm-4.6')).toMatchObject({ source: 'added', perMillionUsd: { input_cost_per_token: 0.6, output_cost_per_token: 2.2 } });

    await h.report(agent, [glm('new-1')]);
    const records = await h.db.prisma.usageRecord.findMany({ orderBy: { id: 'asc' } });
    expect(records.map((r) => [r.idempotencyKey, r.costNanos, r.priceVersion])).toEqual([
      ['old-1', null, '2026-11-26'], ['old-2', null, '2026-11-26'], ['new-1', 820_000_000n, '2026-11-26+o1'],
    ]);
    expect(h.services.prices.unpriced({ range: { preset: '7d' } })).toEqual([{ model: 'glm-4.6', records: 2, tokens: 2_200_000, pricedNow: true, resolvesTo: 'glm-4.6' }]);

    const input = RepriceInput.parse({ range: { preset: 'today' }, models: ['glm-4.6'] });
    const preview = h.services.prices.previewReprice(input);
    expect(preview).toMatchObject({ version: '2026-11-26+o1', records: 2, restampedRecords: 1, newlyPriced: 1, oldCostUsd: 0.82, newCostUsd: 1.64, differenceUsd: 0.82 });
    // A preview changes nothing.
    expect((await h.db.prisma.usageRecord.findFirstOrThrow({ where: { idempotencyKey: 'old-1' } })).costNanos).toBeNull();

    const applied = await h.services.prices.applyReprice(h.admin, input, {});
    expect(applied).toMatchObject({ restampedRecords: 1, newlyPriced: 1, differenceUsd: 0.82 });
    const old1 = await h.db.prisma.usageRecord.findFirstOrThrow({ where: { idempotencyKey: 'old-1' } });
    expect([old1.costNanos, old1.priceVersion, old1.resolvedModel]).toEqual([820_000_000n, '2026-11-26+o1', 'glm-4.6']);
    // Yesterday's record was outside the range: untouched.
    expect((await h.db.prisma.usageRecord.findFirstOrThrow({ where: { idempotencyKey: 'old-2' } })).costNanos).toBeNull();
    rollupEqualsRaw(h);
    const summary = h.services.costs.summary();
    expect(summary.today.costUsd).toBe(1.64);
    expect(await h.db.prisma.repricingRun.count()).toBe(1);
    expect(await h.db.prisma.auditLog.findFirst({ where: { action: 'prices.repriced' } })).not.toBeNull();
    expect(h.published.map((e) => e.type)).toEqual(expect.arrayContaining(['prices.updated', 'prices.repriced']));
  });

  it('overrides a pinned model and goes back to the pinned price when the override is removed', async () => {
    h = await createCostsHarness();
    await h.services.prices.setOverride(h.admin, 'gpt-5', { input_cost_per_token: 2e-6, output_cost_per_token: 1e-5 }, {});
    const agent = await h.agent('o-agent');
    await h.report(agent, [{ id: 'x1', model: 'openai/gpt-5-2025-08-07', inputTokens: 1_000_000, outputTokens: 0 }]);
    await h.services.prices.removeOverride(h.admin, 'gpt-5', {});
    expect(h.services.prices.list().version).toBe('2026-11-26');
    await h.report(agent, [{ id: 'x2', model: 'gpt-5', inputTokens: 1_000_000, outputTokens: 0 }]);
    const costs = (await h.db.prisma.usageRecord.findMany({ orderBy: { id: 'asc' } })).map((r) => r.costNanos);
    expect(costs).toEqual([2_000_000_000n, 1_250_000_000n]);
    await expect(h.services.prices.removeOverride(h.admin, 'gpt-5', {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('rejects negative, too-fine and duplicate-model prices with 400 and changes nothing', async () => {
    h = await createCostsHarness();
    expect(SetOverrideInput.safeParse({ model: 'm', entry: { input_cost_per_token: -1e-6, output_cost_per_token: 1e-6 } }).success).toBe(false);
    expect(SetOverrideInput.safeParse({ model: 'm', entry: { input_cost_per_token: 1e-6 } }).success).toBe(false);
    expect(SetOverrideInput.safeParse({ model: '', entry: GLM_PRICES }).success).toBe(false);
    // $0.0001 per million tokens is finer than one nano-USD per token.
    await expect(h.services.prices.setOverride(h.admin, 'fine', { input_cost_per_token: 1e-13, output_cost_per_token: 1e-6 }, {})).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    // A dated key normalizes to an existing one: two rows for one model.
    await expect(h.services.prices.setOverride(h.admin, 'claude-sonnet-4-5-20250929', { input_cost_per_token: 1e-6, output_cost_per_token: 1e-6 }, {})).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(h.services.prices.setOverride(h.admin, 'tiered', { input_cost_per_token: 1e-6, output_cost_per_token: 1e-6, input_cost_per_token_above_0k_tokens: 2e-6 }, {})).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(h.services.prices.list()).toMatchObject({ version: '2026-11-26', overrides: 0 });
    expect(await h.db.prisma.priceTableVersion.count()).toBe(0);
    expect(await h.db.prisma.priceOverride.count()).toBe(0);
  });
});
