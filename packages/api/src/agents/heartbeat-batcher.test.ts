// Group commit: beats of one event-loop turn share a transaction and one rollup batch. The rollups must
// still equal the raw records, also when a beat fails after a budget hook flushed the shared batch.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBudgetEvaluator } from '../budgets/evaluator.ts';
import { type CostsHarness, createCostsHarness } from '../costs/test-harness.ts';
import { timeZoneSettingFor } from '../costs/time-zone-setting.ts';
import { RAW_DIMENSION_SQL, RAW_METRICS_SQL, SLICE_DIMENSIONS } from '../usage/rollups/rollup-writer.ts';
import { createUsageWriter } from '../usage/usage-writer.ts';
import { parseInput } from '../validation.ts';
import { createAgentLookup } from './agent-lookup.ts';
import { createHeartbeatWriter } from './heartbeat.ts';
import { createHeartbeatBatcher } from './heartbeat-batcher.ts';
import { type BeatExecutor, createInlineExecutor } from './heartbeat-executor.ts';
import { HeartbeatInput } from './schema.ts';

let h: CostsHarness;
afterEach(() => h.close());

const beat = (status: string, usage: Record<string, unknown>[], extra: Record<string, unknown> = {}) =>
  parseInput(HeartbeatInput, { status, token_usage: usage, ...extra });

/** Every rollup row next to the same sums computed from the raw records; equal when the rollups are right. */
function rollupsVersusRaw(sqlite: CostsHarness['db']['sqlite']) {
  const d = RAW_DIMENSION_SQL;
  const hourly = {
    stored: sqlite.prepare(`SELECT hourStart, agentId, model, provider, gatewayId, source, taskId, records, inputTokens, outputTokens, costNanos
      FROM "UsageRollupHourly" WHERE records > 0 ORDER BY 1, 2, 3, 4, 5, 6, 7`).all(),
    raw: sqlite.prepare(`SELECT * FROM (SELECT ${d.hourStart} AS hourStart, ${d.agentId} AS agentId, ${d.model} AS model, ${d.provider} AS provider,
      ${d.gatewayId} AS gatewayId, ${d.source} AS source, ${d.taskId} AS taskId, COUNT(*) AS records, SUM(inputTokens) AS inputTokens,
      SUM(outputTokens) AS outputTokens, COALESCE(SUM(costNanos), 0) AS costNanos FROM "UsageRecord" GROUP BY 1, 2, 3, 4, 5, 6, 7) ORDER BY 1, 2, 3, 4, 5, 6, 7`).all(),
  };
  const slices = SLICE_DIMENSIONS.map((dimension) => {
    const key = dimension === 'all' ? `''` : d[dimension];
    return {
      dimension,
      stored: sqlite.prepare(`SELECT start, key, records, costNanos FROM "UsageRollupSlice" WHERE dimension = ? AND grain = 'hour' AND records > 0 ORDER BY 1, 2`).all(dimension),
      raw: sqlite.prepare(`SELECT * FROM (SELECT ${d.hourStart} AS start, ${key} AS key, COUNT(*) AS records, COALESCE(SUM(costNanos), 0) AS costNanos
        FROM "UsageRecord" GROUP BY 1, 2) ORDER BY 1, 2`).all(),
    };
  });
  const days = {
    stored: sqlite.prepare(`SELECT SUM(records) AS records, SUM(costNanos) AS costNanos FROM "UsageRollupSlice" WHERE dimension = 'all' AND grain = 'day'`).get(),
    raw: sqlite.prepare(`SELECT ${RAW_METRICS_SQL.split(',')[0]} AS records, COALESCE(SUM(costNanos), 0) AS costNanos FROM "UsageRecord"`).get(),
  };
  return { hourly, slices, days };
}

function expectRollupsEqualRaw(sqlite: CostsHarness['db']['sqlite']) {
  const { hourly, slices, days } = rollupsVersusRaw(sqlite);
  expect(hourly.raw.length).toBeGreaterThan(0);
  expect(hourly.stored).toEqual(hourly.raw);
  for (const slice of slices) expect({ dimension: slice.dimension, rows: slice.stored }).toEqual({ dimension: slice.dimension, rows: slice.raw });
  expect(days.stored).toEqual(days.raw);
}

