// The operator's attention view: what needs a human now (collect.ts), minus what this user has
// acknowledged or snoozed, plus the fleet at a glance. Acknowledgements are per user and persisted.
import type { Database } from '@mc/db';
import type { UserActor } from '../auth/roles.ts';
import type { Clock } from '../clock.ts';
import { type AttentionSources, createAttentionCollector } from './collect.ts';
import type { AttentionItem } from './schema.ts';

export type GlanceSources = {
  spendToday(): { costUsd: number; unpricedRecords: number };
  dailyBudgetUsd(): Promise<number | null>;
};

export function createAttentionService(deps: { database: Database; clock: Clock; sources: AttentionSources & GlanceSources }) {
  const { database, clock } = deps;
  const db = database.prisma;
  const collector = createAttentionCollector({ database, clock, sources: deps.sources });

  async function list(actor: UserActor): Promise<{ items: AttentionItem[]; hidden: number }> {
    const [items, states] = await Promise.all([collector.collect(), db.attentionState.findMany({ where: { userId: actor.userId } })]);
    const now = clock.nowMs();
    const quiet = new Set(states.filter((s) => s.state === 'acknowledged' || (s.until !== null && s.until.getTime() > now)).map((s) => s.itemKey));
    const visible = items.filter((item) => !quiet.has(item.key));
    return { items: visible, hidden: items.length - visible.length };
  }

  async function setState(actor: UserActor, key: string, state: 'acknowledged' | 'snoozed', until: Date | null) {
    const at = clock.now();
    await db.attentionState.upsert({
      where: { userId_itemKey: { userId: actor.userId, itemKey: key } },
      create: { userId: actor.userId, itemKey: key, state, until, at },
      update: { state, until, at },
    });
    return { ok: true as const, until: until?.toISOString() ?? null };
  }

  const acknowledge = (actor: UserActor, key: string) => setState(actor, key, 'acknowledged', null);
  const snooze = (actor: UserActor, key: string, minutes: number) => setState(actor, key, 'snoozed', new Date(clock.nowMs() + minutes * 60_000));
  async function restore(actor: UserActor, key: string) {
    await db.attentionState.deleteMany({ where: { userId: actor.userId, itemKey: key } });
    return { ok: true as const };
  }

  async function glance() {
    const [agents, sessions, gateways, budget] = await Promise.all([
      db.agent.groupBy({ by: ['status'], _count: { _all: true } }),
      db.gatewaySession.groupBy({ by: ['gatewayId', 'busy'], _count: { _all: true } }),
      deps.sources.gateways(),
      deps.sources.dailyBudgetUsd(),
    ]);
    const agentsByStatus: Record<string, number> = {};
    for (const row of agents) agentsByStatus[row.status] = row._count._all;
    const perGateway = gateways.map((g) => {
      const rows = sessions.filter((s) => s.gatewayId === g.id);
      return {
        gatewayId: g.id,
        gatewayName: g.name,
        status: g.status,
        activeSessions: rows.filter((s) => s.busy).reduce((n, s) => n + s._count._all, 0),
        sessions: rows.reduce((n, s) => n + s._count._all, 0),
      };
    });
    return { agentsByStatus, spendToday: { ...deps.sources.spendToday(), budgetUsd: budget }, gateways: perGateway };
  }

  return { list, acknowledge, snooze, restore, glance };
}

export type AttentionService = ReturnType<typeof createAttentionService>;
