// Costs benchmark (issue "Costs" §6), in-process on temp SQLite files:
//   (a) ingest 1,000,000 usage records through the real writer (prices, rollup upserts, 3 budgets
//       evaluated on ingestion) in batches of 10 records (a heartbeat's worth), 5,000 per transaction,
//       and the same stream without rollups or budgets: the difference is the rollup overhead per record;
//   (b) p50/p99 of every cost-page query over those 1M records (90 days, 50 agents, 10 models, tasks
//       changing every 3 hours per agent), 30 timed runs each after 3 warm-ups. Target: each < 50 ms.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../packages/db/src/index.ts';
import { createBudgetEvaluator } from '../packages/api/src/budgets/evaluator.ts';
import { createFakeClock } from '../packages/api/src/clock.ts';
import { createEventBus } from '../packages/api/src/events/bus.ts';
import { silentLogger } from '../packages/api/src/logger.ts';
import { createServices } from '../packages/api/src/services.ts';
import { createUsageWriter } from '../packages/api/src/usage/usage-writer.ts';
import type { UsageRecordInput } from '../packages/api/src/usage/schema.ts';
import { type BenchResult, isMain, type Metric, printResult, round, summarize } from './lib.ts';

const RECORDS = Number(process.env.BENCH_COSTS_RECORDS ?? 1_000_000);
const BASELINE_RECORDS = Math.min(RECORDS, 250_000);
const BATCH = 10;
const PER_TRANSACTION = 5_000;
const DAYS = 90;
const AGENTS = 50;
const NOW = Date.parse('2026-11-26T12:00:00Z');
const MODELS = ['claude-sonnet-4-5-20250929', 'claude-opus-4-6', 'claude-haiku-4-5', 'gpt-5', 'gpt-5-codex', 'openai/gpt-5.4', 'gemini-2.5-pro', 'anthropic/claude-sonnet-4-6', 'glm-4.6', 'gpt-5-mini'];
const SOURCES = ['claude-code', 'codex', 'openclaw'];
const TIMED_RUNS = 30;
const WARMUPS = 3;
const TARGET_MS = 50;

function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Fleet = Array<{ id: string; name: string; gatewayId: string | null; source: string; models: [string, string] }>;

function fleet(): Fleet {
  const rng = mulberry32(7);
  return Array.from({ length: AGENTS }, (_, i) => ({
    id: `agent-${i}`,
    name: `agent-${i}`,
    gatewayId: i % 6 === 0 ? null : `gw-${i % 5}`,
    source: SOURCES[i % SOURCES.length] ?? 'sdk',
    models: [MODELS[Math.floor(rng() * MODELS.length)] ?? 'gpt-5', MODELS[Math.floor(rng() * MODELS.length)] ?? 'gpt-5'],
  }));
}

/** Same seeded stream every time: batches of BATCH records of one agent, in time order over DAYS. */
function* batches(count: number, agents: Fleet) {
  const rng = mulberry32(42);
  const start = NOW - DAYS * 86_400_000;
  const step = (DAYS * 86_400_000) / count;
  for (let n = 0; n < count; n += BATCH) {
    const agent = agents[(n / BATCH) % agents.length] ?? agents[0];
    if (!agent) return;
    const records: UsageRecordInput[] = [];
    for (let i = 0; i < BATCH && n + i < count; i++) {
      const at = start + (n + i) * step;
      const cacheWrite = Math.floor(rng() * 4000);
      records.push({
        id: `r${n + i}`, model: agent.models[rng() < 0.8 ? 0 : 1], inputTokens: Math.floor(rng() * 4000), outputTokens: Math.floor(rng() * 2000),
        cacheReadTokens: Math.floor(rng() * 60_000), cacheWriteTokens: cacheWrite, cacheWrite1hTokens: rng() < 0.1 ? Math.floor(cacheWrite / 2) : 0,
        source: agent.source, taskId: `task-${agent.id}-${Math.floor(at / (3 * 3_600_000))}`, occurredAt: new Date(at), aggregated: rng() < 0.05,
      });
    }
    yield { agent, records };
  }
}

