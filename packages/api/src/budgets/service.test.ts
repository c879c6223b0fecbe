// Budgets evaluated on ingestion: each threshold fires exactly once per period (retries, late records,
// period boundaries in UTC, New York across DST and Kolkata's :30 offset), hard budgets stop agents.
import { afterEach, describe, expect, it } from 'vitest';
import { HeartbeatInput } from '../agents/schema.ts';
import type { AgentActor } from '../auth/roles.ts';
import { type CostsHarness, createCostsHarness } from '../costs/test-harness.ts';
import { parseInput } from '../validation.ts';

let h: CostsHarness;
afterEach(() => h.close());

// gpt-5 input is $1.25/MTok: 1,000,000 input tokens = $1.25 exactly.
const spend = (id: string, at: string, extra: Record<string, unknown> = {}) => ({ id, model: 'gpt-5', inputTokens: 1_000_000, outputTokens: 0, occurredAt: at, ...extra });
const thresholdEvents = () =>
  h.published.filter((event) => event.type === 'budget.threshold').map((event) => {
    const payload = event.payload as { threshold: number; periodStart: string; spentUsd: number };
    return [payload.threshold, payload.periodStart, payload.spentUsd];
  });
const heartbeat = (agent: AgentActor, name: string, body: Record<string, unknown> = {}) =>
  h.services.agents.heartbeat(agent, name, parseInput(HeartbeatInput, { status: 'busy', ...body }));
