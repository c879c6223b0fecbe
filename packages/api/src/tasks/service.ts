// Task board: create/edit/move/comment (people), queue claim and own-task moves (agents), board and
// search reads, cost per task, archiving of old done tasks. Rules: transitions.ts; every write is one
// raw transaction with its history row and outbox event, published after commit.
import { type Database, sqliteDate } from '@mc/db';
import type { AgentsService, WorkItemGroup } from '../agents/service.ts';
import type { RateLimitSettings } from '../agents/rate-limits.ts';
import type { AuditService } from '../audit/service.ts';
import { createRateLimiter } from '../auth/rate-limiter.ts';
import type { Actor, UserActor } from '../auth/roles.ts';
import type { Clock } from '../clock.ts';
import { conflict, forbidden, rateLimited } from '../errors.ts';
import type { BusEvent } from '../events/bus.ts';
import type { EventsService } from '../events/service.ts';
import type { SettingsService } from '../settings/service.ts';
import { createTaskQueue } from './queue.ts';
import {
  ArchiveSettings,
  DEFAULT_ARCHIVE_SETTINGS,
  TASK_STATUSES,
  type QueueQuery,
  type TaskBoardInput,
  type TaskCommentInput,
  type TaskCreateInput,
  type TaskListInput,
  type TaskMoveInput,
  type TaskPatchBody,
  type TaskStatus,
  type TaskUpdateInput,
} from './schema.ts';
import { createTaskReads } from './task-reads.ts';
import { type ActorInfo, createTaskWrites } from './task-writes.ts';
import { assertMayComment, assertMayEdit, assertMayMove } from './transitions.ts';
import { NO_COST, type TaskCard, type TaskRow } from './views.ts';

export const ARCHIVE_SETTINGS_KEY = 'tasks.archive';

export type TasksDeps = {
  database: Database;
  clock: Clock;
  events: EventsService;
  settings: SettingsService;
  audit: AuditService;
  agents: Pick<AgentsService, 'resolveRef'>;
  rateLimits: RateLimitSettings;
};

