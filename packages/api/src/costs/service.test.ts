// Cost analytics over real ingestion: exact fixture costs, summary windows in a time zone, time series,
// breakdowns with labels, drill-down pages, and clear errors for bad ranges and group-by fields.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../router.ts';
import { createCallerFactory } from '../trpc.ts';
import { silentLogger } from '../logger.ts';
import type { Actor } from '../auth/roles.ts';
import { nanosToUsd } from '../usage/pricing/money.ts';
import { type CostsHarness, createCostsHarness } from './test-harness.ts';

const FIXTURES_DIR = new URL('../../../../test/fixtures/telemetry/', import.meta.url);
type Fixture = { name: string; records: Record<string, unknown>[]; totals: { pricedCostNanos: number; unpricedRecords: number } };
const fixtures: Fixture[] = readdirSync(FIXTURES_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => {
    const expected = JSON.parse(readFileSync(new URL(`${entry.name}/expected.json`, FIXTURES_DIR), 'utf8')) as { records: Record<string, unknown>[]; costTotals: Fixture['totals'] };
    return { name: entry.name, records: expected.records, totals: expected.costTotals };
  });

function callerFor(h: CostsHarness, actor: Actor) {
  return createCallerFactory(appRouter)({
    actor, services: h.services, meta: { ip: '127.0.0.1', userAgent: 'test', requestId: 'test' }, log: silentLogger,
    setSessionCookie: () => {}, clearSessionCookie: () => {},
  });
}

describe('cost queries over the telemetry fixtures', () => {
  let h: CostsHarness;
  beforeAll(async () => {
    h = await createCostsHarness();
    for (const fixture of fixtures) {
      const agent = await h.agent(fixture.name);
      // Landed "now" (the fixtures' own times are days apart); tool-reported costs ride along, never billed.
      await h.report(agent, fixture.records.map(({ occurredAt: _occurredAt, ...record }) => record));
    }
  });
  afterAll(() => h.close());

  it('costs each fixture exactly its golden total, unpriced records counted apart', async () => {
    const breakdown = await callerFor(h, h.viewer).costs.breakdown({ range: { preset: 'today' }, groupBy: 'agent' });
    expect(fixtures.length).toBeGreaterThanOrEqual(13);
    for (const fixture of fixtures) {
      const row = breakdown.rows.find((candidate) => candidate.label === fixture.name);
      expect({ cost: row?.costUsd, unpriced: row?.unpricedRecords }, fixture.name).toEqual({
        cost: nanosToUsd(BigInt(fixture.totals.pricedCostNanos)), unpriced: fixture.totals.unpricedRecords,
      });
    }
    const total = fixtures.reduce((sum, fixture) => sum + BigInt(fixture.totals.pricedCostNanos), 0n);
    expect(breakdown.total.costUsd).toBe(nanosToUsd(total));
    const summary = await callerFor(h, h.viewer).costs.summary();
    expect(summary.today.costUsd).toBe(nanosToUsd(total));
    expect(summary.priceVersion).toBe('2026-11-26');
  });

  it('groups by resolved model: dated and provider-prefixed ids together, unknown ids unpriced by name', async () => {
    const byModel = await callerFor(h, h.viewer).costs.breakdown({ range: { preset: 'today' }, groupBy: 'model' });
    const keys = byModel.rows.map((row) => row.key);
    expect(keys).toContain('claude-sonnet-4-5');
    expect(keys).not.toContain('claude-sonnet-4-5-20250929');
    expect(keys).not.toContain('anthropic/claude-sonnet-4-5-20250929');
    const glm = byModel.rows.find((row) => row.key === 'glm-4.6');
    expect(glm).toMatchObject({ costUsd: 0, unpricedRecords: glm?.records });
    expect(glm?.unpricedTokens).toBeGreaterThan(0);
    const unknown = byModel.rows.find((row) => row.key === 'unknown');
    expect(unknown?.unpricedRecords).toBe(1);
  });

  it('reports what cache reads saved: their input-rate cost minus their cache-rate cost', async () => {
    const agent = await h.agent('cache-saver');
    // gpt-5: input $1.25/MTok, cached $0.125/MTok → 1,000,000 cached tokens save $1.125.
    await h.report(agent, [{ id: 'saver-1', model: 'gpt-5', inputTokens: 0, outputTokens: 0, cacheReadTokens: 1_000_000 }]);
    const rows = await callerFor(h, h.viewer).costs.breakdown({ range: { preset: 'today' }, groupBy: 'agent' });
    expect(rows.rows.find((row) => row.label === 'cache-saver')).toMatchObject({ costUsd: 0.125, cacheSavedUsd: 1.125, cacheReadTokens: 1_000_000 });
  });
});

