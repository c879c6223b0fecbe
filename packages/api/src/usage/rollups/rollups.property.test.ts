// Property: after random ingestion (random times, models, agents, gateways, tasks, duplicates, unpriced
// models), every rollup-backed query equals the sum computed independently from the records themselves.
import { createTestDb, type TestDatabase } from '@mc/db/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRollupQuery, DIMENSIONS, type Dimension, emptyTotals, addTotals, type UsageTotals } from '../../costs/rollup-query.ts';
import { cacheSavedNanos, priceUsage } from '../pricing/cost.ts';
import { loadDefaultPriceTable } from '../pricing/default-table.ts';
import { inferProvider } from '../provider.ts';
import type { UsageRecordInput } from '../schema.ts';
import { createUsageWriter } from '../usage-writer.ts';
import { timeZoneSettingFor } from '../../costs/time-zone-setting.ts';
import { createRollupWriter } from './rollup-writer.ts';

function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const table = loadDefaultPriceTable();
const MODELS = ['claude-sonnet-4-5-20250929', 'anthropic/claude-opus-4-6', 'gpt-5', 'openai/gpt-5-codex', 'glm-4.6', 'claude-sonnet-4-5', 'unknown'];
const AGENTS = [null, 'agent-a', 'agent-b', 'agent-c'];
const GATEWAYS = [null, 'gw-1', 'gw-2'];
const TASKS = [undefined, 't1', 't2', 't3', 't4'];
const SOURCES = ['claude-code', 'codex', 'openclaw'];
const START = Date.parse('2026-11-10T00:00:00Z');
const SPAN_MS = 9 * 86_400_000;

type Expected = { occurredAt: number; dims: Record<Dimension, string>; totals: UsageTotals };

let db: TestDatabase;
const expected: Expected[] = [];
const rng = mulberry32(20261126);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;