export async function ingest(file: string, count: number, withRollups: boolean, checkpointAt?: number) {
  const database = await openDatabase({ file });
  const clock = createFakeClock(new Date(NOW));
  const services = createServices({ database, clock, bus: createEventBus(), log: silentLogger });
  const agents = fleet();
  for (const agent of agents) {
    database.sqlite.prepare(`INSERT INTO "Agent" (id, name, source, gatewayId, toolName, updatedAt) VALUES (?, ?, 'sdk', ?, ?, ?)`).run(agent.id, agent.name, agent.gatewayId, agent.source, new Date(NOW).toISOString());
  }
  const admin = { kind: 'user', userId: 'bench', username: 'bench', role: 'admin' } as const;
  if (withRollups) {
    await services.budgets.create(admin, { name: 'Fleet month', scope: 'global', scopeValue: '', period: 'month', limitUsd: 100_000, thresholds: [50, 80, 100], hard: true, enabled: true }, {});
    await services.budgets.create(admin, { name: 'Agent 3 daily', scope: 'agent', scopeValue: 'agent-3', period: 'day', limitUsd: 5, thresholds: [50, 80, 100], hard: false, enabled: true }, {});
    await services.budgets.create(admin, { name: 'Sonnet weekly', scope: 'model', scopeValue: 'claude-sonnet-4-5', period: 'week', limitUsd: 200, thresholds: [80, 100], hard: false, enabled: true }, {});
  }
  // The services' own writer is internal: this one is built the same way (same prices, same budget hook).
  const timeZone = (await import('../packages/api/src/costs/time-zone-setting.ts')).timeZoneSettingFor(database.sqlite);
  const evaluator = createBudgetEvaluator({ sqlite: database.sqlite, clock, events: services.events, timeZone, query: services.costs.query });
  const writer = createUsageWriter(database.sqlite, () => services.prices.currentTable(), withRollups ? { hooks: [evaluator.onUsageInserted] } : { maintainRollups: false });
  let pending: Array<{ agent: Fleet[number]; records: UsageRecordInput[] }> = [];
  let written = 0;
  let checkpointMs: number | null = null;
  const flush = () =>
    database.rawTransaction(() => {
      for (const { agent, records } of pending) {
        writer.write(records, { agentId: agent.id, agentName: agent.name, gatewayId: agent.gatewayId, dedupeScope: `agent:${agent.id}`, defaultSource: agent.source, receivedAt: new Date(NOW) });
      }
    });
  const started = performance.now();
  for (const batch of batches(count, agents)) {
    pending.push(batch);
    written += batch.records.length;
    if (written % PER_TRANSACTION === 0) {
      await flush();
      pending = [];
      if (checkpointAt !== undefined && written === checkpointAt) checkpointMs = performance.now() - started;
    }
  }
  if (pending.length > 0) await flush();
  const elapsedMs = performance.now() - started;
  return { database, services, elapsedMs, checkpointMs };
}

function time(fn: () => unknown): number[] {
  for (let i = 0; i < WARMUPS; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < TIMED_RUNS; i++) {
    const started = performance.now();
    fn();
    samples.push(performance.now() - started);
  }
  return samples;
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARMUPS; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < TIMED_RUNS; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return samples;
}

