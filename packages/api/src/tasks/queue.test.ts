// PROTOCOL.md §6 queue claim: atomic, dependency-aware, priority → due date → age, capacity.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentActor } from '../auth/roles.ts';
import type { TaskCreateInput } from './schema.ts';
import { createTaskHarness, type TaskHarness } from './test-harness.ts';

let h: TaskHarness;
beforeEach(async () => {
  h = await createTaskHarness({ rateLimits: { heartbeatPerAgentPerMin: 0, connectPerAgentPerMin: 0, tokensPerKeyPerMin: 0, queuePerAgentPerMin: 0 } });
});
afterEach(async () => {
  await h.close();
});

const todo = (title: string, extra: Partial<TaskCreateInput> = {}) => h.services.tasks.create(h.operator, { title, status: 'todo', ...extra });
const claim = (agent: AgentActor, name: string, maxCapacity = 1) => h.services.tasks.claimNext(agent, { agent: name, maxCapacity });

describe('GET /api/tasks/queue claim', () => {
  it('hands out the highest priority first, then the earliest due date, then the oldest', async () => {
    const agent = await h.agent('picker');
    const lowOld = await todo('low, oldest', { priority: 'low' });
    h.clock.advanceBy(1000);
    const highNoDue = await todo('high, no due date', { priority: 'high' });
    h.clock.advanceBy(1000);
    const highDueLate = await todo('high, due later', { priority: 'high', dueAt: '2026-12-20T00:00:00Z' });
    h.clock.advanceBy(1000);
    const highDueSoon = await todo('high, due soon', { priority: 'high', dueAt: '2026-12-01T00:00:00Z' });
    h.clock.advanceBy(1000);
    const critical = await todo('critical, newest', { priority: 'critical' });
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      const result = await claim(agent, 'picker');
      expect(result.reason).toBe('assigned');
      order.push(result.task?.id ?? '');
      await h.services.tasks.move(h.operator, { id: result.task?.id ?? '', status: 'done' });
    }
    expect(order).toEqual([critical.id, highDueSoon.id, highDueLate.id, highNoDue.id, lowOld.id]);
    expect(await claim(agent, 'picker')).toEqual({ task: null, reason: 'no_tasks_available' });
  });

  it('claims atomically: the task is in progress, assigned, stamped, with its description, history and event', async () => {
    const agent = await h.agent('claimer');
    const task = await todo('claim me', { description: 'do **this**' });
    const result = await claim(agent, 'claimer');
    expect(result).toMatchObject({ reason: 'assigned', task: { id: task.id, status: 'in_progress', description: 'do **this**', assignee: { id: agent.agentId, name: 'claimer' } } });
    expect(result.task?.claimedAt).toBe('2026-11-26T10:00:00.000Z');
    const { history } = await h.services.tasks.byId(task.id);
    expect(history.at(-1)).toMatchObject({ kind: 'claimed', actorType: 'agent', actorName: 'claimer' });
    const event = h.published.find((e) => e.type === 'task.moved' && (e.payload as { taskId: string }).taskId === task.id);
    expect(event?.agentId).toBe(agent.agentId);
  });

  it('never hands out a task with unfinished dependencies, and does once they are done', async () => {
    const agent = await h.agent('waiter');
    const first = await todo('first', { priority: 'low' });
    const second = await todo('second', { priority: 'critical', dependsOn: [first.id] });
    const third = await todo('third', { priority: 'critical', dependsOn: [second.id] });
    const got = await claim(agent, 'waiter');
    expect(got.task?.id).toBe(first.id);
    await h.services.tasks.move(agent, { id: first.id, status: 'review' });
    // first is in review, not done: second and third stay blocked.
    expect(await claim(agent, 'waiter')).toEqual({ task: null, reason: 'no_tasks_available' });
    await h.services.tasks.move(h.operator, { id: first.id, status: 'done' });
    expect((await claim(agent, 'waiter')).task?.id).toBe(second.id);
    await h.services.tasks.move(h.operator, { id: second.id, status: 'done' });
    expect((await claim(agent, 'waiter')).task?.id).toBe(third.id);
  });

  it('gives 20 agents claiming at once 20 distinct tasks, and nobody one twice', async () => {
    const agents = await Promise.all(Array.from({ length: 20 }, (_, i) => h.agent(`racer-${i}`)));
    for (let i = 0; i < 30; i++) await todo(`race ${i}`, { priority: i % 2 ? 'high' : 'medium' });
    const results = await Promise.all(agents.map((agent, i) => claim(agent, `racer-${i}`)));
    const ids = results.map((r) => r.task?.id);
    expect(results.every((r) => r.reason === 'assigned')).toBe(true);
    expect(new Set(ids).size).toBe(20);
    const claimed = await h.db.prisma.task.findMany({ where: { status: 'in_progress' }, select: { id: true, assigneeAgentId: true } });
    expect(claimed).toHaveLength(20);
    expect(new Set(claimed.map((t) => t.assigneeAgentId)).size).toBe(20);
  });

  it('gives exactly one of 20 racing agents the only task', async () => {
    const agents = await Promise.all(Array.from({ length: 20 }, (_, i) => h.agent(`solo-${i}`)));
    const only = await todo('the only one');
    const results = await Promise.all(agents.map((agent, i) => claim(agent, `solo-${i}`)));
    expect(results.filter((r) => r.reason === 'assigned').map((r) => r.task?.id)).toEqual([only.id]);
    expect(results.filter((r) => r.reason === 'no_tasks_available')).toHaveLength(19);
    const history = await h.db.prisma.taskEvent.count({ where: { taskId: only.id, kind: 'claimed' } });
    expect(history).toBe(1);
  });

  it('answers continue_current with the task in progress at capacity 1, at_capacity when several fill it', async () => {
    const agent = await h.agent('busy');
    const a = await todo('a');
    await todo('b');
    await todo('c');
    expect((await claim(agent, 'busy')).task?.id).toBe(a.id);
    expect(await claim(agent, 'busy')).toMatchObject({ reason: 'continue_current', task: { id: a.id } });
    expect((await claim(agent, 'busy', 2)).reason).toBe('assigned');
    expect(await claim(agent, 'busy', 2)).toEqual({ task: null, reason: 'at_capacity' });
  });

  it("prefers nothing over another agent's task: tasks assigned to someone else are never handed out", async () => {
    const mine = await h.agent('mine');
    const theirs = await h.agent('theirs');
    await todo('reserved', { assigneeAgentId: theirs.agentId, priority: 'critical' });
    expect(await claim(mine, 'mine')).toEqual({ task: null, reason: 'no_tasks_available' });
    expect((await claim(theirs, 'theirs')).reason).toBe('assigned');
  });

  it('refuses an agent key claiming as another agent (403) and an unknown agent (404)', async () => {
    const agent = await h.agent('honest');
    await h.agent('victim');
    await expect(claim(agent, 'victim')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(claim(agent, 'nobody')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('queue rate limit', () => {
  it('answers RATE_LIMITED past queuePerAgentPerMin, per agent, until the window passes', async () => {
    const limited = await createTaskHarness({ rateLimits: { heartbeatPerAgentPerMin: 0, connectPerAgentPerMin: 0, tokensPerKeyPerMin: 0, queuePerAgentPerMin: 2 } });
    try {
      const agent = await limited.agent('eager');
      const ask = () => limited.services.tasks.claimNext(agent, { agent: 'eager', maxCapacity: 1 });
      await ask();
      await ask();
      await expect(ask()).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterS: 60 });
      limited.clock.advanceBy(60_000);
      expect((await ask()).reason).toBe('no_tasks_available');
    } finally {
      await limited.close();
    }
  });
});
