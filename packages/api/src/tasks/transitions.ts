// Who may move a task into which column (issue #8, PROTOCOL.md §6). Pure rules, no I/O.
//   people: viewers never move; operators and admins move any task between any columns.
//   agents: only tasks assigned to them, along todo → in_progress → review (and back: in_progress →
//           todo on failure, review → in_progress for rework); into done only when the task was
//           created with autoDone. Never into inbox or backlog, never someone else's task.
import type { Actor } from '../auth/roles.ts';
import { hasAccess } from '../auth/roles.ts';
import { DomainError, forbidden } from '../errors.ts';
import type { TaskStatus } from './schema.ts';

export const STATUS_LABELS: Record<TaskStatus, string> = {
  inbox: 'inbox',
  backlog: 'backlog',
  todo: 'todo',
  in_progress: 'in progress',
  review: 'review',
  done: 'done',
};

const AGENT_MOVES: ReadonlyArray<readonly [TaskStatus, TaskStatus]> = [
  ['todo', 'in_progress'],
  ['in_progress', 'review'],
  ['in_progress', 'todo'],
  ['review', 'in_progress'],
];

export type MovableTask = { number: number; status: TaskStatus; assigneeAgentId: string | null; autoDone: boolean };

/** Throws FORBIDDEN with a reason a person (or agent log) can act on; returns when allowed. */
export function assertMayMove(actor: Actor, task: MovableTask, to: TaskStatus): void {
  if (actor.kind === 'anonymous') throw new DomainError('UNAUTHORIZED', 'Sign in first');
  if (actor.kind === 'user') {
    if (!hasAccess(actor, 'operator')) throw forbidden('Viewers cannot move tasks; this needs the operator role');
    return;
  }
  if (task.assigneeAgentId !== actor.agentId) {
    throw forbidden(`Task #${task.number} is not assigned to this agent; agents move only their own tasks`);
  }
  if (task.status === to) return; // reordering within its own column
  if (to === 'done') {
    if (task.autoDone && (task.status === 'in_progress' || task.status === 'review')) return;
    throw forbidden(`Only an operator can move #${task.number} to done (it was not created with autoDone)`);
  }
  if (AGENT_MOVES.some(([from, into]) => from === task.status && into === to)) return;
  throw forbidden(
    `Agents may move their tasks todo → in progress → review, or back to todo on failure; not ${STATUS_LABELS[task.status]} → ${STATUS_LABELS[to]}`,
  );
}

/** Editing fields, dependencies and assignees, and creating tasks: operators and admins. */
export function assertMayEdit(actor: Actor): void {
  if (actor.kind === 'anonymous') throw new DomainError('UNAUTHORIZED', 'Sign in first');
  if (actor.kind === 'agent') throw forbidden('Agents cannot edit tasks; they move their own tasks and comment');
  if (!hasAccess(actor, 'operator')) throw forbidden('Viewers cannot edit tasks; this needs the operator role');
}

/** Comments: operators, admins, and agents on their own tasks. */
export function assertMayComment(actor: Actor, task: Pick<MovableTask, 'number' | 'assigneeAgentId'>): void {
  if (actor.kind === 'anonymous') throw new DomainError('UNAUTHORIZED', 'Sign in first');
  if (actor.kind === 'agent') {
    if (task.assigneeAgentId !== actor.agentId) throw forbidden(`Task #${task.number} is not assigned to this agent; agents comment only on their own tasks`);
    return;
  }
  if (!hasAccess(actor, 'operator')) throw forbidden('Viewers cannot comment; this needs the operator role');
}