describe('cost windows, series and drill-down', () => {
  let h: CostsHarness;
  beforeAll(async () => {
    h = await createCostsHarness('2026-11-26T15:30:00Z');
  });
  afterAll(() => h.close());

  const record = (id: string, at: string, model = 'gpt-5', inputTokens = 1_000_000) => ({ id, model, inputTokens, outputTokens: 0, occurredAt: at, taskId: 'T-1' });

  it('sums today, 7 d, 30 d and month-to-date in the costs time zone, and projects the month', async () => {
    const agent = await h.agent('window-agent');
    await h.report(agent, [
      record('w1', '2026-11-26T01:00:00Z'), // today (UTC)
      record('w2', '2026-11-25T23:00:00Z'), // yesterday in UTC, today in Europe/Berlin
      record('w3', '2026-11-20T12:00:00Z'), // within 7 days
      record('w4', '2026-11-01T00:00:00Z'), // month-to-date, 26 days ago
      record('w5', '2026-10-31T23:59:59.999Z'), // last month, within 30 days
    ]);
    const caller = callerFor(h, h.viewer);
    const utc = await caller.costs.summary();
    expect([utc.today.costUsd, utc.last7d.costUsd, utc.monthToDate.costUsd, utc.last30d.costUsd]).toEqual([1.25, 3.75, 5, 6.25]);
    // Projection: MTD + the last 7 days' rate (3.75 over 6 d 16 h) over the rest of November (4 d 8 h).
    const rateWindowH = 6 * 24 + 16;
    expect(utc.projectedMonth.costUsd).toBe(nanosToUsd(5_000_000_000n + (3_750_000_000n * BigInt(4 * 24 + 8)) / BigInt(rateWindowH)));

    await callerFor(h, h.admin).costs.setTimeZone({ timeZone: 'Europe/Berlin' });
    try {
      const berlin = await caller.costs.summary();
      expect(berlin.timeZone).toBe('Europe/Berlin');
      expect(berlin.today.from).toBe('2026-11-25T23:00:00.000Z');
      expect(berlin.today.costUsd).toBe(2.5);
    } finally {
      await callerFor(h, h.admin).costs.setTimeZone({ timeZone: 'UTC' });
    }
  });

  it('stacks a daily series by model whose buckets add up to the range total', async () => {
    const agent = await h.agent('series-agent');
    await h.report(agent, [record('s1', '2026-11-24T08:00:00Z', 'claude-sonnet-4-5', 100_000), record('s2', '2026-11-24T09:00:00Z', 'glm-4.6')]);
    const series = await callerFor(h, h.viewer).costs.timeseries({ range: { preset: '7d' }, bucket: 'day', groupBy: 'model' });
    expect(series.buckets).toHaveLength(7);
    expect(series.buckets[0]).toBe('2026-11-20T00:00:00.000Z');
    const sonnet = series.series.find((s) => s.key === 'claude-sonnet-4-5');
    expect(sonnet?.costUsd[4]).toBe(0.3); // 100k input tokens at $3/MTok on Nov 24
    const glm = series.series.find((s) => s.key === 'glm-4.6');
    expect(glm).toMatchObject({ totalCostUsd: 0 });
    expect(glm?.unpricedRecords[4]).toBe(1);
    const gpt = series.series.find((s) => s.key === 'gpt-5');
    expect(gpt?.costUsd).toEqual([1.25, 0, 0, 0, 0, 1.25, 1.25]);
  });

  it('breaks costs down by task and pages the raw records newest first', async () => {
    const caller = callerFor(h, h.viewer);
    const byTask = await caller.costs.breakdown({ range: { preset: '30d' }, groupBy: 'task' });
    expect(byTask.rows.map((row) => row.key)).toEqual(['T-1']);
    const first = await caller.costs.records({ range: { preset: '30d' }, limit: 3 });
    expect(first.records.map((r) => r.idempotencyKey)).toEqual(['w1', 'w2', 's2']);
    expect(first.nextCursor).not.toBeNull();
    const second = await caller.costs.records({ range: { preset: '30d' }, limit: 3, cursor: first.nextCursor ?? undefined });
    expect(second.records.map((r) => r.idempotencyKey)).toEqual(['s1', 'w3', 'w4']);
    const unpriced = await caller.costs.records({ range: { preset: '30d' }, filter: { unpricedOnly: true } });
    expect(unpriced.records.map((r) => [r.model, r.costUsd, r.priced])).toEqual([['glm-4.6', null, false]]);
  });

  it('answers 400 for invalid and huge ranges, unknown group-by fields and too many buckets', async () => {
    const caller = callerFor(h, h.viewer);
    const bad = [
      () => caller.costs.breakdown({ range: { from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' }, groupBy: 'model' }),
      () => caller.costs.breakdown({ range: { from: '2024-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, groupBy: 'model' }),
      () => caller.costs.breakdown({ range: { from: 'yesterday', to: '2026-01-01T00:00:00Z' }, groupBy: 'model' }),
      () => caller.costs.breakdown({ range: { preset: 'today', from: '2026-11-01T00:00:00Z' }, groupBy: 'model' }),
      // @ts-expect-error unknown group-by field
      () => caller.costs.breakdown({ range: { preset: 'today' }, groupBy: 'colour' }),
      () => caller.costs.timeseries({ range: { from: '2026-01-01T00:00:00Z', to: '2026-12-01T00:00:00Z' }, bucket: 'hour', groupBy: 'model' }),
      () => caller.costs.records({ range: { preset: 'today' }, cursor: 'not-a-cursor' }),
      () => callerFor(h, h.admin).costs.setTimeZone({ timeZone: 'Mars/Olympus' }),
    ];
    for (const call of bad) await expect(call()).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
