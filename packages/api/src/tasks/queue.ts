// PROTOCOL.md §6 queue claim, run inside one database.rawTransaction (the write lock serializes
// claims, so two agents racing for one task: exactly one gets it). Candidates are todo tasks that are
// unassigned or assigned to this agent and whose dependencies are all done; order: priority, then
// due date (tasks without one last), then age.
//   continue_current: capacity 1 and the agent already has one task in progress (that task again)
//   at_capacity:      several tasks in progress fill the capacity (task null)
//   assigned:         a task was claimed now: in_progress, assigned to the agent, claimedAt set
//   no_tasks_available
import type BetterSqlite3 from 'better-sqlite3';
import type { BusEvent } from '../events/bus.ts';
import type { TaskReads } from './task-reads.ts';
import type { ActorInfo, TaskWrites } from './task-writes.ts';
import { CARD_COLUMNS, CARD_FROM, type TaskCard, type TaskRow } from './views.ts';

export type QueueReason = 'assigned' | 'continue_current' | 'at_capacity' | 'no_tasks_available';
export type QueueOutcome = { task: (TaskCard & { description: string }) | null; reason: QueueReason; event: BusEvent | null };

export function createTaskQueue(sqlite: BetterSqlite3.Database, reads: TaskReads, writes: TaskWrites) {
  const inProgress = sqlite.prepare(
    `SELECT ${CARD_COLUMNS} FROM ${CARD_FROM} WHERE t.assigneeAgentId = ? AND t.status = 'in_progress' AND t.archivedAt IS NULL
     ORDER BY t.claimedAt, t.number`,
  );
  const nextCandidate = sqlite.prepare(
    `SELECT ${CARD_COLUMNS} FROM ${CARD_FROM}
     WHERE t.status = 'todo' AND t.archivedAt IS NULL AND (t.assigneeAgentId IS NULL OR t.assigneeAgentId = ?)
       AND NOT EXISTS (SELECT 1 FROM "TaskDependency" d JOIN "Task" dt ON dt.id = d.dependsOnId WHERE d.taskId = t.id AND dt.status <> 'done')
     ORDER BY CASE t.priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END,
       t.dueAt IS NULL, t.dueAt, t.createdAt, t.number
     LIMIT 1`,
  );
  const descriptionOf = sqlite.prepare('SELECT description FROM "Task" WHERE id = ?');
  const withDescription = (card: TaskCard) => ({ ...card, description: (descriptionOf.get(card.id) as { description: string }).description });

  /** Call inside database.rawTransaction. */
  function claim(agentId: string, maxCapacity: number, actor: ActorInfo, now: Date): QueueOutcome {
    const current = inProgress.all(agentId) as TaskRow[];
    if (current.length >= maxCapacity) {
      const only = current.length === 1 ? current[0] : undefined;
      if (only) return { task: withDescription(reads.card(only.id)), reason: 'continue_current', event: null };
      return { task: null, reason: 'at_capacity', event: null };
    }
    const candidate = nextCandidate.get(agentId) as TaskRow | undefined;
    if (!candidate) return { task: null, reason: 'no_tasks_available', event: null };
    const { card, event } = writes.move(candidate, { status: 'in_progress', claim: { agentId } }, actor, now, 'claimed');
    return { task: withDescription(card), reason: 'assigned', event };
  }

  return { claim };
}
