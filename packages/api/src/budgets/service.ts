// Budgets (admin writes, viewer reads): CRUD with audit and events, and the list with each budget's spend
// in its current period. Evaluation on ingestion lives in evaluator.ts; a change here drops its cache and
// fires the thresholds the current period already reached.
import type { Database } from '@mc/db';
import type { AuditService } from '../audit/service.ts';
import type { UserActor } from '../auth/roles.ts';
import type { RequestMeta } from '../auth/service.ts';
import type { Clock } from '../clock.ts';
import type { TimeZoneSetting } from '../costs/time-zone-setting.ts';
import { notFound, validationFailed } from '../errors.ts';
import type { EventsService } from '../events/service.ts';
import { nanosToUsd, usdToNanos } from '../usage/pricing/money.ts';
import { type BudgetEvaluator, reaches } from './evaluator.ts';
import type { BudgetPeriod, BudgetScope, CreateBudgetInput, UpdateBudgetInput } from './schema.ts';

export type BudgetsDeps = { database: Database; clock: Clock; events: EventsService; audit: AuditService; timeZone: TimeZoneSetting; evaluator: BudgetEvaluator };

type BudgetRow = { id: string; name: string; scope: string; scopeValue: string; period: string; limitNanos: bigint; thresholds: string; hard: boolean; enabled: boolean; createdAt: Date; updatedAt: Date };