/** A batcher on the main connection that counts its write transactions. */
function countingBatcher(harness: CostsHarness) {
  const sqlite = harness.db.sqlite;
  const inline = createInlineExecutor(sqlite, createHeartbeatWriter(sqlite, harness.services.events, createUsageWriter(sqlite, () => harness.services.prices.currentTable())));
  let writes = 0;
  const executor: BeatExecutor = { ...inline, write: (items) => {
    writes += 1;
    return inline.write(items);
  } };
  const batcher = createHeartbeatBatcher({ writeLock: harness.db.writeLock, lookup: createAgentLookup(sqlite).resolve, executor, publish: () => {} });
  return { batcher, writes: () => writes };
}

describe('heartbeat group commit', () => {
  it.each([
    ['on the main thread', false],
    ['in the heartbeat worker thread', true],
  ])('keeps rollups and budget spend equal to the raw records when many agents beat in the same turn (%s)', async (_where, heartbeatWorker) => {
    h = await createCostsHarness('2026-11-26T12:00:00Z', { heartbeatWorker });
    await h.services.budgets.create(h.admin, { name: 'Fleet', scope: 'global', scopeValue: '', period: 'day', limitUsd: 1000, thresholds: [100], hard: false, enabled: true }, {});
    await h.services.budgets.create(h.admin, { name: 'Opus', scope: 'model', scopeValue: 'claude-opus-4-6', period: 'week', limitUsd: 1000, thresholds: [100], hard: false, enabled: true }, {});
    const agents = await Promise.all(Array.from({ length: 12 }, (_, i) => h.agent(`grouped-${i}`)));
    const models = ['claude-sonnet-4-5', 'claude-opus-4-6', 'gpt-5', 'glm-4.6'];
    for (let round = 0; round < 3; round++) {
      // All beats of a round are queued in one turn: one transaction, one shared rollup batch.
      const results = await Promise.all(agents.map((agent, i) => {
        const usage = [
          { id: `r${round}-${i}-a`, model: models[(i + round) % models.length], inputTokens: 1000 + i, outputTokens: 100 + round, taskId: i % 3 === 0 ? `task-${i}` : undefined },
          { id: `r${round}-${i}-b`, model: models[i % models.length], inputTokens: 500, outputTokens: 50, occurredAt: '2026-11-26T09:15:00Z' },
          // a retry of the previous round's record: counted once
          ...(round > 0 ? [{ id: `r${round - 1}-${i}-a`, model: 'claude-sonnet-4-5', inputTokens: 1, outputTokens: 1 }] : []),
        ];
        return h.services.agents.heartbeat(agent, `grouped-${i}`, beat('busy', usage));
      }));
      expect(results.map((result) => result.token_recorded)).toEqual(Array(agents.length).fill(2));
      h.clock.advanceBy(20 * 60_000);
    }
    expect(h.services.agents.heartbeatThread()).toBe(heartbeatWorker ? 'worker' : 'main');
    expect(await h.db.prisma.usageRecord.count()).toBe(agents.length * 2 * 3);
    expectRollupsEqualRaw(h.db.sqlite);
    const fleetSpend = h.db.sqlite.prepare(`SELECT s.spentNanos FROM "BudgetSpend" s JOIN "Budget" b ON b.id = s.budgetId WHERE b.name = 'Fleet'`).pluck().safeIntegers(true).get();
    const rawTotal = h.db.sqlite.prepare(`SELECT COALESCE(SUM(costNanos), 0) FROM "UsageRecord"`).pluck().safeIntegers(true).get();
    expect(fleetSpend).toBe(rawTotal);
    const opusSpend = h.db.sqlite.prepare(`SELECT s.spentNanos FROM "BudgetSpend" s JOIN "Budget" b ON b.id = s.budgetId WHERE b.name = 'Opus'`).pluck().safeIntegers(true).get();
    const rawOpus = h.db.sqlite.prepare(`SELECT COALESCE(SUM(costNanos), 0) FROM "UsageRecord" WHERE COALESCE(resolvedModel, model) = 'claude-opus-4-6'`).pluck().safeIntegers(true).get();
    expect(opusSpend).toBe(rawOpus);
  });

  it('rolls back a failing beat only, restoring the rollups of earlier beats that its budget hook had flushed', async () => {
    h = await createCostsHarness('2026-11-26T12:00:00Z');
    // A model budget with no spend row yet: the first opus record makes the hook flush the shared batch.
    await h.services.budgets.create(h.admin, { name: 'Opus', scope: 'model', scopeValue: 'claude-opus-4-6', period: 'day', limitUsd: 1000, thresholds: [100], hard: false, enabled: true }, {});
    const [a, b, c] = await Promise.all(['first', 'failing', 'third'].map(async (name) => (await h.services.agents.register(h.admin, { name })).agent));
    if (!a || !b || !c) throw new Error('agents not registered');
    const sqlite = h.db.sqlite;
    const timeZone = timeZoneSettingFor(sqlite);
    const evaluator = createBudgetEvaluator({ sqlite, clock: h.clock, events: h.services.events, timeZone, query: h.services.costs.query });
    const usageWriter = createUsageWriter(sqlite, () => h.services.prices.currentTable(), { hooks: [evaluator.onUsageInserted] });
    const writer = createHeartbeatWriter(sqlite, h.services.events, usageWriter);
    const published: string[] = [];
    const executor = createInlineExecutor(sqlite, {
      load: writer.load,
      createRollupBatch: writer.createRollupBatch,
      apply(before, input, now, rollups) {
        const outcome = writer.apply(before, input, now, rollups);
        if (input.activity === 'fail after writing') throw new Error('injected failure');
        return outcome;
      },
    });
    const batcher = createHeartbeatBatcher({
      writeLock: h.db.writeLock, lookup: createAgentLookup(sqlite).resolve, executor,
      publish: (events) => published.push(...events.map((event) => (event.payload as { agent: { name: string } }).agent.name)),
    });
    const now = h.clock.now();
    const updates = () => h.db.prisma.event.count({ where: { type: 'agent.updated', agentId: { in: [a.id, b.id, c.id] } } });
    const updatesBefore = await updates();
    const checks: string[] = [];
    const check = (agent: { name: string }) => void checks.push(agent.name);
    const settled = await Promise.allSettled([
      batcher.write(a.id, beat('busy', [{ id: 'a1', model: 'claude-sonnet-4-5', inputTokens: 1000, outputTokens: 10 }]), now, check),
      batcher.write(b.id, beat('busy', [{ id: 'b1', model: 'claude-opus-4-6', inputTokens: 2000, outputTokens: 20 }], { activity: 'fail after writing' }), now),
      batcher.write(c.id, beat('busy', [{ id: 'c1', model: 'claude-sonnet-4-5', inputTokens: 3000, outputTokens: 30 }]), now),
    ]);
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(checks).toEqual(['first']); // checked (rate limit counted) once, though its beat was written twice
    // The savepoint-free pass was rolled back whole: only the second pass's events exist and were published.
    expect(published).toEqual(['first', 'third']);
    expect((await updates()) - updatesBefore).toBe(2);
    expect((await h.db.prisma.usageRecord.findMany({ orderBy: { idempotencyKey: 'asc' } })).map((record) => record.idempotencyKey)).toEqual(['a1', 'c1']);
    expectRollupsEqualRaw(sqlite);
    expect(await h.db.prisma.budgetSpend.count()).toBe(0);
    expect((await h.db.prisma.agent.findUniqueOrThrow({ where: { id: b.id } })).status).not.toBe('busy');
  });

  it('commits a steady stream of beats a few at a time (commit delay) instead of one transaction per beat', async () => {
    h = await createCostsHarness('2026-11-26T12:00:00Z');
    const agents = await Promise.all(Array.from({ length: 6 }, (_, i) => h.agent(`steady-${i}`)));
    const { batcher, writes: transactions } = countingBatcher(h);
    // Timers and performance.now() on a fake clock: the stream's spacing is exact, however slow the machine.
    vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate', 'performance'] });
    try {
      const first = batcher.write('steady-0', beat('busy', []), h.clock.now());
      await vi.advanceTimersByTimeAsync(0);
      await first;
      // Five more, one per millisecond (each in its own turn), right after that commit.
      const writes: Promise<unknown>[] = [];
      for (const [i] of agents.slice(1).entries()) {
        writes.push(batcher.write(`steady-${i + 1}`, beat('busy', [{ id: `s${i}`, model: 'gpt-5', inputTokens: 10, outputTokens: 1 }]), h.clock.now()));
        await vi.advanceTimersByTimeAsync(1);
      }
      await vi.runAllTimersAsync();
      await Promise.all(writes);
    } finally {
      vi.useRealTimers();
    }
    expect(transactions() - 1).toBeLessThan(5);
    expect(await h.db.prisma.usageRecord.count()).toBe(5);
  });

  it('drops beats refused before writing (unknown agent, wrong key) and writes the rest in one pass', async () => {
    h = await createCostsHarness('2026-11-26T12:00:00Z');
    await Promise.all(['kept-1', 'kept-2'].map((name) => h.agent(name)));
    const { batcher, writes: transactions } = countingBatcher(h);
    const now = h.clock.now();
    const refuse = () => {
      throw new Error('not your agent');
    };
    const settled = await Promise.allSettled([
      batcher.write('kept-1', beat('busy', [{ id: 'k1', model: 'gpt-5', inputTokens: 1, outputTokens: 1 }]), now),
      batcher.write('ghost', beat('busy', [{ id: 'g1', model: 'gpt-5', inputTokens: 1, outputTokens: 1 }]), now),
      batcher.write('kept-2', beat('busy', [{ id: 'k2', model: 'gpt-5', inputTokens: 1, outputTokens: 1 }]), now, refuse),
    ]);
    expect(settled.map((result) => (result.status === 'rejected' ? String((result.reason as Error).message) : 'ok'))).toEqual([
      'ok', 'Unknown agent ghost; connect it first (POST /api/connect)', 'not your agent',
    ]);
    expect(transactions()).toBe(1);
    expect((await h.db.prisma.usageRecord.findMany()).map((record) => record.idempotencyKey)).toEqual(['k1']);
    expectRollupsEqualRaw(h.db.sqlite);
  });

  it('lets a writer waiting for the lock in between heartbeat batches instead of pipelining past it', async () => {
    h = await createCostsHarness('2026-11-26T12:00:00Z');
    await Promise.all(['pipe-1', 'pipe-2'].map((name) => h.agent(name)));
    const sqlite = h.db.sqlite;
    const inline = createInlineExecutor(sqlite, createHeartbeatWriter(sqlite, h.services.events, createUsageWriter(sqlite, () => h.services.prices.currentTable())));
    const order: string[] = [];
    const releases: Array<() => void> = [];
    const executor: BeatExecutor = { ...inline, write: async (items) => {
      order.push(`batch of ${items.length}`);
      await new Promise<void>((resolve) => releases.push(resolve));
      return inline.write(items);
    } };
    const batcher = createHeartbeatBatcher({ writeLock: h.db.writeLock, lookup: createAgentLookup(sqlite).resolve, executor, publish: () => {} });
    const now = h.clock.now();
    const first = batcher.write('pipe-1', beat('busy', []), now);
    await vi.waitFor(() => expect(order).toEqual(['batch of 1']));
    const other = h.db.writeLock(() => void order.push('other writer'));
    // Run the batcher's commit-delay timer now (fake timers, no sleep): it would send the second batch beside
    // the first, which it must not do while a writer waits.
    vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate'] });
    const second = batcher.write('pipe-2', beat('busy', []), now);
    await vi.runAllTimersAsync();
    vi.useRealTimers();
    expect(order).toEqual(['batch of 1']);
    releases.shift()?.();
    await first;
    await vi.waitFor(() => expect(order).toEqual(['batch of 1', 'other writer', 'batch of 1']));
    releases.shift()?.();
    await Promise.all([second, other]);
  });
});
