// PROTOCOL.md §6 work loop over real HTTP: queue claim, own-task moves and comments, errors.
import { request } from 'node:http';
import { createFakeClock } from '@mc/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.ts';

const clock = createFakeClock('2026-11-26T10:00:00Z');
let app: TestServer;
let operatorKey: string;
const agentKeys = new Map<string, string>();

type Json = Record<string, unknown>;
/** One request on a fresh connection: setting up 20 agents can outlast the server's keep-alive
 * timeout, and a pooled socket the server closes at that moment would fail the next request. */
function call(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
    const req = request(`${app.url}${path}`, { method, agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : null) as Json }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}
const errorOf = (body: Json) => body.error as { code: string; message: string };
let admin: { kind: 'user'; userId: string; username: string; role: 'admin' };

async function agentWithKey(name: string): Promise<string> {
  const { agent } = await app.services.agents.register(admin, { name });
  const { secret } = await app.services.agents.createKey(admin, agent.id, `${name} key`, {});
  agentKeys.set(name, secret);
  return secret;
}
const newTask = (title: string, extra: Record<string, unknown> = {}) => app.services.tasks.create(admin, { title, status: 'todo', ...extra });

beforeAll(async () => {
  app = await startTestServer({ clock, env: { MC_RATE_LIMITS: '{"queuePerAgentPerMin":0,"heartbeatPerAgentPerMin":0}' } });
  operatorKey = await app.createApiKey('operator');
  const seeded = await app.db.prisma.user.findFirstOrThrow({ where: { role: 'admin' } });
  admin = { kind: 'user', userId: seeded.id, username: seeded.username, role: 'admin' };
});
afterAll(async () => {
  await app.close();
});

describe('GET /api/tasks/queue', () => {
  it('claims the next task for the key’s own agent and answers { task, reason }', async () => {
    const key = await agentWithKey('http-worker');
    const task = await newTask('over http', { priority: 'high', description: 'steps' });
    const res = await call('GET', '/api/tasks/queue?agent=http-worker&max_capacity=1', key);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ reason: 'assigned', task: { id: task.id, number: task.number, status: 'in_progress', description: 'steps' } });
    const again = await call('GET', '/api/tasks/queue?agent=http-worker', key);
    expect(again.body).toMatchObject({ reason: 'continue_current', task: { id: task.id } });
  });

  it('answers 403 for an agent key asking as another agent, 404 for an unknown agent, 400 for a bad capacity', async () => {
    const key = await agentWithKey('http-honest');
    await agentWithKey('http-other');
    expect((await call('GET', '/api/tasks/queue?agent=http-other', key)).status).toBe(403);
    expect((await call('GET', '/api/tasks/queue?agent=ghost', operatorKey)).status).toBe(404);
    const bad = await call('GET', '/api/tasks/queue?agent=http-honest&max_capacity=zero', key);
    expect(bad.status).toBe(400);
    expect(errorOf(bad.body).message).toMatch(/^max_capacity: /);
  });

  it('gives 20 agents racing over HTTP distinct tasks', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `http-racer-${i}`);
    const keys = await Promise.all(names.map(agentWithKey));
    for (let i = 0; i < 20; i++) await newTask(`http race ${i}`);
    const results = await Promise.all(names.map((name, i) => call('GET', `/api/tasks/queue?agent=${name}`, keys[i] ?? '')));
    const ids = results.map((r) => (r.body.task as { id: string } | null)?.id);
    expect(results.every((r) => r.status === 200 && r.body.reason === 'assigned')).toBe(true);
    expect(new Set(ids).size).toBe(20);
  });
});