export function createBudgetsService(deps: BudgetsDeps) {
  const { database, clock, events, audit, timeZone, evaluator } = deps;
  const db = database.prisma;

  // A new time zone moves every period boundary: running spends are recomputed from the rollups.
  timeZone.onChange(() => {
    database.sqlite.prepare(`DELETE FROM "BudgetSpend"`).run();
    evaluator.invalidate();
  });

  function view(row: BudgetRow, firedThresholds: number[]) {
    const calendar = timeZone.calendar();
    const range = calendar.periodOf(row.period as BudgetPeriod, clock.nowMs());
    const budget = { id: row.id, name: row.name, scope: row.scope as BudgetScope, scopeValue: row.scopeValue, period: row.period as BudgetPeriod, limitNanos: row.limitNanos, thresholds: JSON.parse(row.thresholds) as number[], hard: row.hard };
    const spent = evaluator.currentSpend(budget, range);
    return {
      id: row.id,
      name: row.name,
      scope: budget.scope,
      scopeValue: row.scopeValue,
      period: budget.period,
      limitUsd: nanosToUsd(row.limitNanos),
      thresholds: budget.thresholds,
      hard: row.hard,
      enabled: row.enabled,
      periodStart: new Date(range.start).toISOString(),
      periodEnd: new Date(range.end).toISOString(),
      spentUsd: nanosToUsd(spent),
      // Whole percent points of the limit, exact (integer division of nanos).
      percent: Number((spent * 100n) / row.limitNanos),
      exceeded: reaches(spent, row.limitNanos, 100),
      firedThresholds,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  async function list() {
    const rows = (await db.budget.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })) as BudgetRow[];
    const calendar = timeZone.calendar();
    const now = clock.nowMs();
    const alerts = await db.budgetAlert.findMany({ orderBy: { firedAt: 'desc' }, take: 200, include: { budget: { select: { name: true, period: true } } } });
    return {
      timeZone: timeZone.timeZone(),
      budgets: rows.map((row) => {
        const periodStart = calendar.periodOf(row.period as BudgetPeriod, now).start;
        const fired = alerts.filter((alert) => alert.budgetId === row.id && alert.periodStart.getTime() === periodStart).map((alert) => alert.threshold);
        return view(row, fired.sort((a, b) => a - b));
      }),
      recentAlerts: alerts.slice(0, 20).map((alert) => ({
        id: alert.id, budgetId: alert.budgetId, budgetName: alert.budget.name, threshold: alert.threshold, periodStart: alert.periodStart.toISOString(),
        spentUsd: nanosToUsd(alert.spentNanos), limitUsd: nanosToUsd(alert.limitNanos), firedAt: alert.firedAt.toISOString(),
      })),
    };
  }

  /** Fires thresholds already reached in the current period (outside the CRUD transaction; idempotent). */
  async function evaluateCurrentPeriod(budgetId: string) {
    evaluator.invalidate();
    const emitted = await database.rawTransaction(() => evaluator.evaluateNow(budgetId));
    events.publish(emitted);
  }

  async function create(actor: UserActor, input: CreateBudgetInput, meta: RequestMeta) {
    const now = clock.now();
    const row = await events.transaction(async (tx, emit) => {
      const created = await tx.budget.create({
        data: {
          name: input.name, scope: input.scope, scopeValue: input.scope === 'global' ? '' : input.scopeValue, period: input.period,
          limitNanos: usdToNanos(input.limitUsd), thresholds: JSON.stringify([...input.thresholds].sort((a, b) => a - b)), hard: input.hard,
          enabled: input.enabled, createdById: actor.userId, createdAt: now, updatedAt: now,
        },
      });
      await audit.record({ actor, action: 'budget.created', targetType: 'budget', targetId: created.id, ip: meta.ip, details: { ...input } }, tx);
      await emit({ type: 'budget.created', payload: { budgetId: created.id, name: created.name } });
      // Before the commit: the next ingestion (after this lock holder) must see the new budget.
      evaluator.invalidate();
      return created;
    });
    await evaluateCurrentPeriod(row.id);
    return view(row as BudgetRow, []);
  }

  async function update(actor: UserActor, input: UpdateBudgetInput, meta: RequestMeta) {
    const existing = await db.budget.findUnique({ where: { id: input.id } });
    if (!existing) throw notFound('No such budget');
    const scope = input.scope ?? (existing.scope as BudgetScope);
    const scopeValue = scope === 'global' ? '' : (input.scopeValue ?? existing.scopeValue);
    if (scope !== 'global' && !scopeValue) throw validationFailed(`scopeValue: name the ${scope} this budget limits`, [{ path: 'scopeValue', message: 'required for this scope' }]);
    const now = clock.now();
    const row = await events.transaction(async (tx, emit) => {
      const updated = await tx.budget.update({
        where: { id: input.id },
        data: {
          name: input.name, scope, scopeValue, period: input.period, hard: input.hard, enabled: input.enabled, updatedAt: now,
          ...(input.limitUsd !== undefined ? { limitNanos: usdToNanos(input.limitUsd) } : {}),
          ...(input.thresholds !== undefined ? { thresholds: JSON.stringify([...input.thresholds].sort((a, b) => a - b)) } : {}),
        },
      });
      // Spend is per scope and period: a changed scope or period starts from the rollups again.
      if (scope !== existing.scope || scopeValue !== existing.scopeValue || updated.period !== existing.period) await tx.budgetSpend.deleteMany({ where: { budgetId: input.id } });
      await audit.record({ actor, action: 'budget.updated', targetType: 'budget', targetId: input.id, ip: meta.ip, details: { ...input } }, tx);
      await emit({ type: 'budget.updated', payload: { budgetId: input.id, name: updated.name } });
      evaluator.invalidate();
      return updated;
    });
    await evaluateCurrentPeriod(row.id);
    return view(row as BudgetRow, []);
  }

  async function remove(actor: UserActor, id: string, meta: RequestMeta) {
    const existing = await db.budget.findUnique({ where: { id } });
    if (!existing) throw notFound('No such budget');
    await events.transaction(async (tx, emit) => {
      await tx.budget.delete({ where: { id } });
      await audit.record({ actor, action: 'budget.removed', targetType: 'budget', targetId: id, ip: meta.ip, details: { name: existing.name } }, tx);
      await emit({ type: 'budget.removed', payload: { budgetId: id, name: existing.name } });
      evaluator.invalidate();
    });
    return { ok: true as const };
  }

  return { list, create, update, remove };
}

export type BudgetsService = ReturnType<typeof createBudgetsService>;
