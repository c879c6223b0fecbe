// Write side of the board: synchronous steps that run inside database.rawTransaction (serialized by
// the write lock), each writing the Task row, one TaskEvent history row and one outbox Event.
// Optimistic concurrency: a stale expectedVersion is a CONFLICT carrying the current task.
import { randomUUID } from 'node:crypto';
import { sqliteDate } from '@mc/db';
import type BetterSqlite3 from 'better-sqlite3';
import type { BusEvent } from '../events/bus.ts';
import type { EventsService } from '../events/service.ts';
import { DomainError, conflict, notFound, validationFailed } from '../errors.ts';
import { isValidRank, rankBetween } from './fractional-rank.ts';
import type { TaskCreateInput, TaskStatus, TaskUpdateInput } from './schema.ts';
import type { TaskReads } from './task-reads.ts';
import { STATUS_LABELS } from './transitions.ts';
import type { TaskCard, TaskRow } from './views.ts';

export type ActorInfo = { type: string; id: string | null; name: string | null };
export type Changes = Record<string, { before: unknown; after: unknown }>;

/** CONFLICT 409 with the task as it is now, so the second writer sees what changed. */
export class TaskConflictError extends DomainError {
  constructor(
    message: string,
    readonly current: TaskCard,
  ) {
    super('CONFLICT', message, [{ path: 'expectedVersion', message: `current version is ${current.version}` }]);
  }
}

const HISTORY_TEXT_LIMIT = 500;
const clip = (value: string) => (value.length > HISTORY_TEXT_LIMIT ? `${value.slice(0, HISTORY_TEXT_LIMIT)}…` : value);

export type TaskWrites = ReturnType<typeof createTaskWrites>;

