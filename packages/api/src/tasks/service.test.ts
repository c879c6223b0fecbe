// Task service: every transition rule and permission, optimistic concurrency, ranks, dependencies,
// history, archiving, cost per task and filters, on a real SQLite file with a fake clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentActor } from '../auth/roles.ts';
import { DomainError } from '../errors.ts';
import { parseInput } from '../validation.ts';
import { TASK_STATUSES, TaskCreateInput, TaskMoveInput, type TaskStatus } from './schema.ts';
import { TaskConflictError } from './task-writes.ts';
import { createTaskHarness, type TaskHarness } from './test-harness.ts';

let h: TaskHarness;
let builder: AgentActor;
let other: AgentActor;

beforeAll(async () => {
  h = await createTaskHarness();
  builder = await h.agent('builder-1');
  other = await h.agent('builder-2');
});
afterAll(async () => {
  await h.close();
});

const codeOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
};
const create = (title: string, extra: Partial<TaskCreateInput> = {}) => h.services.tasks.create(h.operator, { title, ...extra });
const columnIds = async (status: TaskStatus) => (await h.services.tasks.board({ perColumn: 500 })).columns[status].map((t) => t.number);

describe('creating and editing', () => {
  it('numbers tasks sequentially, starts them in the inbox at the end of the column, and records who created them', async () => {
    const first = await create('first');
    const second = await create('second', { priority: 'high', labels: ['ui', 'ui', 'api'] });
    expect(second.number).toBe(first.number + 1);
    expect(first).toMatchObject({ status: 'inbox', priority: 'medium', version: 1, createdBy: { type: 'user', name: 'operator-person' } });
    expect(second.labels).toEqual(['ui', 'api']);
    expect(first.rank < second.rank).toBe(true);
    const detail = await h.services.tasks.byId(String(first.number));
    expect(detail.history[0]).toMatchObject({ kind: 'created', actorType: 'user', actorName: 'operator-person' });
    expect(h.published.some((e) => e.type === 'task.created' && (e.payload as { taskId: string }).taskId === first.id)).toBe(true);
  });

  it('lets operators and admins edit, and refuses viewers and agents', async () => {
    const task = await create('edit me');
    expect(await codeOf(h.services.tasks.create(h.viewer, { title: 'nope' }))).toBe('FORBIDDEN');
    expect(await codeOf(h.services.tasks.create(builder, { title: 'nope' }))).toBe('FORBIDDEN');
    expect(await codeOf(h.services.tasks.update(h.viewer, { id: task.id, expectedVersion: 1, title: 'x' }))).toBe('FORBIDDEN');
    expect(await codeOf(h.services.tasks.update(builder, { id: task.id, expectedVersion: 1, title: 'x' }))).toBe('FORBIDDEN');
    const edited = await h.services.tasks.update(h.admin, { id: task.id, expectedVersion: 1, title: 'edited', priority: 'critical', dueAt: '2026-12-01T00:00:00Z' });
    expect(edited).toMatchObject({ title: 'edited', priority: 'critical', version: 2, dueAt: '2026-12-01T00:00:00.000Z' });
  });

  it('records every field change with before, after, who and when', async () => {
    const task = await create('history');
    h.clock.advanceBy(60_000);
    await h.services.tasks.update(h.operator, { id: task.id, expectedVersion: 1, title: 'history 2', labels: ['ops'], assigneeAgentId: builder.agentId });
    const { history } = await h.services.tasks.byId(task.id);
    const last = history[history.length - 1];
    expect(last).toMatchObject({ kind: 'updated', actorName: 'operator-person', at: '2026-11-26T10:01:00.000Z' });
    expect(last?.changes).toEqual({
      title: { before: 'history', after: 'history 2' },
      labels: { before: [], after: ['ops'] },
      assignee: { before: null, after: builder.agentId },
    });
  });

  it('never silently loses an update: the second writer with a stale version gets CONFLICT with the current task', async () => {
    const task = await create('contended');
    await h.services.tasks.update(h.operator, { id: task.id, expectedVersion: 1, title: 'first writer' });
    const error = await h.services.tasks.update(h.admin, { id: task.id, expectedVersion: 1, description: 'second writer' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskConflictError);
    expect((error as TaskConflictError).current).toMatchObject({ title: 'first writer', version: 2 });
    expect((error as TaskConflictError).message).toMatch(/changed by someone else \(version 2, you had 1\)/);
    expect((await h.services.tasks.byId(task.id)).task.description).toBe('');
    expect(await codeOf(h.services.tasks.move(h.operator, { id: task.id, expectedVersion: 1, status: 'todo' }))).toBe('CONFLICT');
  });

  it('does not bump the version for an edit that changes nothing', async () => {
    const task = await create('same');
    const same = await h.services.tasks.update(h.operator, { id: task.id, expectedVersion: 1, title: 'same' });
    expect(same.version).toBe(1);
  });

  it('refuses an unknown assignee with NOT_FOUND', async () => {
    expect(await codeOf(create('ghost', { assigneeAgentId: 'no-such-agent' }))).toBe('NOT_FOUND');
  });
});

describe('bad input', () => {
  it('rejects an unknown status with the allowed values', () => {
    expect(() => parseInput(TaskMoveInput, { id: '1', status: 'doing' })).toThrow(/status: must be one of inbox, backlog, todo, in_progress, review, done/);
  });

  it('rejects a 1 MB description with a clear message', () => {
    expect(() => parseInput(TaskCreateInput, { title: 'big', description: 'x'.repeat(1_048_576) })).toThrow(/description: must be at most 50,000 characters/);
  });

  it('refuses a dependency on itself and any dependency cycle, naming the tasks', async () => {
    const a = await create('A');
    const b = await create('B', { dependsOn: [a.id] });
    const c = await create('C', { dependsOn: [String(b.number)] });
    await expect(h.services.tasks.update(h.operator, { id: a.id, expectedVersion: 1, dependsOn: [a.id] })).rejects.toThrow(/cannot depend on itself/);
    await expect(h.services.tasks.update(h.operator, { id: a.id, expectedVersion: 1, dependsOn: [`#${c.number}`] })).rejects.toThrow(
      new RegExp(`#${c.number} already depends on #${a.number} .*cycle`),
    );
    expect((await h.services.tasks.byId(a.id)).dependsOn).toEqual([]);
  });

  it('refuses an explicit rank already used in the column (CONFLICT) and a malformed one (VALIDATION_FAILED)', async () => {
    const a = await create('ranked A', { status: 'backlog' });
    const b = await create('ranked B', { status: 'inbox' });
    const error = await h.services.tasks.move(h.operator, { id: b.id, status: 'backlog', rank: a.rank }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('CONFLICT');
    expect((error as DomainError).message).toMatch(new RegExp(`Rank collision: #${a.number} already has rank`));
    expect(await codeOf(h.services.tasks.move(h.operator, { id: b.id, status: 'backlog', rank: 'a0 bad' }))).toBe('VALIDATION_FAILED');
  });
});

describe('moving cards', () => {
  it('moves between neighbours by writing one row (no other rank changes)', async () => {
    const [a, b, c] = [await create('m1', { status: 'todo' }), await create('m2', { status: 'todo' }), await create('m3', { status: 'todo' })];
    if (!a || !b || !c) throw new Error('setup');
    const before = await h.db.prisma.task.findMany({ select: { id: true, rank: true, version: true } });
    const moved = await h.services.tasks.move(h.operator, { id: c.id, expectedVersion: 1, status: 'todo', afterId: a.id });
    const after = await h.db.prisma.task.findMany({ select: { id: true, rank: true, version: true } });
    const changed = after.filter((row) => JSON.stringify(row) !== JSON.stringify(before.find((old) => old.id === row.id)));
    expect(changed.map((row) => row.id)).toEqual([c.id]);
    expect(a.rank < moved.rank && moved.rank < b.rank).toBe(true);
    const order = await columnIds('todo');
    expect(order.indexOf(c.number)).toBe(order.indexOf(a.number) + 1);
  });

  it('gives two clients dropping into the same gap distinct ranks (stale neighbours resolved server-side)', async () => {
    const left = await create('gap-left', { status: 'review' });
    const right = await create('gap-right', { status: 'review' });
    const x = await create('x');
    const y = await create('y');
    const [movedX, movedY] = await Promise.all([
      h.services.tasks.move(h.operator, { id: x.id, expectedVersion: 1, status: 'review', afterId: left.id, beforeId: right.id }),
      h.services.tasks.move(h.admin, { id: y.id, expectedVersion: 1, status: 'review', afterId: left.id, beforeId: right.id }),
    ]);
    expect(movedX.rank).not.toBe(movedY.rank);
    const order = await columnIds('review');
    expect(order.indexOf(left.number)).toBeLessThan(Math.min(order.indexOf(x.number), order.indexOf(y.number)));
    expect(order.indexOf(right.number)).toBeGreaterThan(Math.max(order.indexOf(x.number), order.indexOf(y.number)));
  });

  it('refuses a drop next to a card that left the column meanwhile', async () => {
    const gone = await create('gone', { status: 'backlog' });
    const mover = await create('mover');
    await h.services.tasks.move(h.operator, { id: gone.id, status: 'todo' });
    await expect(h.services.tasks.move(h.operator, { id: mover.id, status: 'backlog', afterId: gone.id })).rejects.toThrow(/no longer in backlog/);
  });

  it('lets operators move any task into any column and stamps completion when done', async () => {
    const task = await create('anywhere');
    let version = task.version;
    for (const status of ['done', 'backlog', 'review', 'inbox', 'in_progress', 'todo', 'done'] as const) {
      const moved = await h.services.tasks.move(h.operator, { id: task.id, expectedVersion: version, status });
      expect(moved.status).toBe(status);
      expect(moved.completedAt !== null).toBe(status === 'done');
      version = moved.version;
    }
    const { history } = await h.services.tasks.byId(task.id);
    expect(history.filter((e) => e.kind === 'moved').map((e) => e.changes.status?.after)).toEqual(['done', 'backlog', 'review', 'inbox', 'in_progress', 'todo', 'done']);
  });

  it('never lets a viewer move a task', async () => {
    const task = await create('viewer cannot');
    await expect(h.services.tasks.move(h.viewer, { id: task.id, status: 'todo' })).rejects.toThrow(/Viewers cannot move tasks/);
  });

  describe('agents', () => {
    const agentAllowed = new Set(['todo>in_progress', 'in_progress>review', 'in_progress>todo', 'review>in_progress']);

    it.each(TASK_STATUSES.flatMap((from) => TASK_STATUSES.filter((to) => to !== from).map((to) => [from, to] as const)))(
      'agent moving its own task %s → %s follows the documented rules',
      async (from, to) => {
        const task = await create(`agent ${from}>${to}`, { status: from, assigneeAgentId: builder.agentId });
        const outcome = await codeOf(h.services.tasks.move(builder, { id: task.id, status: to }));
        expect(outcome).toBe(agentAllowed.has(`${from}>${to}`) ? 'OK' : 'FORBIDDEN');
      },
    );

    it('moves to done only tasks created with autoDone', async () => {
      const manual = await create('manual done', { status: 'review', assigneeAgentId: builder.agentId });
      await expect(h.services.tasks.move(builder, { id: manual.id, status: 'done' })).rejects.toThrow(/Only an operator can move/);
      const auto = await create('auto done', { status: 'review', assigneeAgentId: builder.agentId, autoDone: true });
      expect((await h.services.tasks.move(builder, { id: auto.id, status: 'done' })).status).toBe('done');
    });

    it("never moves another agent's task or an unassigned one", async () => {
      const theirs = await create('theirs', { status: 'in_progress', assigneeAgentId: other.agentId });
      const nobodys = await create('nobodys', { status: 'todo' });
      await expect(h.services.tasks.move(builder, { id: theirs.id, status: 'review' })).rejects.toThrow(/not assigned to this agent/);
      await expect(h.services.tasks.move(builder, { id: nobodys.id, status: 'in_progress' })).rejects.toThrow(/not assigned to this agent/);
    });

    it('releases a task it gives back to todo (outcome failed) so the queue can hand it to anyone', async () => {
      const task = await create('give back', { status: 'in_progress', assigneeAgentId: builder.agentId });
      const back = await h.services.tasks.move(builder, { id: task.id, status: 'todo' });
      expect(back).toMatchObject({ status: 'todo', assignee: null, outcome: 'failed' });
      // Claimed again, the new attempt starts without the old outcome and finishes as a success.
      const again = await h.services.tasks.move(h.admin, { id: task.id, status: 'in_progress' });
      expect(again.outcome).toBeNull();
      expect((await h.services.tasks.move(h.admin, { id: task.id, status: 'done' })).outcome).toBe('success');
    });

    it('records an outcome without a move and a comment in one PATCH, on its own task only', async () => {
      const task = await create('patch outcome', { status: 'in_progress', assigneeAgentId: builder.agentId });
      const { task: patched } = await h.services.tasks.patch(builder, String(task.number), { outcome: 'failed', comment: 'flaky upstream', status: undefined, expectedVersion: undefined });
      expect(patched).toMatchObject({ status: 'in_progress', outcome: 'failed', version: 2 });
      const detail = await h.services.tasks.byId(task.id);
      expect(detail.history.at(-1)?.changes).toEqual({ outcome: { before: null, after: 'failed' } });
      expect(detail.comments.map((c) => c.body)).toEqual(['flaky upstream']);
      await expect(h.services.tasks.patch(other, task.id, { outcome: 'success', comment: undefined, status: undefined, expectedVersion: undefined })).rejects.toThrow(/not assigned to this agent/);
    });

    it('cannot start a task whose dependencies are not done', async () => {
      const dependency = await create('dependency', { status: 'todo' });
      const blocked = await create('blocked', { status: 'todo', assigneeAgentId: builder.agentId, dependsOn: [dependency.id] });
      expect(blocked.openDependencies).toBe(1);
      await expect(h.services.tasks.move(builder, { id: blocked.id, status: 'in_progress' })).rejects.toThrow(/unfinished dependency/);
      await h.services.tasks.move(h.operator, { id: dependency.id, status: 'done' });
      expect((await h.services.tasks.move(builder, { id: blocked.id, status: 'in_progress' })).status).toBe('in_progress');
    });

    it('comments on its own tasks only; viewers never comment', async () => {
      const mine = await create('mine', { status: 'in_progress', assigneeAgentId: builder.agentId });
      const comment = await h.services.tasks.comment(builder, { id: mine.id, body: 'tests pass' });
      expect(comment).toMatchObject({ actorType: 'agent', actorName: 'builder-1', body: 'tests pass' });
      await expect(h.services.tasks.comment(other, { id: mine.id, body: 'me too' })).rejects.toThrow(/comment only on their own tasks/);
      await expect(h.services.tasks.comment(h.viewer, { id: mine.id, body: 'hi' })).rejects.toThrow(/Viewers cannot comment/);
      const event = h.published.find((e) => e.type === 'task.commented' && (e.payload as { taskId: string }).taskId === mine.id);
      expect(event?.agentId).toBe(builder.agentId);
    });
  });
});

describe('archiving', () => {
  it('archives done tasks after the configured age; they leave the board and stay searchable', async () => {
    const old = await create('old done', { status: 'done' });
    h.clock.advanceBy(3 * 86_400_000);
    const recent = await create('recent done', { status: 'done' });
    h.clock.advanceBy(5 * 86_400_000);
    expect(await h.services.tasks.archiveDone()).toBeGreaterThanOrEqual(1);
    const board = await h.services.tasks.board({ perColumn: 500 });
    expect(board.columns.done.map((t) => t.id)).toContain(recent.id);
    expect(board.columns.done.map((t) => t.id)).not.toContain(old.id);
    const found = await h.services.tasks.list({ text: 'old done', archived: 'only', limit: 10 });
    expect(found.items.map((t) => t.id)).toEqual([old.id]);
    expect(found.items[0]?.archivedAt).not.toBeNull();

    await h.services.tasks.updateArchiveSettings(h.admin, { afterDays: 30 });
    expect(await h.services.tasks.archiveSettings()).toEqual({ afterDays: 30 });
    h.clock.advanceBy(10 * 86_400_000);
    await h.services.tasks.archiveDone();
    expect((await h.services.tasks.board({ perColumn: 500 })).columns.done.map((t) => t.id)).toContain(recent.id);
  });
});

describe('cost per task', () => {
  it('sums usage reported against the task id or its number, and counts unpriced records', async () => {
    const task = await create('costly', { status: 'in_progress', assigneeAgentId: builder.agentId });
    await h.services.agents.heartbeat(h.operator, 'builder-1', {
      status: 'busy', taskId: String(task.number), usage: [{ model: 'claude-sonnet-4-5-20250929', inputTokens: 100_000, outputTokens: 0 }],
    } as never);
    await h.services.usage.reportTokens(h.operator, [
      { model: 'claude-sonnet-4-5-20250929', inputTokens: 0, outputTokens: 100_000, taskId: task.id, agent: 'builder-1' },
      { model: 'some-unknown-model', inputTokens: 10, outputTokens: 10, taskId: `#${task.number}`, agent: 'builder-1' },
    ] as never);
    const card = (await h.services.tasks.byId(task.id)).task;
    expect(card.cost.records).toBe(3);
    expect(card.cost.unpricedRecords).toBe(1);
    expect(card.cost.costUsd).toBeCloseTo(0.3 + 1.5, 9);
    const onBoard = (await h.services.tasks.board({ perColumn: 500 })).columns.in_progress.find((t) => t.id === task.id);
    expect(onBoard?.cost).toEqual(card.cost);
    expect(await h.services.tasks.costs([task.id, 'no-such-task'])).toEqual([{ id: task.id, cost: card.cost }]);
  });
});

describe('filters and heartbeat work items', () => {
  it('filters by assignee, label, priority, text, number and gateway', async () => {
    const tagged = await create('Filterable parser bug', { labels: ['parser'], priority: 'low', assigneeAgentId: other.agentId });
    await h.db.prisma.agent.update({ where: { id: other.agentId }, data: { gatewayId: 'gw-east' } });
    const ids = async (filters: Record<string, string>) => (await h.services.tasks.list({ ...filters, archived: 'exclude', limit: 500 })).items.map((t) => t.id);
    expect(await ids({ label: 'parser' })).toEqual([tagged.id]);
    expect(await ids({ text: 'filterable PARSER' })).toEqual([tagged.id]);
    expect(await ids({ text: `#${tagged.number}` })).toEqual([tagged.id]);
    expect(await ids({ assignee: 'builder-2', priority: 'low' })).toEqual([tagged.id]);
    expect(await ids({ gateway: 'gw-east', label: 'parser' })).toEqual([tagged.id]);
    expect(await ids({ text: '100%_' })).toEqual([]);
    const counts = await h.services.tasks.counts({ label: 'parser', perColumn: 1 });
    expect(counts.inbox).toBe(1);
  });

  it('pages a column in rank order and a search newest first with cursors, and flags more on the board', async () => {
    for (let i = 0; i < 5; i++) await create(`paged ${i}`, { status: 'backlog', labels: ['paged'] });
    const board = await h.services.tasks.board({ label: 'paged', perColumn: 2 });
    expect(board.columns.backlog.map((t) => t.title)).toEqual(['paged 0', 'paged 1']);
    expect(board.hasMore.backlog).toBe(true);
    expect(board.counts.backlog).toBe(5);
    const titles: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await h.services.tasks.list({ label: 'paged', status: 'backlog', archived: 'exclude', limit: 2, cursor });
      titles.push(...page.items.map((t) => t.title));
      cursor = page.nextCursor;
    } while (cursor);
    expect(titles).toEqual(['paged 0', 'paged 1', 'paged 2', 'paged 3', 'paged 4']);
    const first = await h.services.tasks.list({ label: 'paged', archived: 'exclude', limit: 3 });
    const rest = await h.services.tasks.list({ label: 'paged', archived: 'exclude', limit: 3, cursor: first.nextCursor });
    expect([...first.items, ...rest.items].map((t) => t.title)).toEqual(['paged 4', 'paged 3', 'paged 2', 'paged 1', 'paged 0']);
    expect(rest.nextCursor).toBeNull();
  });

  it("lists an agent's open tasks in its heartbeat response", async () => {
    const agent = await h.agent('worker-hb');
    const task = await create('heartbeat item', { status: 'todo', priority: 'high', assigneeAgentId: agent.agentId });
    await create('finished', { status: 'done', assigneeAgentId: agent.agentId });
    const response = await h.services.agents.heartbeat(agent, 'worker-hb', { status: 'idle', usage: [] } as never);
    expect(response.status).toBe('WORK_ITEMS_FOUND');
    expect(response.work_items).toEqual([{ type: 'assigned_tasks', items: [{ id: String(task.number), title: 'heartbeat item', status: 'todo', priority: 'high' }] }]);
  });
});