const flush = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('budget thresholds', () => {
  it('fires 50 %, 80 % and 100 % once each per day, whatever the retries', async () => {
    h = await createCostsHarness('2026-11-26T12:00:00Z');
    await h.services.budgets.create(h.admin, { name: 'Daily', scope: 'global', scopeValue: '', period: 'day', limitUsd: 5, thresholds: [50, 80, 100], hard: false, enabled: true }, {});
    const agent = await h.agent('spender');
    await h.report(agent, [spend('a', '2026-11-26T01:00:00Z')]); // $1.25 = 25 %
    await h.report(agent, [spend('b', '2026-11-26T02:00:00Z'), spend('c', '2026-11-26T03:00:00Z')]); // $3.75 = 75 %
    await h.report(agent, [spend('b', '2026-11-26T02:00:00Z')]); // a retry: counted once, fires nothing
    await h.report(agent, [spend('d', '2026-11-26T04:00:00Z')]); // $5 = 100 % (80 and 100 together)
    await h.report(agent, [spend('e', '2026-11-26T05:00:00Z')]); // 125 %: nothing new
    await flush();
    expect(thresholdEvents()).toEqual([
      [50, '2026-11-26T00:00:00.000Z', 3.75],
      [80, '2026-11-26T00:00:00.000Z', 5],
      [100, '2026-11-26T00:00:00.000Z', 5],
    ]);
    const alerts = await h.db.prisma.budgetAlert.findMany({ orderBy: { threshold: 'asc' } });
    expect(alerts.map((alert) => [alert.threshold, alert.spentNanos])).toEqual([[50, 3_750_000_000n], [80, 5_000_000_000n], [100, 5_000_000_000n]]);
    expect(alerts.every((alert) => alert.eventId !== null)).toBe(true);
    const { budgets } = await h.services.budgets.list();
    expect(budgets[0]).toMatchObject({ spentUsd: 6.25, percent: 125, exceeded: true, firedThresholds: [50, 80, 100] });
  });

  it('starts a new period at midnight UTC: the last millisecond of a day and the first of the next count apart', async () => {
    h = await createCostsHarness('2026-11-27T12:00:00Z');
    await h.services.budgets.create(h.admin, { name: 'Daily', scope: 'global', scopeValue: '', period: 'day', limitUsd: 2.5, thresholds: [100], hard: false, enabled: true }, {});
    const agent = await h.agent('spender');
    await h.report(agent, [spend('late-1', '2026-11-26T23:59:59.999Z'), spend('early-1', '2026-11-27T00:00:00.000Z')]);
    await h.report(agent, [spend('late-2', '2026-11-26T23:00:00Z'), spend('early-2', '2026-11-27T01:00:00Z')]);
    await flush();
    // Both days reach $2.50; the late record for yesterday fires yesterday's period, once.
    expect(thresholdEvents().sort()).toEqual([[100, '2026-11-26T00:00:00.000Z', 2.5], [100, '2026-11-27T00:00:00.000Z', 2.5]]);
  });

  it('uses New York days across the DST change (a 25-hour 1 November)', async () => {
    h = await createCostsHarness('2026-11-02T12:00:00Z');
    await h.services.costs.setTimeZone(h.admin, 'America/New_York', {});
    await h.services.budgets.create(h.admin, { name: 'NY daily', scope: 'global', scopeValue: '', period: 'day', limitUsd: 2.5, thresholds: [100], hard: false, enabled: true }, {});
    const agent = await h.agent('spender');
    // 2026-11-01 in New York runs 04:00Z → 05:00Z next day (25 h).
    await h.report(agent, [spend('n1', '2026-11-01T04:00:00Z'), spend('n2', '2026-11-02T04:59:59.999Z')]); // both on Nov 1 local
    await h.report(agent, [spend('n3', '2026-11-02T05:00:00Z')]); // Nov 2 local: 50 % only
    await flush();
    expect(thresholdEvents()).toEqual([[100, '2026-11-01T04:00:00.000Z', 2.5]]);
  });

  it('uses Kolkata days that start at 18:30 UTC, mid-hour, exactly', async () => {
    h = await createCostsHarness('2026-11-26T20:00:00Z');
    await h.services.costs.setTimeZone(h.admin, 'Asia/Kolkata', {});
    const agent = await h.agent('spender');
    // Spend before the budget exists, on both sides of 18:30Z, in the same UTC hour.
    await h.report(agent, [spend('k1', '2026-11-26T18:29:59.999Z'), spend('k2', '2026-11-26T18:30:00.000Z')]);
    const created = await h.services.budgets.create(h.admin, { name: 'IST daily', scope: 'agent', scopeValue: agent.agentId, period: 'day', limitUsd: 2.5, thresholds: [50, 100], hard: false, enabled: true }, {});
    expect(created).toMatchObject({ periodStart: '2026-11-26T18:30:00.000Z', spentUsd: 1.25, percent: 50, firedThresholds: [] });
    await flush();
    expect(thresholdEvents()).toEqual([[50, '2026-11-26T18:30:00.000Z', 1.25]]); // fired at creation
    await h.report(agent, [spend('k3', '2026-11-26T18:45:00Z')]);
    await flush();
    expect(thresholdEvents()).toEqual([[50, '2026-11-26T18:30:00.000Z', 1.25], [100, '2026-11-26T18:30:00.000Z', 2.5]]);
    const event = h.published.find((e) => e.type === 'budget.threshold' && (e.payload as { threshold: number }).threshold === 100);
    expect(event?.agentId).toBe(agent.agentId);
  });

  it('only counts records in the budget scope (model via aliases and prefixes)', async () => {
    h = await createCostsHarness('2026-11-26T12:00:00Z');
    await h.services.budgets.create(h.admin, { name: 'Sonnet', scope: 'model', scopeValue: 'claude-sonnet-4-5', period: 'month', limitUsd: 0.6, thresholds: [100], hard: false, enabled: true }, {});
    const agent = await h.agent('spender');
    await h.report(agent, [spend('g1', '2026-11-26T01:00:00Z')]); // gpt-5: other scope
    await h.report(agent, [{ id: 's1', model: 'anthropic/claude-sonnet-4-5-20250929', inputTokens: 100_000, outputTokens: 0 }]); // $0.30
    await flush();
    expect(thresholdEvents()).toEqual([]);
    await h.report(agent, [{ id: 's2', model: 'claude-sonnet-4-5', inputTokens: 100_000, outputTokens: 0 }]); // $0.60
    await flush();
    expect(thresholdEvents()).toEqual([[100, '2026-11-01T00:00:00.000Z', 0.6]]);
  });

  it('asks agents under an exceeded hard budget to stop in their heartbeat, and no one else', async () => {
    h = await createCostsHarness('2026-11-26T12:00:00Z');
    const capped = await h.agent('capped');
    const free = await h.agent('free');
    await h.services.budgets.create(h.admin, { name: 'Capped agent', scope: 'agent', scopeValue: capped.agentId, period: 'week', limitUsd: 1, thresholds: [100], hard: true, enabled: true }, {});
    const before = await heartbeat(capped, 'capped');
    expect(before.work_items.find((group) => group.type === 'budget_exceeded')).toBeUndefined();
    const beat = await heartbeat(capped, 'capped', { token_usage: [spend('hb-1', '2026-11-26T11:59:00Z')] });
    expect(beat.status).toBe('WORK_ITEMS_FOUND');
    expect(beat.work_items.find((group) => group.type === 'budget_exceeded')?.items).toEqual([
      expect.objectContaining({ name: 'Capped agent', scope: 'agent', period: 'week', limit_usd: 1, spent_usd: 1.25, period_start: '2026-11-23T00:00:00.000Z' }),
    ]);
    const other = await heartbeat(free, 'free');
    expect(other.work_items.find((group) => group.type === 'budget_exceeded')).toBeUndefined();
    // Next week the budget is fresh again.
    h.clock.set('2026-11-30T00:00:00Z');
    const nextWeek = await heartbeat(capped, 'capped');
    expect(nextWeek.work_items.find((group) => group.type === 'budget_exceeded')).toBeUndefined();
  });

  it('rejects bad budgets with field errors and writes nothing', async () => {
    h = await createCostsHarness();
    const { CreateBudgetInput } = await import('./schema.ts');
    for (const bad of [
      { name: 'x', scope: 'global', period: 'day', limitUsd: -1 },
      { name: 'x', scope: 'global', period: 'day', limitUsd: 1, thresholds: [50, 50] },
      { name: 'x', scope: 'agent', period: 'day', limitUsd: 1 },
      { name: 'x', scope: 'galaxy', period: 'day', limitUsd: 1 },
      { name: 'x', scope: 'global', period: 'fortnight', limitUsd: 1 },
    ]) {
      expect(CreateBudgetInput.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    await expect(h.services.budgets.update(h.admin, { id: 'missing' }, {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await h.db.prisma.budget.count()).toBe(0);
  });
});