export function createTasksService(deps: TasksDeps) {
  const { database, clock, events, settings, audit, agents } = deps;
  const sqlite = database.sqlite;
  const reads = createTaskReads(sqlite);
  const writes = createTaskWrites(sqlite, reads, events);
  const queue = createTaskQueue(sqlite, reads, writes);
  const queueLimiter = createRateLimiter({ limit: deps.rateLimits.queuePerAgentPerMin, windowMs: 60_000, clock });
  const agentName = sqlite.prepare('SELECT name FROM "Agent" WHERE id = ?');
  const assignedItems = sqlite.prepare(
    `SELECT number, title, status, priority FROM "Task" WHERE assigneeAgentId = ? AND status <> 'done' AND archivedAt IS NULL
     ORDER BY CASE status WHEN 'in_progress' THEN 0 WHEN 'review' THEN 1 WHEN 'todo' THEN 2 ELSE 3 END, number LIMIT 50`,
  );

  function actorInfo(actor: Actor): ActorInfo {
    switch (actor.kind) {
      case 'user':
        return { type: actor.apiKeyId ? 'apiKey' : 'user', id: actor.userId, name: actor.username };
      case 'agent': {
        const row = agentName.get(actor.agentId) as { name: string } | undefined;
        return { type: 'agent', id: actor.agentId, name: row?.name ?? actor.keyName };
      }
      default:
        return { type: 'anonymous', id: null, name: null };
    }
  }

  /** Runs synchronous writes in one serialized transaction; publishes their events after commit. */
  async function write<T extends { event?: BusEvent | null; events?: BusEvent[] }>(work: () => T): Promise<T> {
    const result = await database.rawTransaction(work);
    const published = [...(result.events ?? []), ...(result.event ? [result.event] : [])];
    if (published.length) events.publish(published);
    return result;
  }

  async function create(actor: Actor, input: TaskCreateInput): Promise<TaskCard> {
    assertMayEdit(actor);
    const who = actorInfo(actor);
    return (await write(() => writes.create(input, who, clock.now()))).card;
  }

  async function update(actor: Actor, input: TaskUpdateInput): Promise<TaskCard> {
    assertMayEdit(actor);
    const who = actorInfo(actor);
    return (await write(() => writes.update(input, who, clock.now()))).card;
  }

  /** Checks a move by `actor` and returns what the write needs: an agent giving a task back to
   * todo releases it (outcome failed unless told), and an agent cannot start a blocked task. */
  function checkedMove(actor: Actor, row: TaskRow, to: TaskStatus, outcome: string | undefined) {
    assertMayMove(actor, { number: row.number, status: row.status as TaskStatus, assigneeAgentId: row.assigneeAgentId, autoDone: Boolean(row.autoDone) }, to);
    if (actor.kind === 'agent' && to === 'in_progress' && row.status !== 'in_progress' && row.openDependencies > 0) {
      const n = row.openDependencies;
      throw conflict(`#${row.number} waits for ${n} unfinished ${n === 1 ? 'dependency' : 'dependencies'}; it cannot start yet`);
    }
    const release = actor.kind === 'agent' && to === 'todo' && row.status !== 'todo';
    return { release, outcome: outcome ?? (release ? 'failed' : undefined) };
  }

  async function move(actor: Actor, input: TaskMoveInput): Promise<TaskCard> {
    const who = actorInfo(actor);
    const result = await write(() => {
      const row = reads.resolve(input.id);
      return writes.move(row, { ...input, ...checkedMove(actor, row, input.status, input.outcome) }, who, clock.now());
    });
    return result.card;
  }

  async function comment(actor: Actor, input: TaskCommentInput) {
    const who = actorInfo(actor);
    const result = await write(() => {
      const row = reads.resolve(input.id);
      assertMayComment(actor, row);
      return writes.comment(row, input.body, who, clock.now());
    });
    return result.comment;
  }

  /** PATCH /api/tasks/{id}: a status change and/or outcome, and/or a comment, in one transaction.
   * Without a status the task stays in its column (an outcome alone is recorded there). */
  async function patch(actor: Actor, ref: string, body: TaskPatchBody) {
    const who = actorInfo(actor);
    const result = await write(() => {
      const row = reads.resolve(ref);
      const emitted: BusEvent[] = [];
      let card: TaskCard | null = null;
      if (body.status || body.outcome) {
        const to = body.status ?? (row.status as TaskStatus);
        const moved = writes.move(row, { status: to, expectedVersion: body.expectedVersion, ...checkedMove(actor, row, to, body.outcome) }, who, clock.now());
        card = moved.card;
        if (moved.event) emitted.push(moved.event);
      }
      if (body.comment) {
        assertMayComment(actor, row);
        emitted.push(writes.comment(row, body.comment, who, clock.now()).event);
      }
      return { task: card ?? reads.card(row.id), events: emitted };
    });
    return { task: result.task };
  }

  async function claimNext(actor: Actor, query: QueueQuery) {
    const agent = agents.resolveRef(query.agent);
    if (actor.kind === 'agent' && actor.agentId !== agent.id) throw forbidden(`This agent key belongs to another agent, not ${agent.name}`);
    const verdict = queueLimiter.hit(agent.id);
    if (!verdict.allowed) throw rateLimited(verdict.retryAfterS);
    const who = actorInfo(actor);
    const outcome = await write(() => queue.claim(agent.id, query.maxCapacity, who, clock.now()));
    return { task: outcome.task, reason: outcome.reason };
  }

  async function board(input: TaskBoardInput) {
    const filters = input;
    const columns = {} as Record<TaskStatus, TaskCard[]>;
    const hasMore = {} as Record<TaskStatus, boolean>;
    for (const status of TASK_STATUSES) {
      const cards = reads.column(status, filters, input.perColumn + 1);
      hasMore[status] = cards.length > input.perColumn;
      columns[status] = cards.slice(0, input.perColumn);
    }
    const labels = (sqlite.prepare(`SELECT DISTINCT j.value AS label FROM "Task" t, json_each(t.labels) j WHERE t.archivedAt IS NULL ORDER BY 1 LIMIT 200`).all() as Array<{ label: string }>).map((r) => r.label);
    return { columns, hasMore, counts: reads.counts(filters), labels };
  }

  async function list(input: TaskListInput) {
    if (input.status) {
      const items = reads.column(input.status, input, input.limit + 1, input.cursor ?? null);
      const page = items.slice(0, input.limit);
      return { items: page, nextCursor: items.length > input.limit ? (page[page.length - 1]?.rank ?? null) : null };
    }
    const before = input.cursor && /^\d+$/.test(input.cursor) ? Number(input.cursor) : undefined;
    const items = reads.search(input, input.archived, input.limit + 1, before);
    const page = items.slice(0, input.limit);
    return { items: page, nextCursor: items.length > input.limit ? String(page[page.length - 1]?.number ?? '') : null };
  }

  async function counts(input: TaskBoardInput) {
    return reads.counts(input);
  }

  /** Current cost of some tasks (the board refreshes visible cards after usage events). */
  async function costs(ids: readonly string[]) {
    const rows = ids.map((id) => reads.rowById(id)).filter((row): row is NonNullable<typeof row> => row !== undefined);
    const byTask = reads.costs(rows);
    return rows.map((row) => ({ id: row.id, cost: byTask.get(row.id) ?? NO_COST }));
  }

  async function byId(ref: string) {
    return reads.detail(ref);
  }

  /** Heartbeat work items (PROTOCOL.md §4): the agent's open tasks; one indexed query per beat. */
  function workItemsFor(agentId: string): WorkItemGroup | null {
    const rows = assignedItems.all(agentId) as Array<{ number: number; title: string; status: string; priority: string }>;
    if (rows.length === 0) return null;
    return { type: 'assigned_tasks', items: rows.map((r) => ({ id: String(r.number), title: r.title, status: r.status, priority: r.priority })) };
  }

  async function archiveSettings(): Promise<ArchiveSettings> {
    return settings.get(ARCHIVE_SETTINGS_KEY, ArchiveSettings, DEFAULT_ARCHIVE_SETTINGS);
  }

  async function updateArchiveSettings(actor: UserActor, value: ArchiveSettings): Promise<ArchiveSettings> {
    const before = await archiveSettings();
    await settings.set(ARCHIVE_SETTINGS_KEY, value);
    await audit.record({ actor, action: 'tasks.archiveSettings', targetType: 'setting', targetId: ARCHIVE_SETTINGS_KEY, details: { before, after: value } });
    return value;
  }

  /** Archives done tasks completed more than `afterDays` ago; they leave the board, stay searchable. */
  async function archiveDone(): Promise<number> {
    const { afterDays } = await archiveSettings();
    const now = clock.now();
    const cutoff = new Date(now.getTime() - afterDays * 86_400_000);
    const result = await write(() => {
      const rows = sqlite
        .prepare(`UPDATE "Task" SET archivedAt = ? WHERE status = 'done' AND archivedAt IS NULL AND completedAt < ? RETURNING id, number`)
        .all(sqliteDate(now), sqliteDate(cutoff)) as Array<{ id: string; number: number }>;
      const event = rows.length ? events.recordRaw(sqlite, { type: 'task.archived', payload: { taskIds: rows.map((r) => r.id), numbers: rows.map((r) => r.number) } }) : null;
      return { count: rows.length, event };
    });
    return result.count;
  }

  return { create, update, move, comment, patch, claimNext, board, list, counts, costs, byId, workItemsFor, archiveSettings, updateArchiveSettings, archiveDone };
}

export type TasksService = ReturnType<typeof createTasksService>;
