// Tasks as clients see them, built from raw SQLite rows (dates as text, booleans as 0/1).
// Money leaves as USD numbers through nanosToUsd; costUsd null = no priced usage at all.
import { nanosToUsd } from '../usage/pricing/money.ts';
import type { TaskPriority, TaskStatus } from './schema.ts';

export type TaskCost = { costUsd: number | null; records: number; unpricedRecords: number };
export const NO_COST: TaskCost = { costUsd: null, records: 0, unpricedRecords: 0 };

export type TaskCard = {
  id: string;
  number: number;
  title: string;
  status: TaskStatus;
  priority: TaskPriority;
  rank: string;
  labels: string[];
  dueAt: string | null;
  assignee: { id: string; name: string | null; gatewayId: string | null } | null;
  createdBy: { type: string; id: string | null; name: string | null };
  autoDone: boolean;
  version: number;
  outcome: string | null;
  claimedAt: string | null;
  completedAt: string | null;
  archivedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Dependencies not done yet: a blocked task is never handed out by the queue. */
  openDependencies: number;
  cost: TaskCost;
};

export type TaskRow = {
  id: string;
  number: number;
  title: string;
  status: string;
  priority: string;
  rank: string;
  labels: string;
  dueAt: string | null;
  assigneeAgentId: string | null;
  assigneeName: string | null;
  assigneeGatewayId: string | null;
  createdByType: string;
  createdById: string | null;
  createdByName: string | null;
  autoDone: number | boolean;
  version: number;
  outcome: string | null;
  claimedAt: string | null;
  completedAt: string | null;
  archivedAt: string | null;
  createdAt: string;
  updatedAt: string;
  openDependencies: number;
};

/** Columns of a card query; `t` = Task, `a` = assignee Agent. */
export const CARD_COLUMNS = `t.id, t.number, t.title, t.status, t.priority, t.rank, t.labels, t.dueAt, t.assigneeAgentId,
  a.name AS assigneeName, a.gatewayId AS assigneeGatewayId, t.createdByType, t.createdById, t.createdByName, t.autoDone,
  t.version, t.outcome, t.claimedAt, t.completedAt, t.archivedAt, t.createdAt, t.updatedAt,
  (SELECT COUNT(*) FROM "TaskDependency" d JOIN "Task" dt ON dt.id = d.dependsOnId WHERE d.taskId = t.id AND dt.status <> 'done') AS openDependencies`;
export const CARD_FROM = `"Task" t LEFT JOIN "Agent" a ON a.id = t.assigneeAgentId`;

const iso = (value: string | null): string | null => (value === null ? null : new Date(value).toISOString());

function parseLabels(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

export function toTaskCard(row: TaskRow, cost: TaskCost = NO_COST): TaskCard {
  return {
    id: row.id,
    number: row.number,
    title: row.title,
    status: row.status as TaskStatus,
    priority: row.priority as TaskPriority,
    rank: row.rank,
    labels: parseLabels(row.labels),
    dueAt: iso(row.dueAt),
    assignee: row.assigneeAgentId ? { id: row.assigneeAgentId, name: row.assigneeName, gatewayId: row.assigneeGatewayId } : null,
    createdBy: { type: row.createdByType, id: row.createdById, name: row.createdByName },
    autoDone: row.autoDone === true || row.autoDone === 1,
    version: row.version,
    outcome: row.outcome,
    claimedAt: iso(row.claimedAt),
    completedAt: iso(row.completedAt),
    archivedAt: iso(row.archivedAt),
    createdAt: iso(row.createdAt) ?? new Date(0).toISOString(),
    updatedAt: iso(row.updatedAt) ?? new Date(0).toISOString(),
    openDependencies: row.openDependencies,
    cost,
  };
}

export function toTaskCost(row: { costNanos: number | bigint | null; records: number; unpriced: number } | undefined): TaskCost {
  if (!row) return NO_COST;
  const priced = row.records - row.unpriced;
  return {
    costUsd: priced > 0 && row.costNanos !== null ? nanosToUsd(BigInt(row.costNanos)) : null,
    records: row.records,
    unpricedRecords: row.unpriced,
  };
}
