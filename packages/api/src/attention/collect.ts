// Finds what needs a human now, each problem as one item with its occurrence key. Read-only and
// cheap (indexed lookups over small tables); the service filters per-user acknowledgements.
import type { Database } from '@mc/db';
import type { Clock } from '../clock.ts';
import { STUCK_CRON_MS } from '../cron/service.ts';
import { FAILING_WEBHOOK_AFTER } from '../webhooks/dispatcher.ts';
import type { AttentionItem, AttentionPriority } from './schema.ts';

export type GatewayStatusRow = { id: string; name: string; status: string; lastError: { message: string; hint?: string } | null; pairing: { requestId: string | null; approveCommand: string | null } | null };
export type BudgetRow = { id: string; name: string; percent: number; firedThresholds: number[]; periodStart: string; spentUsd: number; limitUsd: number; hard: boolean };

export type AttentionSources = {
  gateways(): Promise<GatewayStatusRow[]>;
  budgets(): Promise<BudgetRow[]>;
};

const iso = (date: Date | null | undefined, fallback: Date) => (date ?? fallback).toISOString();

export function createAttentionCollector(deps: { database: Database; clock: Clock; sources: AttentionSources }) {
  const db = deps.database.prisma;

  async function collect(): Promise<AttentionItem[]> {
    const now = deps.clock.now();
    const items: AttentionItem[] = [];
    const gateways = await deps.sources.gateways();
    const gatewayName = new Map(gateways.map((g) => [g.id, g.name]));
    const withGateway = (gatewayId: string | null | undefined) => ({ gatewayId: gatewayId ?? null, gatewayName: gatewayId ? (gatewayName.get(gatewayId) ?? null) : null });

    for (const agent of await db.agent.findMany({ where: { status: 'needs_input' } })) {
      items.push({
        key: `agent.needs_input:${agent.id}:${agent.statusChangedAt.getTime()}`, kind: 'agent.needs_input', priority: 'critical',
        title: `${agent.name} needs input`, detail: agent.activity, since: agent.statusChangedAt.toISOString(), ...withGateway(agent.gatewayId),
        href: `/agents/${encodeURIComponent(agent.name)}`, actionLabel: 'Open agent',
      });
    }

    const held = await db.task.findMany({ where: { status: 'in_progress', assigneeAgentId: { not: null }, archivedAt: null }, select: { id: true, number: true, title: true, assigneeAgentId: true } });
    const holders = held.length
      ? await db.agent.findMany({ where: { id: { in: held.map((t) => t.assigneeAgentId ?? '') }, status: 'offline' } })
      : [];
    for (const agent of holders) {
      const tasks = held.filter((t) => t.assigneeAgentId === agent.id);
      items.push({
        key: `agent.offline_with_task:${agent.id}:${agent.statusChangedAt.getTime()}`, kind: 'agent.offline_with_task', priority: 'high',
        title: `${agent.name} went offline holding ${tasks.length === 1 ? 'a task' : `${tasks.length} tasks`}`,
        detail: tasks.map((t) => `#${t.number} ${t.title}`).join(', '), since: agent.statusChangedAt.toISOString(), ...withGateway(agent.gatewayId),
        href: `/tasks?task=${tasks[0]?.number ?? ''}`, actionLabel: 'Reassign',
      });
    }

    for (const gateway of gateways) {
      if (gateway.status === 'pairing_required') {
        items.push({
          key: `gateway.pairing:${gateway.id}:${gateway.pairing?.requestId ?? ''}`, kind: 'gateway.pairing', priority: 'critical',
          title: `Gateway ${gateway.name} is waiting for pairing approval`, detail: gateway.pairing?.approveCommand ? `Run: ${gateway.pairing.approveCommand}` : null,
          since: now.toISOString(), gatewayId: gateway.id, gatewayName: gateway.name, href: '/settings/gateways', actionLabel: 'Approve pairing',
        });
      } else if (['auth_failed', 'unreachable', 'protocol_mismatch', 'backoff'].includes(gateway.status)) {
        items.push({
          key: `gateway.disconnected:${gateway.id}:${gateway.status}`, kind: 'gateway.disconnected', priority: 'high',
          title: `Gateway ${gateway.name} is disconnected (${gateway.status.replace('_', ' ')})`,
          detail: gateway.lastError ? [gateway.lastError.message, gateway.lastError.hint].filter(Boolean).join(' — ') : null,
          since: now.toISOString(), gatewayId: gateway.id, gatewayName: gateway.name, href: '/settings/gateways', actionLabel: 'Open gateway',
        });
      }
    }

    for (const job of await db.cronJob.findMany({ where: { OR: [{ consecutiveErrors: { gt: 0 } }, { lastStatus: 'error' }, { runningAt: { lt: new Date(now.getTime() - STUCK_CRON_MS) } }] } })) {
      const stuck = job.runningAt !== null && job.runningAt.getTime() < now.getTime() - STUCK_CRON_MS;
      items.push({
        key: stuck ? `cron.stuck:${job.id}:${job.runningAt?.getTime()}` : `cron.failed:${job.id}:${job.lastRunAt?.getTime() ?? 0}`,
        kind: stuck ? 'cron.stuck' : 'cron.failed', priority: job.consecutiveErrors >= 3 || stuck ? 'high' : 'medium',
        title: stuck ? `Cron job ${job.name} has been running for over an hour` : `Cron job ${job.name} failed${job.consecutiveErrors > 1 ? ` ${job.consecutiveErrors} times in a row` : ''}`,
        detail: stuck ? null : job.lastError, since: iso(stuck ? job.runningAt : job.lastRunAt, now), ...withGateway(job.gatewayId),
        href: `/cron?gateway=${encodeURIComponent(job.gatewayId)}`, actionLabel: 'Open cron',
      });
    }

    for (const budget of await deps.sources.budgets()) {
      const reached = Math.max(0, ...budget.firedThresholds);
      if (reached === 0) continue;
      const priority: AttentionPriority = reached >= 100 ? 'critical' : reached >= 80 ? 'high' : 'medium';
      items.push({
        key: `budget.threshold:${budget.id}:${budget.periodStart}:${reached}`, kind: 'budget.threshold', priority,
        title: `Budget ${budget.name} is at ${budget.percent} %${budget.hard && reached >= 100 ? ' — agents asked to stop' : ''}`,
        detail: `$${budget.spentUsd.toFixed(2)} of $${budget.limitUsd.toFixed(2)}`, since: budget.periodStart, gatewayId: null, gatewayName: null,
        href: '/costs', actionLabel: 'Open costs',
      });
    }

    // Review tasks that are pipeline approval steps are shown as approvals of their run (approvable from the item).
    const approvals = await db.pipelineStepRun.findMany({ where: { status: 'waiting_approval' }, include: { run: { include: { template: { select: { name: true } } } } } });
    const approvalByTask = new Map(approvals.filter((a) => a.taskId).map((a) => [a.taskId ?? '', a]));
    for (const task of await db.task.findMany({ where: { archivedAt: null, OR: [{ status: 'review' }, { status: 'todo', outcome: 'failed' }] }, orderBy: { updatedAt: 'asc' }, take: 50 })) {
      const review = task.status === 'review';
      const approval = review ? approvalByTask.get(task.id) : undefined;
      if (approval) {
        items.push({
          key: `pipeline.approval:${approval.runId}:${approval.stepKey}:${task.version}`, kind: 'pipeline.approval', priority: 'high',
          title: `Pipeline ${approval.run.template.name} waits for approval of step ${approval.stepKey}`,
          detail: `#${task.number} ${task.title}`, since: task.updatedAt.toISOString(), gatewayId: null, gatewayName: null,
          href: `/pipelines/runs/${approval.runId}`, actionLabel: 'Open run', approve: { runId: approval.runId, stepKey: approval.stepKey },
        });
        continue;
      }
      items.push({
        key: `${review ? 'task.review' : 'task.blocked'}:${task.id}:${task.version}`, kind: review ? 'task.review' : 'task.blocked', priority: 'medium',
        title: review ? `Task #${task.number} is waiting for review` : `Task #${task.number} is blocked: its agent gave up`,
        detail: task.title, since: task.updatedAt.toISOString(), gatewayId: null, gatewayName: null,
        href: `/tasks?task=${task.number}`, actionLabel: review ? 'Review' : 'Open task',
      });
    }

    // Failing runs only: a webhook an admin disabled by hand (no failure run) is not a problem to show.
    for (const hook of await db.webhook.findMany({ where: { consecutiveFailures: { gte: FAILING_WEBHOOK_AFTER } } })) {
      const disabled = !hook.enabled && hook.disabledReason !== null;
      items.push({
        key: `webhook.failing:${hook.id}:${disabled ? 'disabled' : 'failing'}:${hook.updatedAt.getTime()}`, kind: 'webhook.failing', priority: disabled ? 'high' : 'medium',
        title: disabled ? `Webhook to ${new URL(hook.url).host} was disabled after repeated failures` : `Webhook to ${new URL(hook.url).host} is failing (${hook.consecutiveFailures} in a row)`,
        detail: hook.disabledReason, since: hook.updatedAt.toISOString(), gatewayId: null, gatewayName: null,
        href: `/settings/webhooks/${hook.id}/deliveries`, actionLabel: 'Open deliveries',
      });
    }

    const rank: Record<AttentionPriority, number> = { critical: 0, high: 1, medium: 2 };
    return items.sort((a, b) => rank[a.priority] - rank[b.priority] || a.since.localeCompare(b.since));
  }

  return { collect };
}