export async function run(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'mc-bench-costs-'));
  const metrics: Metric[] = [];
  const notes: string[] = [];
  try {
    const baseline = await ingest(join(dir, 'baseline.db'), BASELINE_RECORDS, false);
    await baseline.database.close();
    const full = await ingest(join(dir, 'costs.db'), RECORDS, true, BASELINE_RECORDS);
    const baseUs = (baseline.elapsedMs * 1000) / BASELINE_RECORDS;
    const withUs = ((full.checkpointMs ?? full.elapsedMs) * 1000) / BASELINE_RECORDS;
    const rollupRows = Number((full.database.sqlite.prepare(`SELECT COUNT(*) AS n FROM "UsageRollupHourly"`).get() as { n: number }).n);
    metrics.push(
      { key: 'costsIngestPerSecond', label: `(a) ingest ${RECORDS.toLocaleString('en-US')} records with rollups + 3 budgets`, value: round((RECORDS / full.elapsedMs) * 1000, 0), unit: '/s' },
      { key: 'costsWriteUsPerRecordBaseline', label: `(a) writer without rollups, first ${BASELINE_RECORDS.toLocaleString('en-US')}`, value: round(baseUs, 2), unit: 'µs/record' },
      { key: 'costsWriteUsPerRecordWithRollups', label: `(a) writer with rollups + budgets, same records`, value: round(withUs, 2), unit: 'µs/record' },
      { key: 'costsRollupOverheadUs', label: '(a) rollup + budget overhead per record', value: round(withUs - baseUs, 2), unit: 'µs/record' },
      { key: 'costsRollupRows', label: '(a) hourly rollup rows for all records', value: rollupRows, unit: 'rows' },
    );
    const { services } = full;
    const queries: Array<[string, () => unknown]> = [
      ['costs.summary (today, 7 d, 30 d, MTD, projected)', () => services.costs.summary()],
      ['costs.timeseries today by hour × model', () => services.costs.timeseries({ range: { preset: 'today' }, bucket: 'hour', groupBy: 'model', series: 8 })],
      ['costs.timeseries 7 d by day × model', () => services.costs.timeseries({ range: { preset: '7d' }, bucket: 'day', groupBy: 'model', series: 8 })],
      ['costs.timeseries 30 d by day × model', () => services.costs.timeseries({ range: { preset: '30d' }, bucket: 'day', groupBy: 'model', series: 8 })],
      ['costs.timeseries 90 d by day × model', () => services.costs.timeseries({ range: { preset: '90d' }, bucket: 'day', groupBy: 'model', series: 8 })],
      ['costs.breakdown 30 d by model', () => services.costs.breakdown({ range: { preset: '30d' }, groupBy: 'model', limit: 200 })],
      ['costs.breakdown 30 d by agent', () => services.costs.breakdown({ range: { preset: '30d' }, groupBy: 'agent', limit: 200 })],
      ['costs.breakdown 30 d by task', () => services.costs.breakdown({ range: { preset: '30d' }, groupBy: 'task', limit: 200 })],
      ['costs.breakdown 30 d by gateway', () => services.costs.breakdown({ range: { preset: '30d' }, groupBy: 'gateway', limit: 200 })],
      ['costs.breakdown 7 d by provider', () => services.costs.breakdown({ range: { preset: '7d' }, groupBy: 'provider', limit: 200 })],
      ['costs.breakdown 90 d by source', () => services.costs.breakdown({ range: { preset: '90d' }, groupBy: 'source', limit: 200 })],
      ['costs.breakdown custom 30 d, unaligned edges', () => services.costs.breakdown({ range: { from: '2026-10-27T12:34:56Z', to: '2026-11-26T11:22:33Z' }, groupBy: 'model', limit: 200 })],
      ['costs.records first page (30 d)', () => services.costs.records({ range: { preset: '30d' }, filter: {}, limit: 100 })],
      ['prices.unpriced (90 d)', () => services.prices.unpriced({ range: { preset: '90d' } })],
    ];
    for (const [label, query] of queries) {
      const s = summarize(time(query));
      metrics.push({ key: `costsQuery:${label}`, label: `(b) ${label} p50 / p99`, value: round(s.p50, 1), unit: `/ ${round(s.p99, 1)} ms`, target: `< ${TARGET_MS} ms`, pass: s.p99 < TARGET_MS });
    }
    const budgets = summarize(await timeAsync(() => services.budgets.list()));
    metrics.push({ key: 'costsQuery:budgets.list', label: '(b) budgets.list (3 budgets, progress) p50 / p99', value: round(budgets.p50, 1), unit: `/ ${round(budgets.p99, 1)} ms`, target: `< ${TARGET_MS} ms`, pass: budgets.p99 < TARGET_MS });
    notes.push(
      `${AGENTS} agents × 2 models each (${MODELS.length} models, one unpriced), ${SOURCES.length} sources, 5 gateways + direct, a task per agent per 3 h, over ${DAYS} days`,
      `ingestion: ${BATCH} records per write() call, ${PER_TRANSACTION} per transaction; budgets: global month (hard), agent day, model week`,
      'queries run in-process on the same connection the server uses (no HTTP); "today"/"7 d"… end at the current hour, clock fixed at 2026-11-26T12:00Z',
    );
    await full.database.close();
    return { name: 'costs', metrics, notes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) printResult(await run());