export function createTaskWrites(sqlite: BetterSqlite3.Database, reads: TaskReads, events: EventsService) {
  const nextNumber = sqlite.prepare('SELECT COALESCE(MAX(number), 0) + 1 AS n FROM "Task"');
  const lastRank = sqlite.prepare('SELECT rank FROM "Task" WHERE status = ? AND id <> ? ORDER BY rank DESC LIMIT 1');
  const rankAfter = sqlite.prepare('SELECT rank FROM "Task" WHERE status = ? AND rank > ? AND id <> ? ORDER BY rank LIMIT 1');
  const rankBefore = sqlite.prepare('SELECT rank FROM "Task" WHERE status = ? AND rank < ? AND id <> ? ORDER BY rank DESC LIMIT 1');
  const rankOwner = sqlite.prepare('SELECT id, number FROM "Task" WHERE status = ? AND rank = ?');
  const insertTask = sqlite.prepare(
    `INSERT INTO "Task" (id, number, title, description, status, priority, rank, labels, dueAt, assigneeAgentId, createdByType, createdById,
     createdByName, autoDone, version, completedAt, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
  );
  const insertDependency = sqlite.prepare('INSERT OR IGNORE INTO "TaskDependency" (taskId, dependsOnId) VALUES (?, ?)');
  const deleteDependency = sqlite.prepare('DELETE FROM "TaskDependency" WHERE taskId = ? AND dependsOnId = ?');
  const dependencyIds = sqlite.prepare('SELECT dependsOnId FROM "TaskDependency" WHERE taskId = ?');
  // Does `from` (transitively) depend on `target`? Then target → from would close a cycle.
  const reaches = sqlite.prepare(
    `WITH RECURSIVE reach(id) AS (SELECT dependsOnId FROM "TaskDependency" WHERE taskId = ?
       UNION SELECT d.dependsOnId FROM "TaskDependency" d JOIN reach r ON d.taskId = r.id)
     SELECT 1 AS hit FROM reach WHERE id = ? LIMIT 1`,
  );
  const insertHistory = sqlite.prepare('INSERT INTO "TaskEvent" (taskId, kind, changes, actorType, actorId, actorName, at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const insertComment = sqlite.prepare(
    'INSERT INTO "TaskComment" (taskId, body, actorType, actorId, actorName, createdAt) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
  );
  const agentExists = sqlite.prepare('SELECT id FROM "Agent" WHERE id = ?');
  const descriptionOf = sqlite.prepare('SELECT description FROM "Task" WHERE id = ?');

  function history(taskId: string, kind: string, changes: Changes, actor: ActorInfo, at: Date) {
    insertHistory.run(taskId, kind, JSON.stringify(changes), actor.type, actor.id, actor.name, sqliteDate(at));
  }

  function emit(type: string, card: TaskCard, extra: Record<string, unknown> = {}): BusEvent {
    // agentId = assignee, so an agent key on SSE sees the events of its own tasks (PROTOCOL.md §7).
    return events.recordRaw(sqlite, { type, agentId: card.assignee?.id ?? null, payload: { taskId: card.id, number: card.number, task: card, ...extra } });
  }

  function assertVersion(row: TaskRow, expectedVersion: number | undefined) {
    if (expectedVersion === undefined || expectedVersion === row.version) return;
    const current = reads.card(row.id);
    throw new TaskConflictError(
      `#${row.number} was changed by someone else (version ${row.version}, you had ${expectedVersion}); review the current task and try again`,
      current,
    );
  }

  function assertAgent(agentId: string | null | undefined) {
    if (agentId && !agentExists.get(agentId)) throw notFound(`No agent ${agentId}`);
  }

  /** Resolves dependency refs to ids, refusing self-dependencies and cycles. */
  function resolveDependencies(taskId: string, taskNumber: number, refs: readonly string[]): Array<{ id: string; number: number }> {
    const resolved = refs.map((ref) => {
      const row = reads.resolve(ref);
      return { id: row.id, number: row.number };
    });
    for (const dependency of resolved) {
      if (dependency.id === taskId) throw validationFailed(`dependsOn: #${taskNumber} cannot depend on itself`, [{ path: 'dependsOn', message: 'a task cannot depend on itself' }]);
      if (reaches.get(dependency.id, taskId)) {
        const message = `#${dependency.number} already depends on #${taskNumber} (directly or through other tasks); this dependency would create a cycle`;
        throw validationFailed(`dependsOn: ${message}`, [{ path: 'dependsOn', message }]);
      }
    }
    return [...new Map(resolved.map((d) => [d.id, d])).values()];
  }

  /** The rank for a card placed after/before a neighbour in `status`, or at the end. */
  function placement(row: TaskRow, status: TaskStatus, position: { afterId?: string | null; beforeId?: string | null; rank?: string }): string {
    if (position.rank !== undefined) {
      if (!isValidRank(position.rank)) {
        throw validationFailed('rank: not a valid fractional-index key; send afterId/beforeId and let the server compute it', [
          { path: 'rank', message: 'not a valid fractional-index key' },
        ]);
      }
      const owner = rankOwner.get(status, position.rank) as { id: string; number: number } | undefined;
      if (owner && owner.id !== row.id) {
        throw conflict(`Rank collision: #${owner.number} already has rank ${position.rank} in ${STATUS_LABELS[status]}; move relative to a neighbour (afterId/beforeId) instead`);
      }
      return position.rank;
    }
    const neighbour = (ref: string) => {
      const found = reads.resolve(ref);
      if (found.status !== status || found.archivedAt !== null) {
        throw conflict(`#${found.number} is no longer in ${STATUS_LABELS[status]}; the board changed, try the move again`);
      }
      return found;
    };
    if (position.afterId) {
      const after = neighbour(position.afterId);
      if (after.id === row.id) return row.rank;
      const next = rankAfter.get(status, after.rank, row.id) as { rank: string } | undefined;
      return rankBetween(after.rank, next?.rank ?? null);
    }
    if (position.beforeId) {
      const before = neighbour(position.beforeId);
      if (before.id === row.id) return row.rank;
      const previous = rankBefore.get(status, before.rank, row.id) as { rank: string } | undefined;
      return rankBetween(previous?.rank ?? null, before.rank);
    }
    if (row.status === status) return row.rank;
    const last = lastRank.get(status, row.id) as { rank: string } | undefined;
    return rankBetween(last?.rank ?? null, null);
  }

  function create(input: TaskCreateInput, actor: ActorInfo, now: Date): { card: TaskCard; event: BusEvent } {
    assertAgent(input.assigneeAgentId);
    const id = randomUUID();
    const { n: number } = nextNumber.get() as { n: number };
    const status = input.status ?? 'inbox';
    const last = lastRank.get(status, id) as { rank: string } | undefined;
    const at = sqliteDate(now);
    insertTask.run(
      id, number, input.title, input.description ?? '', status, input.priority ?? 'medium', rankBetween(last?.rank ?? null, null),
      JSON.stringify([...new Set(input.labels ?? [])]), input.dueAt ? sqliteDate(new Date(input.dueAt)) : null, input.assigneeAgentId ?? null,
      actor.type, actor.id, actor.name, input.autoDone ? 1 : 0, status === 'done' ? at : null, at, at,
    );
    const dependencies = resolveDependencies(id, number, input.dependsOn ?? []);
    for (const dependency of dependencies) insertDependency.run(id, dependency.id);
    const changes: Changes = { status: { before: null, after: status }, title: { before: null, after: input.title } };
    if (dependencies.length) changes.dependsOn = { before: [], after: dependencies.map((d) => d.number) };
    history(id, 'created', changes, actor, now);
    const card = reads.card(id);
    return { card, event: emit('task.created', card) };
  }

  function update(input: TaskUpdateInput, actor: ActorInfo, now: Date): { card: TaskCard; event: BusEvent | null } {
    const row = reads.resolve(input.id);
    assertVersion(row, input.expectedVersion);
    const sets: string[] = [];
    const params: unknown[] = [];
    const changes: Changes = {};
    const change = (field: string, column: string, before: unknown, after: unknown, stored: unknown, shown: { before: unknown; after: unknown } = { before, after }) => {
      if (JSON.stringify(before) === JSON.stringify(after)) return;
      sets.push(`${column} = ?`);
      params.push(stored);
      changes[field] = shown;
    };
    if (input.title !== undefined) change('title', 'title', row.title, input.title, input.title);
    if (input.description !== undefined) {
      const { description } = descriptionOf.get(row.id) as { description: string };
      change('description', 'description', description, input.description, input.description, { before: clip(description), after: clip(input.description) });
    }
    if (input.priority !== undefined) change('priority', 'priority', row.priority, input.priority, input.priority);
    if (input.labels !== undefined) {
      const before = JSON.parse(row.labels) as string[];
      const after = [...new Set(input.labels)];
      change('labels', 'labels', before, after, JSON.stringify(after));
    }
    if (input.dueAt !== undefined) {
      const before = row.dueAt ? new Date(row.dueAt).toISOString() : null;
      const after = input.dueAt ? new Date(input.dueAt).toISOString() : null;
      change('dueAt', 'dueAt', before, after, input.dueAt ? sqliteDate(new Date(input.dueAt)) : null);
    }
    if (input.assigneeAgentId !== undefined) {
      assertAgent(input.assigneeAgentId);
      change('assignee', 'assigneeAgentId', row.assigneeAgentId, input.assigneeAgentId, input.assigneeAgentId);
    }
    if (input.autoDone !== undefined) change('autoDone', 'autoDone', Boolean(row.autoDone), input.autoDone, input.autoDone ? 1 : 0);
    let dependencyDiff: { add: string[]; remove: string[] } | null = null;
    if (input.dependsOn !== undefined) {
      const wanted = resolveDependencies(row.id, row.number, input.dependsOn);
      const current = (dependencyIds.all(row.id) as Array<{ dependsOnId: string }>).map((d) => d.dependsOnId);
      const wantedIds = wanted.map((d) => d.id);
      const add = wantedIds.filter((id) => !current.includes(id));
      const remove = current.filter((id) => !wantedIds.includes(id));
      if (add.length || remove.length) {
        dependencyDiff = { add, remove };
        const numbers = (ids: string[]) => ids.map((id) => reads.rowById(id)?.number ?? id);
        changes.dependsOn = { before: numbers(current), after: wanted.map((d) => d.number) };
      }
    }
    if (Object.keys(changes).length === 0) return { card: reads.card(row.id), event: null };
    const at = sqliteDate(now);
    sqlite.prepare(`UPDATE "Task" SET ${[...sets, 'version = version + 1', 'updatedAt = ?'].join(', ')} WHERE id = ?`).run(...params, at, row.id);
    if (dependencyDiff) {
      for (const id of dependencyDiff.remove) deleteDependency.run(row.id, id);
      for (const id of dependencyDiff.add) insertDependency.run(row.id, id);
    }
    history(row.id, 'updated', changes, actor, now);
    const card = reads.card(row.id);
    return { card, event: emit('task.updated', card, { fields: Object.keys(changes) }) };
  }

  type MoveRequest = {
    status: TaskStatus;
    afterId?: string | null;
    beforeId?: string | null;
    rank?: string;
    outcome?: string;
    expectedVersion?: number;
    /** Agents giving a task back (→ todo) release it for the queue. */
    release?: boolean;
    claim?: { agentId: string };
  };

  function move(row: TaskRow, request: MoveRequest, actor: ActorInfo, now: Date, kind = 'moved'): { card: TaskCard; event: BusEvent | null } {
    assertVersion(row, request.expectedVersion);
    const to = request.status;
    const rank = placement(row, to, request);
    const outcomeChanges = request.outcome !== undefined && request.outcome !== row.outcome;
    if (to === row.status && rank === row.rank && !request.claim && !outcomeChanges) return { card: reads.card(row.id), event: null };
    const at = sqliteDate(now);
    const sets = ['status = ?', 'rank = ?', 'version = version + 1', 'updatedAt = ?'];
    const params: unknown[] = [to, rank, at];
    const changes: Changes = {};
    if (to !== row.status) changes.status = { before: row.status, after: to };
    else if (rank !== row.rank) changes.rank = { before: row.rank, after: rank };
    if (to === 'done' && row.status !== 'done') {
      sets.push('completedAt = ?', 'outcome = ?');
      const outcome = request.outcome ?? row.outcome ?? 'success';
      params.push(at, outcome);
      if (outcome !== row.outcome) changes.outcome = { before: row.outcome, after: outcome };
    } else if (row.status === 'done' && to !== 'done') {
      sets.push('completedAt = NULL', 'archivedAt = NULL');
    } else if (request.outcome && request.outcome !== row.outcome) {
      sets.push('outcome = ?');
      params.push(request.outcome);
      changes.outcome = { before: row.outcome, after: request.outcome };
    } else if (to === 'in_progress' && row.status !== 'in_progress' && row.status !== 'review' && row.outcome !== null) {
      // A new attempt (a released task claimed again): the last attempt's outcome ("failed") must not
      // become this one's when it is done.
      sets.push('outcome = NULL');
      changes.outcome = { before: row.outcome, after: null };
    }
    if (request.claim) {
      sets.push('assigneeAgentId = ?', 'claimedAt = ?');
      params.push(request.claim.agentId, at);
      if (row.assigneeAgentId !== request.claim.agentId) changes.assignee = { before: row.assigneeAgentId, after: request.claim.agentId };
    } else if (request.release) {
      sets.push('assigneeAgentId = NULL', 'claimedAt = NULL');
      changes.assignee = { before: row.assigneeAgentId, after: null };
    } else if (to === 'in_progress' && row.claimedAt === null) {
      sets.push('claimedAt = ?');
      params.push(at);
    }
    // The version check above already ran in this transaction; the WHERE keeps the update honest.
    const result = sqlite.prepare(`UPDATE "Task" SET ${sets.join(', ')} WHERE id = ? AND version = ?`).run(...params, row.id, row.version);
    if (result.changes !== 1) throw conflict(`#${row.number} changed while moving it; try again`);
    history(row.id, kind, changes, actor, now);
    const card = reads.card(row.id);
    return { card, event: emit('task.moved', card, { from: row.status, to }) };
  }

  function comment(row: TaskRow, body: string, actor: ActorInfo, now: Date) {
    const at = sqliteDate(now);
    const { id } = insertComment.get(row.id, body, actor.type, actor.id, actor.name, at) as { id: number };
    const created = { id, body, actorType: actor.type, actorId: actor.id, actorName: actor.name, createdAt: now.toISOString() };
    const card = reads.card(row.id);
    return { comment: created, event: emit('task.commented', card, { comment: created }) };
  }

  return { create, update, move, comment };
}
