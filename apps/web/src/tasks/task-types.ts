// Task board types, inferred from the API router (never written by hand), and the column order.
import type { MutationOutput, QueryOutput, trpc } from '../lib/trpc';

type Tasks = typeof trpc.tasks;
export type BoardSnapshot = QueryOutput<Tasks['board']>;
export type TaskStatus = keyof BoardSnapshot['columns'];
export type TaskCard = BoardSnapshot['columns'][TaskStatus][number];
export type TaskPriority = TaskCard['priority'];
export type TaskDetail = QueryOutput<Tasks['byId']>;
export type TaskComment = MutationOutput<Tasks['comment']>;

// Mirrors TASK_STATUSES / TASK_PRIORITIES of packages/api/src/tasks/schema.ts (the server validates).
export const STATUSES: readonly TaskStatus[] = ['inbox', 'backlog', 'todo', 'in_progress', 'review', 'done'];
export const PRIORITIES: readonly TaskPriority[] = ['low', 'medium', 'high', 'critical'];
export const STATUS_LABELS: Record<TaskStatus, string> = {
  inbox: 'Inbox',
  backlog: 'Backlog',
  todo: 'Todo',
  in_progress: 'In progress',
  review: 'Review',
  done: 'Done',
};
export const PRIORITY_LABELS: Record<TaskPriority, string> = { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' };

export function formatCost(cost: TaskCard['cost']): string | null {
  if (cost.records === 0) return null;
  const priced = cost.costUsd === null ? 'unpriced' : `$${cost.costUsd < 0.01 && cost.costUsd > 0 ? cost.costUsd.toFixed(4) : cost.costUsd.toFixed(2)}`;
  return cost.unpricedRecords > 0 && cost.costUsd !== null ? `${priced} + ${cost.unpricedRecords} unpriced` : priced;
}
