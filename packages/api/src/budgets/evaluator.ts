// Budget evaluation on ingestion: runs inside the usage insert's transaction (a UsageWriteHook), adds each
// batch's cost to the running spend of every matching budget's period (BudgetSpend), and records a
// BudgetAlert + `budget.threshold` event for each threshold crossed. BudgetAlert is unique per budget +
// period + threshold, so a threshold fires once per period whatever the retries or races.
import { sqliteDate } from '@mc/db/raw';
import type BetterSqlite3 from 'better-sqlite3';
import type { AgentView } from '../agents/views.ts';
import type { Clock } from '../clock.ts';
import type { RollupQuery } from '../costs/rollup-query.ts';
import type { TimeZoneSetting } from '../costs/time-zone-setting.ts';
import type { PeriodRange } from '../costs/zoned-calendar.ts';
import type { BusEvent } from '../events/bus.ts';
import type { RecordRaw } from '../events/raw-events.ts';
import { nanosToUsd } from '../usage/pricing/money.ts';
import type { InsertedUsage } from '../usage/usage-writer.ts';
import type { BudgetPeriod, BudgetScope } from './schema.ts';

export type ActiveBudget = {
  id: string;
  name: string;
  scope: BudgetScope;
  scopeValue: string;
  period: BudgetPeriod;
  limitNanos: bigint;
  thresholds: number[];
  hard: boolean;
};

export function scopeFilter(budget: Pick<ActiveBudget, 'scope' | 'scopeValue'>) {
  switch (budget.scope) {
    case 'global':
      return {};
    case 'agent':
      return { agentId: budget.scopeValue };
    case 'model':
      return { model: budget.scopeValue };
    case 'gateway':
      return { gatewayId: budget.scopeValue };
    case 'task':
      return { taskId: budget.scopeValue };
  }
}

function matches(budget: ActiveBudget, record: InsertedUsage): boolean {
  switch (budget.scope) {
    case 'global':
      return true;
    case 'agent':
      return record.agentId === budget.scopeValue;
    case 'model':
      return record.model === budget.scopeValue;
    case 'gateway':
      return record.gatewayId === budget.scopeValue;
    case 'task':
      return record.taskId === budget.scopeValue;
  }
}

/** Crossed when spent reaches threshold % of the limit (exact integer comparison). */
export const reaches = (spent: bigint, limit: bigint, threshold: number) => spent * 100n >= limit * BigInt(threshold);

export type BudgetEvaluatorDeps = {
  sqlite: BetterSqlite3.Database; clock: Clock; timeZone: TimeZoneSetting; query: RollupQuery;
  /** recordRaw on `sqlite`; publish after commit (the heartbeat worker hands its events to the main thread). */
  events: { recordRaw: RecordRaw; publish(events: readonly BusEvent[]): void };
};