describe('PATCH /api/tasks/{id} and POST /api/tasks/{id}/comments', () => {
  it('lets an agent move its own task to review with a comment, by number, and refuses done', async () => {
    const key = await agentWithKey('http-mover');
    await newTask('to review', { priority: 'critical' });
    const claimed = await call('GET', '/api/tasks/queue?agent=http-mover', key);
    const number = (claimed.body.task as { number: number }).number;
    const res = await call('PATCH', `/api/tasks/${number}`, key, { status: 'review', comment: 'ready for review', outcome: 'success' });
    expect(res.status).toBe(200);
    expect(res.body.task).toMatchObject({ number, status: 'review', outcome: 'success' });
    const done = await call('PATCH', `/api/tasks/${number}`, key, { status: 'done' });
    expect(done.status).toBe(403);
    expect(errorOf(done.body).message).toMatch(/Only an operator can move/);
    const detail = await app.services.tasks.byId(String(number));
    expect(detail.comments.map((c) => [c.actorName, c.body])).toEqual([['http-mover', 'ready for review']]);
  });

  it('answers 409 with the current task for a stale expected_version', async () => {
    const task = await newTask('stale');
    await app.services.tasks.update(admin, { id: task.id, expectedVersion: 1, title: 'renamed' });
    const res = await call('PATCH', `/api/tasks/${task.id}`, operatorKey, { status: 'backlog', expected_version: 1 });
    expect(res.status).toBe(409);
    expect(errorOf(res.body).code).toBe('CONFLICT');
    expect(res.body.current).toMatchObject({ id: task.id, title: 'renamed', version: 2 });
  });

  it('answers 400 for an unknown status, 404 for an unknown task, 403 for a comment on another agent’s task', async () => {
    const key = await agentWithKey('http-commenter');
    const task = await newTask('not yours');
    const unknownStatus = await call('PATCH', `/api/tasks/${task.id}`, operatorKey, { status: 'doing' });
    expect(unknownStatus.status).toBe(400);
    expect(errorOf(unknownStatus.body).message).toMatch(/^status: must be one of inbox, backlog, todo, in_progress, review, done/);
    expect((await call('PATCH', '/api/tasks/99999', operatorKey, { status: 'todo' })).status).toBe(404);
    const comment = await call('POST', `/api/tasks/${task.id}/comments`, key, { body: 'hi' });
    expect(comment.status).toBe(403);
    const byOperator = await call('POST', `/api/tasks/${task.number}/comments`, operatorKey, { body: 'planned for friday' });
    expect(byOperator.status).toBe(201);
    expect(byOperator.body).toMatchObject({ body: 'planned for friday', actorType: 'apiKey' });
  });

  it('rejects a 1 MB description-sized comment body with 413', async () => {
    const task = await newTask('huge');
    const res = await call('POST', `/api/tasks/${task.id}/comments`, operatorKey, { body: 'x'.repeat(1_100_000) });
    expect(res.status).toBe(413);
  });
});

describe('GET /api/events for agents', () => {
  it("streams an agent key the events of its own tasks and not other agents' tasks", async () => {
    const key = await agentWithKey('http-listener');
    const listenerId = (await app.db.prisma.agent.findUniqueOrThrow({ where: { name: 'http-listener' } })).id;
    const controller = new AbortController();
    const res = await fetch(`${app.url}/api/events`, { headers: { authorization: `Bearer ${key}` }, signal: controller.signal });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    try {
      await newTask('someone else’s task');
      const mine = await newTask('for the listener', { assigneeAgentId: listenerId });
      while (!text.includes(mine.id)) {
        const chunk = await reader.read();
        if (chunk.done) break;
        text += decoder.decode(chunk.value, { stream: true });
      }
      expect(text).toMatch(/event: task\.created/);
      expect(text).toContain(mine.id);
      expect(text).not.toContain('someone else’s task');
    } finally {
      controller.abort();
    }
  });
});

describe('tRPC bad input', () => {
  it('rejects a 1 MB description (413 at the body limit) and a 60 KB one with the field limit, never a 500', async () => {
    const huge = await call('POST', '/trpc/tasks.create', operatorKey, { title: 'huge', description: 'x'.repeat(1_048_576) });
    expect(huge.status).toBe(413);
    expect(JSON.stringify(huge.body)).toContain('PAYLOAD_TOO_LARGE');
    const large = await call('POST', '/trpc/tasks.create', operatorKey, { title: 'large', description: 'x'.repeat(60_000) });
    expect(large.status).toBe(400);
    expect(JSON.stringify(large.body)).toMatch(/description: must be at most 50,000 characters/);
  });

  it('rejects a move into an unknown column with the allowed values', async () => {
    const task = await newTask('unknown column');
    const res = await call('POST', '/trpc/tasks.move', operatorKey, { id: task.id, status: 'doing' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/status: must be one of inbox, backlog, todo, in_progress, review, done/);
  });
});

describe('heartbeat work items', () => {
  it('lists the agent’s assigned open tasks in the heartbeat response', async () => {
    const key = await agentWithKey('http-beat');
    const task = await newTask('assigned by a person', { priority: 'critical', assigneeAgentId: (await app.db.prisma.agent.findUniqueOrThrow({ where: { name: 'http-beat' } })).id });
    const res = await call('POST', '/api/agents/http-beat/heartbeat', key, { status: 'idle' });
    expect(res.body.status).toBe('WORK_ITEMS_FOUND');
    expect(res.body.work_items).toEqual([{ type: 'assigned_tasks', items: [{ id: String(task.number), title: 'assigned by a person', status: 'todo', priority: 'critical' }] }]);
  });
});