beforeAll(async () => {
  db = await createTestDb();
  const writer = createUsageWriter(db.sqlite, () => table);
  const seen = new Set<string>();
  for (let batch = 0; batch < 60; batch++) {
    const agentId = pick(AGENTS);
    const gatewayId = pick(GATEWAYS);
    const records: UsageRecordInput[] = [];
    for (let i = 0, n = 1 + Math.floor(rng() * 8); i < n; i++) {
      // Some ids repeat (retries): they must count once.
      const id = rng() < 0.1 && seen.size > 0 ? pick([...seen]) : `r${batch}-${i}`;
      const cacheWrite = Math.floor(rng() * 3000);
      records.push({
        id, model: pick(MODELS), inputTokens: Math.floor(rng() * 250_000), outputTokens: Math.floor(rng() * 5000),
        cacheReadTokens: Math.floor(rng() * 150_000), cacheWriteTokens: cacheWrite, cacheWrite1hTokens: Math.floor(rng() * cacheWrite),
        aggregated: rng() < 0.2, source: pick(SOURCES), taskId: pick(TASKS), occurredAt: new Date(START + Math.floor(rng() * SPAN_MS)),
      });
    }
    const scope = `agent:${agentId ?? 'none'}`;
    await db.rawTransaction(() =>
      writer.write(records, { agentId, agentName: agentId ?? 'none', gatewayId, dedupeScope: scope, defaultSource: 'sdk', receivedAt: new Date(START) }),
    );
    for (const record of records) {
      const key = `${scope}|${record.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const usage = { ...record, cacheReadTokens: record.cacheReadTokens ?? 0, cacheWriteTokens: record.cacheWriteTokens ?? 0 };
      const price = priceUsage(table, usage);
      const tokens = BigInt(record.inputTokens + record.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens);
      expected.push({
        occurredAt: record.occurredAt?.getTime() ?? START,
        dims: {
          agentId: agentId ?? '', model: price.resolvedModel ?? record.model, provider: inferProvider(record.model) ?? '', gatewayId: gatewayId ?? '',
          source: record.source ?? 'sdk', taskId: record.taskId ?? '',
        },
        totals: {
          records: 1, unpricedRecords: price.costNanos === null ? 1 : 0, inputTokens: BigInt(record.inputTokens), outputTokens: BigInt(record.outputTokens),
          cacheReadTokens: BigInt(usage.cacheReadTokens), cacheWriteTokens: BigInt(usage.cacheWriteTokens), unpricedTokens: price.costNanos === null ? tokens : 0n,
          costNanos: price.costNanos ?? 0n, cacheSavedNanos: cacheSavedNanos(table, usage, price) ?? 0n,
        },
      });
    }
  }
});
afterAll(async () => {
  await db.close();
});

function expectedGroups(from: number, to: number, groupBy: Dimension[]): Map<string, UsageTotals> {
  const groups = new Map<string, UsageTotals>();
  for (const record of expected) {
    if (record.occurredAt < from || record.occurredAt >= to) continue;
    const key = groupBy.map((dimension) => record.dims[dimension]).join('|');
    const sum = groups.get(key) ?? emptyTotals();
    addTotals(sum, record.totals);
    groups.set(key, sum);
  }
  return groups;
}

describe('hourly rollups', () => {
  it('hold exactly the raw records, grouped by hour and every dimension', () => {
    const rollup = db.sqlite.prepare(`SELECT COUNT(*) AS n, SUM(records) AS records, SUM(costNanos) AS cost FROM "UsageRollupHourly"`).safeIntegers(true).get() as Record<string, bigint>;
    const raw = db.sqlite.prepare(`SELECT COUNT(*) AS records, SUM(costNanos) AS cost FROM "UsageRecord"`).safeIntegers(true).get() as Record<string, bigint>;
    expect(rollup.records).toBe(raw.records);
    expect(rollup.cost).toBe(raw.cost);
    expect(Number(raw.records)).toBe(expected.length);
    expect(expected.length).toBeGreaterThan(200);
  });

  it('answer every grouping over random ranges (aligned or not) exactly like the records', () => {
    const query = createRollupQuery(db.sqlite);
    for (let trial = 0; trial < 40; trial++) {
      const a = START - 3_600_000 + Math.floor(rng() * (SPAN_MS + 7_200_000));
      const b = START - 3_600_000 + Math.floor(rng() * (SPAN_MS + 7_200_000));
      // Half of the ranges on whole hours (pure rollup), half anywhere (raw edges).
      const align = (ms: number) => (trial % 2 === 0 ? Math.floor(ms / 3_600_000) * 3_600_000 : ms);
      const [from, to] = [align(Math.min(a, b)), align(Math.max(a, b))];
      const groupBy = DIMENSIONS.filter(() => rng() < 0.35);
      const actual = new Map(query.aggregate({ from, to, groupBy }).map((row) => [row.keys.join('|'), row.totals]));
      expect(actual, `[${new Date(from).toISOString()}, ${new Date(to).toISOString()}) by ${groupBy.join(',')}`).toEqual(expectedGroups(from, to, groupBy));
    }
  });

  it('rank the top groups of one dimension in SQL exactly like the records (costliest first, then most records, then key)', () => {
    const query = createRollupQuery(db.sqlite);
    for (let trial = 0; trial < 24; trial++) {
      const a = START - 3_600_000 + Math.floor(rng() * (SPAN_MS + 7_200_000));
      const b = START - 3_600_000 + Math.floor(rng() * (SPAN_MS + 7_200_000));
      const align = (ms: number) => (trial % 2 === 0 ? Math.floor(ms / 3_600_000) * 3_600_000 : ms);
      const [from, to] = [align(Math.min(a, b)), align(Math.max(a, b))];
      const dimension = DIMENSIONS[trial % DIMENSIONS.length] ?? 'model';
      const limit = 1 + (trial % 4);
      const groups = expectedGroups(from, to, [dimension]);
      const ranked = [...groups].sort(([keyA, x], [keyB, y]) =>
        x.costNanos !== y.costNanos ? (y.costNanos > x.costNanos ? 1 : -1) : x.records !== y.records ? y.records - x.records : keyA < keyB ? -1 : 1);
      const total = emptyTotals();
      for (const totals of groups.values()) addTotals(total, totals);
      const actual = query.top({ from, to, dimension, limit });
      const label = `[${new Date(from).toISOString()}, ${new Date(to).toISOString()}) top ${limit} by ${dimension}`;
      expect(actual.rows.map((row) => [row.keys[0], row.totals]), label).toEqual(ranked.slice(0, limit));
      expect(actual.groups, label).toBe(groups.size);
      expect(actual.total, label).toEqual(total);
    }
  });

  it('answer hourly series (one dimension or none) exactly like the records', () => {
    const query = createRollupQuery(db.sqlite);
    for (let trial = 0; trial < 12; trial++) {
      const from = START + Math.floor(rng() * SPAN_MS * 0.5);
      const to = from + Math.floor(rng() * SPAN_MS * 0.5);
      const groupBy = trial % 3 === 0 ? [] : [pick(DIMENSIONS)];
      const actual = new Map(query.aggregate({ from, to, groupBy, byHour: true }).map((row) => [`${Date.parse(row.hourStart ?? '')}|${row.keys.join('|')}`, row.totals]));
      const expectedByHour = new Map<string, UsageTotals>();
      for (const record of expected) {
        if (record.occurredAt < from || record.occurredAt >= to) continue;
        const key = `${Math.floor(record.occurredAt / 3_600_000) * 3_600_000}|${groupBy.map((dimension) => record.dims[dimension]).join('|')}`;
        const sum = expectedByHour.get(key) ?? emptyTotals();
        addTotals(sum, record.totals);
        expectedByHour.set(key, sum);
      }
      expect(actual).toEqual(expectedByHour);
    }
  });

  it('answer filtered totals exactly (the budget scopes)', () => {
    const query = createRollupQuery(db.sqlite);
    for (const [dimension, value] of [['agentId', 'agent-a'], ['model', 'claude-sonnet-4-5'], ['gatewayId', 'gw-2'], ['taskId', 't3'], ['agentId', '']] as const) {
      const from = START + 86_400_000 + 1_234_567;
      const to = START + 5 * 86_400_000 + 999;
      const byValue = expectedGroups(from, to, [dimension]).get(value) ?? emptyTotals();
      expect(query.total({ from, to, filter: { [dimension]: value } }), `${dimension}=${value}`).toEqual(byValue);
    }
  });

  it.each(['America/New_York', 'Asia/Kolkata', 'UTC'])('stay exact after the day slices are rebuilt for %s days (sums, series, filters)', (timeZone) => {
    db.sqlite.transaction(() => {
      timeZoneSettingFor(db.sqlite).changed(timeZone);
      createRollupWriter(db.sqlite).rebuildAllDays();
    })();
    const query = createRollupQuery(db.sqlite);
    const calendar = timeZoneSettingFor(db.sqlite).calendar();
    for (let trial = 0; trial < 16; trial++) {
      // Ranges from local midnight (as the presets) and from anywhere.
      const a = START + Math.floor(rng() * SPAN_MS);
      const from = trial % 2 === 0 ? calendar.periodOf('day', a).start : a;
      const to = Math.min(from + Math.floor(rng() * SPAN_MS), START + SPAN_MS + 86_400_000);
      const groupBy = trial % 4 === 0 ? [] : [pick(DIMENSIONS)];
      const actual = new Map(query.aggregate({ from, to, groupBy }).map((row) => [row.keys.join('|'), row.totals]));
      expect(actual, `${timeZone} [${new Date(from).toISOString()}, ${new Date(to).toISOString()}) by ${groupBy.join(',')}`).toEqual(expectedGroups(from, to, groupBy));
      // A daily series: rows start inside [from, to) and add up to the same totals.
      const series = query.aggregate({ from, to, groupBy, byHour: true, byDay: true });
      const folded = new Map<string, UsageTotals>();
      for (const row of series) {
        const start = Date.parse(row.hourStart ?? '');
        expect(start >= Math.floor(from / 3_600_000) * 3_600_000 && start < to).toBe(true);
        const sum = folded.get(row.keys.join('|')) ?? emptyTotals();
        addTotals(sum, row.totals);
        folded.set(row.keys.join('|'), sum);
      }
      expect(folded).toEqual(expectedGroups(from, to, groupBy));
      const [value, dimension] = pick([
        ['agent-a', 'agentId'],
        ['claude-sonnet-4-5', 'model'],
        ['gw-1', 'gatewayId'],
        ['t2', 'taskId'],
      ] as const);
      expect(query.total({ from, to, filter: { [dimension]: value } })).toEqual(expectedGroups(from, to, [dimension]).get(value) ?? emptyTotals());
    }
  });
});