export function createBudgetEvaluator(deps: BudgetEvaluatorDeps) {
  const { sqlite, clock, events, timeZone, query } = deps;
  const selectActive = sqlite.prepare(`SELECT id, name, scope, scopeValue, period, limitNanos, thresholds, hard FROM "Budget" WHERE enabled = 1`).safeIntegers(true);
  const addSpend = sqlite.prepare(`UPDATE "BudgetSpend" SET spentNanos = spentNanos + ?, updatedAt = ? WHERE budgetId = ? AND periodStart = ? RETURNING spentNanos`).safeIntegers(true);
  const insertSpend = sqlite.prepare(`INSERT INTO "BudgetSpend" (budgetId, periodStart, spentNanos, updatedAt) VALUES (?, ?, ?, ?)`);
  const readSpend = sqlite.prepare(`SELECT spentNanos FROM "BudgetSpend" WHERE budgetId = ? AND periodStart = ?`).safeIntegers(true);
  const insertAlert = sqlite.prepare(
    `INSERT INTO "BudgetAlert" (budgetId, periodStart, threshold, spentNanos, limitNanos, firedAt) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
  );
  const setAlertEvent = sqlite.prepare(`UPDATE "BudgetAlert" SET eventId = ? WHERE id = ?`);
  const eventExists = sqlite.prepare(`SELECT id FROM "Event" WHERE id = ?`);
  let active: ActiveBudget[] | null = null;

  /** Enabled budgets, cached until a budget or the time zone changes. */
  function activeBudgets(): ActiveBudget[] {
    active ??= (selectActive.all() as Record<string, unknown>[]).map((row) => ({
      id: String(row.id),
      name: String(row.name),
      scope: String(row.scope) as BudgetScope,
      scopeValue: String(row.scopeValue),
      period: String(row.period) as BudgetPeriod,
      limitNanos: row.limitNanos as bigint,
      thresholds: (JSON.parse(String(row.thresholds)) as number[]).sort((a, b) => a - b),
      hard: row.hard === 1n,
    }));
    return active;
  }

  function invalidate(): void {
    active = null;
  }

  /** The period's spend from the rollups (exact: raw records fill partial hours). */
  function spendFromRollups(budget: ActiveBudget, range: PeriodRange): bigint {
    return query.total({ from: range.start, to: range.end, filter: scopeFilter(budget) }).costNanos;
  }

  /** Spend of the period: the running row when there is one, else the rollups. */
  function currentSpend(budget: ActiveBudget, range: PeriodRange): bigint {
    const row = readSpend.get(budget.id, sqliteDate(new Date(range.start))) as { spentNanos: bigint } | undefined;
    return row ? row.spentNanos : spendFromRollups(budget, range);
  }

  /**
   * Records alerts for every threshold reached now but not before (`before` null = unknown, e.g. a period
   * whose spend was just initialised, or a budget just created: every reached threshold is due).
   */
  function fireCrossings(budget: ActiveBudget, range: PeriodRange, before: bigint | null, spent: bigint, emitted: BusEvent[]): void {
    const periodStart = sqliteDate(new Date(range.start));
    for (const threshold of budget.thresholds) {
      if (!reaches(spent, budget.limitNanos, threshold) || (before !== null && reaches(before, budget.limitNanos, threshold))) continue;
      const now = clock.now();
      const alert = insertAlert.get(budget.id, periodStart, threshold, spent, budget.limitNanos, sqliteDate(now)) as { id: number } | undefined;
      if (!alert) continue; // already fired this period
      const event = events.recordRaw(sqlite, {
        type: 'budget.threshold',
        agentId: budget.scope === 'agent' ? budget.scopeValue : null,
        payload: {
          budgetId: budget.id, budgetName: budget.name, scope: budget.scope, scopeValue: budget.scopeValue, period: budget.period,
          periodStart: new Date(range.start).toISOString(), periodEnd: new Date(range.end).toISOString(), timeZone: timeZone.timeZone(),
          threshold, spentUsd: nanosToUsd(spent), limitUsd: nanosToUsd(budget.limitNanos), hard: budget.hard, exceeded: reaches(spent, budget.limitNanos, 100),
        },
      });
      setAlertEvent.run(event.id, alert.id);
      emitted.push(event);
    }
  }

  /**
   * Publishes after the surrounding transaction commits. The hook runs synchronously inside it, so a
   * microtask runs after COMMIT or ROLLBACK; an event row that is gone was rolled back.
   */
  function publishAfterCommit(emitted: BusEvent[]): void {
    if (emitted.length === 0) return;
    queueMicrotask(() => {
      events.publish(emitted.filter((event) => eventExists.get(event.id) !== undefined));
    });
  }

  /** UsageWriteHook: inside the insert's transaction. */
  function onUsageInserted(_sqlite: BetterSqlite3.Database, inserted: readonly InsertedUsage[], flushRollups: () => void): void {
    const budgets = activeBudgets();
    if (budgets.length === 0) return;
    const calendar = timeZone.calendar();
    const deltas = new Map<string, { budget: ActiveBudget; range: PeriodRange; nanos: bigint }>();
    for (const record of inserted) {
      if (record.costNanos === null || record.costNanos === 0n) continue;
      for (const budget of budgets) {
        if (!matches(budget, record)) continue;
        const range = calendar.periodOf(budget.period, record.occurredAt.getTime());
        const key = `${budget.id}|${range.start}`;
        const entry = deltas.get(key);
        if (entry) entry.nanos += record.costNanos;
        else deltas.set(key, { budget, range, nanos: record.costNanos });
      }
    }
    const emitted: BusEvent[] = [];
    const now = sqliteDate(clock.now());
    for (const { budget, range, nanos } of deltas.values()) {
      const periodStart = sqliteDate(new Date(range.start));
      const updated = addSpend.get(nanos, now, budget.id, periodStart) as { spentNanos: bigint } | undefined;
      if (updated) {
        fireCrossings(budget, range, updated.spentNanos - nanos, updated.spentNanos, emitted);
      } else {
        // First record of this period (or the cache was dropped): the rollups, once flushed, hold this batch.
        flushRollups();
        const spent = spendFromRollups(budget, range);
        insertSpend.run(budget.id, periodStart, spent, now);
        fireCrossings(budget, range, null, spent, emitted);
      }
    }
    publishAfterCommit(emitted);
  }

  /** After a budget was created or changed: fire the thresholds its current period already reached. */
  function evaluateNow(budgetId: string): BusEvent[] {
    const budget = activeBudgets().find((candidate) => candidate.id === budgetId);
    if (!budget) return [];
    const range = timeZone.calendar().periodOf(budget.period, clock.nowMs());
    const emitted: BusEvent[] = [];
    fireCrossings(budget, range, null, currentSpend(budget, range), emitted);
    return emitted;
  }

  const agentUsed = (agentId: string, budget: ActiveBudget, range: PeriodRange) =>
    query.total({ from: range.start, to: range.end, filter: { ...scopeFilter(budget), agentId } }).records > 0;

  /** Heartbeat work item: the hard budgets over their limit this period that concern this agent. */
  async function workItemsFor(agent: AgentView) {
    const hardBudgets = activeBudgets().filter((budget) => budget.hard);
    if (hardBudgets.length === 0) return null;
    const calendar = timeZone.calendar();
    const now = clock.nowMs();
    const items: unknown[] = [];
    for (const budget of hardBudgets) {
      const range = calendar.periodOf(budget.period, now);
      const spent = currentSpend(budget, range);
      if (!reaches(spent, budget.limitNanos, 100)) continue;
      const concerned =
        budget.scope === 'global' ||
        (budget.scope === 'agent' && agent.id === budget.scopeValue) ||
        (budget.scope === 'gateway' && agent.gatewayId === budget.scopeValue) ||
        (budget.scope === 'task' && agent.currentTaskId === budget.scopeValue) ||
        (budget.scope !== 'agent' && agentUsed(agent.id, budget, range));
      if (!concerned) continue;
      items.push({
        budget_id: budget.id, name: budget.name, scope: budget.scope, scope_value: budget.scopeValue || null, period: budget.period,
        period_start: new Date(range.start).toISOString(), period_end: new Date(range.end).toISOString(),
        limit_usd: nanosToUsd(budget.limitNanos), spent_usd: nanosToUsd(spent),
        message: `Hard budget "${budget.name}" is exceeded; stop spending until ${new Date(range.end).toISOString()}`,
      });
    }
    return items.length > 0 ? { type: 'budget_exceeded', items } : null;
  }

  return { onUsageInserted, evaluateNow, invalidate, activeBudgets, currentSpend, workItemsFor, publishAfterCommit };
}

export type BudgetEvaluator = ReturnType<typeof createBudgetEvaluator>;
