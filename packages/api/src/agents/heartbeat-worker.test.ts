// The heartbeat worker thread writes what the main thread would: it must see the budgets, prices and
// settings the main thread changed after it started, hand back the events it recorded, keep 404s as
// 404s, and leave heartbeats on the main thread when it cannot run.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type CostsHarness, createCostsHarness } from '../costs/test-harness.ts';
import { DomainError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { silentLogger } from '../logger.ts';
import { parseInput } from '../validation.ts';
import { createHeartbeatWriter } from './heartbeat.ts';
import { createInlineExecutor } from './heartbeat-executor.ts';
import { createWorkerExecutor, heartbeatWorkerEntry } from './heartbeat-worker-host.ts';
import { createUsageWriter } from '../usage/usage-writer.ts';
import { ConnectInput, HeartbeatInput } from './schema.ts';

let h: CostsHarness;
afterEach(() => h.close());

const beat = (usage: Record<string, unknown>[]) => parseInput(HeartbeatInput, { status: 'busy', token_usage: usage });

describe('heartbeat worker thread', () => {
  it('sees budgets and prices changed after it started, and hands back the threshold events it recorded, in id order', async () => {
    h = await createCostsHarness('2026-11-26T12:00:00Z', { heartbeatWorker: true });
    const agent = await h.agent('worker-budget');
    await h.services.agents.heartbeat(agent, 'worker-budget', beat([{ id: 'w0', model: 'gpt-5', inputTokens: 10, outputTokens: 1 }]));
    expect(h.services.agents.heartbeatThread()).toBe('worker');

    // Both changed by the main thread while the worker runs.
    await h.services.budgets.create(h.admin, { name: 'Tiny', scope: 'global', scopeValue: '', period: 'day', limitUsd: 0.01, thresholds: [50, 100], hard: false, enabled: true }, {});
    await h.services.prices.setOverride(h.admin, 'gpt-5', { input_cost_per_token: 1e-5, output_cost_per_token: 1e-4 }, {});
    const before = h.published.length;
    await h.services.agents.heartbeat(agent, 'worker-budget', beat([{ id: 'w1', model: 'gpt-5', inputTokens: 1000, outputTokens: 100 }]));

    // 1000 × 1e-5 + 100 × 1e-4 = $0.02: priced with the override, over both thresholds of the new budget.
    const record = await h.db.prisma.usageRecord.findFirstOrThrow({ where: { idempotencyKey: 'w1' } });
    expect(record.costNanos).toBe(20_000_000n);
    const published = h.published.slice(before);
    expect(published.filter((event) => event.type === 'budget.threshold').map((event) => (event.payload as { threshold: number }).threshold)).toEqual([50, 100]);
    expect(published.some((event) => event.type === 'agent.updated')).toBe(true);
    const ids = published.map((event) => event.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(await h.db.prisma.budgetAlert.count()).toBe(2);
  });

  it('starts when an agent connects, so its first heartbeat does not wait for the thread', async () => {
    h = await createCostsHarness('2026-11-26T12:00:00Z', { heartbeatWorker: true });
    expect(h.services.agents.heartbeatThread()).toBe('main'); // not started by the server alone
    await h.services.agents.connect(h.admin, parseInput(ConnectInput, { agent_name: 'early' }), {});
    await vi.waitFor(() => expect(h.services.agents.heartbeatThread()).toBe('worker'), { timeout: 10_000 });
  });

  it('answers a beat of an agent removed before the write with a 404, not a 500', async () => {
    h = await createCostsHarness('2026-11-26T12:00:00Z');
    const sqlite = h.db.sqlite;
    const inline = createInlineExecutor(sqlite, createHeartbeatWriter(sqlite, h.services.events, createUsageWriter(sqlite, () => h.services.prices.currentTable())));
    const executor = createWorkerExecutor({
      database: h.db, clock: h.clock, priceTable: () => h.services.prices.currentTable(), log: silentLogger, entry: heartbeatWorkerEntry(), fallback: inline,
    });
    try {
      const written = await h.db.writeLock(() => executor.write([{ agentId: 'removed-agent', beat: beat([]), now: h.clock.now() }]));
      expect(executor.thread()).toBe('worker');
      const [result] = written.results;
      expect(result && 'error' in result && result.error).toBeInstanceOf(DomainError);
      expect(result && 'error' in result && (result.error as DomainError).code).toBe('NOT_FOUND');
    } finally {
      await executor.close();
    }
  });

  it('writes on the main thread, and says why in the log, when the worker cannot start', async () => {
    h = await createCostsHarness('2026-11-26T12:00:00Z');
    const agent = await h.agent('fallback');
    const sqlite = h.db.sqlite;
    const inline = createInlineExecutor(sqlite, createHeartbeatWriter(sqlite, h.services.events, createUsageWriter(sqlite, () => h.services.prices.currentTable())));
    const errors: string[] = [];
    const log: Logger = { ...silentLogger, error: (_context: unknown, message?: string) => void errors.push(String(message)) };
    const executor = createWorkerExecutor({
      database: h.db, clock: h.clock, priceTable: () => h.services.prices.currentTable(), log,
      entry: { url: new URL('./no-such-worker.js', import.meta.url) }, fallback: inline,
    });
    try {
      const written = await h.db.writeLock(() => executor.write([{ agentId: agent.agentId, beat: beat([{ id: 'f1', model: 'gpt-5', inputTokens: 1, outputTokens: 1 }]), now: h.clock.now() }]));
      expect(written.results.map((result) => 'outcome' in result)).toEqual([true]);
      expect(executor.thread()).toBe('main');
      expect(errors).toEqual(['heartbeat worker failed; heartbeats are written on the main thread from now on']);
      expect(await h.db.prisma.usageRecord.count({ where: { idempotencyKey: 'f1' } })).toBe(1);
    } finally {
      await executor.close();
    }
  });
});
