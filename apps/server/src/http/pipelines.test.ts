// Pipelines over real HTTP (issue #10): runs started by an API call, steps handed to agents through
// the PROTOCOL.md §6 work loop, the scheduler surviving a server restart, cron once per tick.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeClock } from '@mc/api';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.ts';

const ENV = { MC_RATE_LIMITS: '{"queuePerAgentPerMin":0,"heartbeatPerAgentPerMin":0,"connectPerAgentPerMin":0}' };
type Json = Record<string, unknown>;
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** One request on a fresh connection (no keep-alive socket survives a server restart). */
function call(app: TestServer, method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: Json }> {
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
const errorOf = (body: Json) => body.error as { code: string; message: string; details?: Array<{ path: string; message: string }> };
type RunView = { id: string; status: string; steps: Array<{ key: string; status: string; task: { id: string; number: number } | null; agent: { name: string | null } | null }> };

async function server(options: { dataDir?: string; clock?: ReturnType<typeof createFakeClock> } = {}) {
  const app = await startTestServer({ clock: options.clock ?? createFakeClock('2026-11-26T10:00:00Z'), env: ENV, ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
  const seeded = await app.db.prisma.user.findFirstOrThrow({ where: { role: 'admin' } });
  const admin = { kind: 'user', userId: seeded.id, username: seeded.username, role: 'admin' } as const;
  return { app, admin };
}
async function agentKey(app: TestServer, admin: { kind: 'user'; userId: string; username: string; role: 'admin' }, name: string) {
  const existing = await app.db.prisma.agent.findUnique({ where: { name } });
  const agent = existing ?? (await app.services.agents.register(admin, { name })).agent;
  return (await app.services.agents.createKey(admin, agent.id, `${name} key ${Date.now()}`, {})).secret;
}
const threeSteps = {
  name: 'ship',
  variables: [{ name: 'feature' }],
  steps: [
    { key: 'spec', title: 'Spec {{feature}}', agent: 'planner' },
    { key: 'implement', title: 'Implement {{feature}}', role: 'coder', dependsOn: ['spec'] },
    { key: 'review', title: 'Review {{feature}}', dependsOn: ['implement'], requiresApproval: true },
  ],
};

describe('a pipeline run driven by agents over HTTP', () => {
  it('starts from an API call and goes spec → implement → review (approved by an operator) → succeeded', async () => {
    const { app, admin } = await server();
    cleanups.push(() => app.close());
    const operatorKey = await app.createApiKey('operator');
    const planner = await agentKey(app, admin, 'planner');
    const coder = await agentKey(app, admin, 'coder-1');
    await app.db.prisma.agent.update({ where: { name: 'coder-1' }, data: { role: 'coder' } });
    const created = await call(app, 'POST', '/trpc/pipelines.templates.create', operatorKey, threeSteps);
    expect(created.status).toBe(200);

    const started = await call(app, 'POST', '/api/pipelines/ship/runs', operatorKey, { variables: { feature: 'export' } });
    expect(started.status).toBe(201);
    const run = (started.body as { run: RunView }).run;
    expect(run).toMatchObject({ status: 'running', trigger: 'api' });

    for (const [name, key] of [['planner', planner], ['coder-1', coder]] as const) {
      expect((await call(app, 'POST', '/api/connect', key, { agent_name: name, tool_name: 'claude-code' })).status).toBe(200);
    }
    // The coder gets nothing until the spec is done.
    expect((await call(app, 'GET', '/api/tasks/queue?agent=coder-1&max_capacity=1', coder)).body).toMatchObject({ task: null, reason: 'no_tasks_available' });
    const spec = await call(app, 'GET', '/api/tasks/queue?agent=planner&max_capacity=1', planner);
    expect(spec.body).toMatchObject({ reason: 'assigned', task: { title: 'Spec export', status: 'in_progress' } });
    const specId = (spec.body.task as { id: string }).id;
    expect((await call(app, 'PATCH', `/api/tasks/${specId}`, planner, { status: 'review', comment: 'spec attached' })).status).toBe(200);

    await expect.poll(async () => (await call(app, 'GET', '/api/tasks/queue?agent=coder-1&max_capacity=1', coder)).body.task, { timeout: 10_000 })
      .toMatchObject({ title: 'Implement export', status: 'in_progress' });
    const implId = ((await call(app, 'GET', '/api/tasks/queue?agent=coder-1&max_capacity=1', coder)).body.task as { id: string }).id;
    expect((await call(app, 'POST', `/api/tasks/${implId}/comments`, coder, { body: 'PR #12' })).status).toBe(201);
    expect((await call(app, 'PATCH', `/api/tasks/${implId}`, coder, { status: 'review', outcome: 'success' })).status).toBe(200);

    const review = await vi_waitForTask(app, coder, 'coder-1', 'Review export');
    expect((await call(app, 'PATCH', `/api/tasks/${review}`, coder, { status: 'review' })).status).toBe(200);
    await expect.poll(async () => (await app.services.pipelines.getRun(run.id)).status, { timeout: 10_000 }).toBe('waiting_approval');
    // Done is a person's decision for an approval step.
    expect((await call(app, 'PATCH', `/api/tasks/${review}`, coder, { status: 'done' })).status).toBe(403);
    expect((await call(app, 'PATCH', `/api/tasks/${review}`, operatorKey, { status: 'done' })).status).toBe(200);
    await expect.poll(async () => (await app.services.pipelines.getRun(run.id)).status, { timeout: 10_000 }).toBe('succeeded');
    const view = await app.services.pipelines.getRun(run.id);
    expect(view.steps.map((s) => [s.key, s.status, s.agent?.name])).toEqual([['spec', 'succeeded', 'planner'], ['implement', 'succeeded', 'coder-1'], ['review', 'succeeded', 'coder-1']]);
    const types = (await app.db.prisma.event.findMany({ where: { type: { startsWith: 'pipeline.' } }, orderBy: { id: 'asc' } })).map((e) => e.type);
    expect(types.filter((t) => t !== 'pipeline.step.updated' && t !== 'pipeline.run.updated')).toEqual([
      'pipeline.run.started', 'pipeline.step.completed', 'pipeline.step.completed', 'pipeline.step.completed', 'pipeline.run.completed',
    ]);
  });

  it('answers clear errors: 1,000 steps, a cycle, missing variables, unknown template, viewer key', async () => {
    const { app, admin } = await server();
    cleanups.push(() => app.close());
    const operatorKey = await app.createApiKey('operator');
    const viewerKey = await app.createApiKey('viewer');
    await agentKey(app, admin, 'planner');
    const huge = await call(app, 'POST', '/trpc/pipelines.templates.create', operatorKey, { name: 'huge', steps: Array.from({ length: 1000 }, (_, i) => ({ key: `s${i}`, title: 'x' })) });
    expect(huge.status).toBe(400);
    expect(JSON.stringify(huge.body)).toContain('at most 200 steps per template');
    const cycle = await call(app, 'POST', '/trpc/pipelines.templates.create', operatorKey, { name: 'loop', steps: [{ key: 'a', title: 'A', dependsOn: ['b'] }, { key: 'b', title: 'B', dependsOn: ['a'] }] });
    expect(cycle.status).toBe(400);
    expect(JSON.stringify(cycle.body)).toContain('form a cycle');
    expect((await call(app, 'POST', '/trpc/pipelines.templates.create', operatorKey, threeSteps)).status).toBe(200);
    const missing = await call(app, 'POST', '/api/pipelines/ship/runs', operatorKey, { variables: { other: 'x' } });
    expect(missing.status).toBe(400);
    expect(errorOf(missing.body)).toMatchObject({ code: 'VALIDATION_FAILED', message: 'missing variables: feature; unknown variables: other' });
    expect((await call(app, 'POST', '/api/pipelines/nope/runs', operatorKey, { variables: {} })).status).toBe(404);
    expect((await call(app, 'POST', '/api/pipelines/ship/runs', viewerKey, { variables: { feature: 'x' } })).status).toBe(403);
    expect((await call(app, 'POST', '/api/pipelines/ship/runs', operatorKey, { variables: { feature: 'x'.repeat(10_241) } })).status).toBe(400);
    expect(await app.db.prisma.pipelineRun.count()).toBe(0);
    expect(await app.db.prisma.task.count()).toBe(0);
  });
});

async function vi_waitForTask(app: TestServer, key: string, agent: string, title: string): Promise<string> {
  let id = '';
  await expect.poll(async () => {
    const body = (await call(app, 'GET', `/api/tasks/queue?agent=${agent}&max_capacity=1`, key)).body;
    const task = body.task as { id: string; title: string } | null;
    id = task?.id ?? '';
    return task?.title;
  }, { timeout: 10_000 }).toBe(title);
  return id;
}

describe('pipelines across a server restart', () => {
  it('loses nothing mid-run: the restarted server reconciles and keeps scheduling', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mc-pipelines-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const clock = createFakeClock('2026-11-26T10:00:00Z');
    let { app, admin } = await server({ dataDir, clock });
    const operatorKey = await app.createApiKey('operator');
    const planner = await agentKey(app, admin, 'planner');
    await app.db.prisma.agent.update({ where: { name: 'planner' }, data: { role: 'coder' } });
    await call(app, 'POST', '/trpc/pipelines.templates.create', operatorKey, threeSteps);
    const run = ((await call(app, 'POST', '/api/pipelines/ship/runs', operatorKey, { variables: { feature: 'sync' } })).body as { run: RunView }).run;
    const specId = ((await call(app, 'GET', '/api/tasks/queue?agent=planner&max_capacity=1', planner)).body.task as { id: string }).id;
    // The spec is finished while the server is going down: written, but never seen by the scheduler.
    await app.close();
    const { default: BetterSqlite3 } = await import('better-sqlite3');
    const raw = new BetterSqlite3(join(dataDir, 'mission-control.db'));
    raw.prepare(`UPDATE "Task" SET status = 'done', outcome = 'success', completedAt = updatedAt WHERE id = ?`).run(specId);
    raw.close();

    ({ app, admin } = await server({ dataDir, clock }));
    cleanups.push(() => app.close());
    await expect.poll(async () => (await app.services.pipelines.getRun(run.id)).steps.map((s) => s.status), { timeout: 10_000 }).toEqual(['succeeded', 'ready', 'pending']);
    const key = await agentKey(app, admin, 'planner');
    const implId = await vi_waitForTask(app, key, 'planner', 'Implement sync');
    expect((await call(app, 'PATCH', `/api/tasks/${implId}`, key, { status: 'review' })).status).toBe(200);
    await expect.poll(async () => (await app.services.pipelines.getRun(run.id)).steps[2]?.status, { timeout: 10_000 }).toBe('ready');
    expect(await app.db.prisma.task.count()).toBe(3);
  });

  it('fires a cron-triggered run once per schedule tick, even across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mc-pipelines-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const clock = createFakeClock('2026-11-26T10:00:00Z');
    let { app } = await server({ dataDir, clock });
    const operatorKey = await app.createApiKey('operator');
    const created = await call(app, 'POST', '/trpc/pipelines.templates.create', operatorKey, {
      name: 'nightly', steps: [{ key: 'triage', title: 'Triage' }], schedule: { cron: '*/5 * * * *', timeZone: 'Europe/Berlin', enabled: true },
    });
    expect(created.status).toBe(200);
    clock.set('2026-11-26T10:05:30Z');
    await app.services.pipelines.tick();
    await app.services.pipelines.tick();
    const runs = () => app.db.prisma.pipelineRun.findMany({ orderBy: { scheduledFor: 'asc' } });
    expect((await runs()).map((r) => [r.trigger, r.scheduledFor?.toISOString()])).toEqual([['schedule', '2026-11-26T10:05:00.000Z']]);
    await app.close();
    // As if the server had crashed before remembering the next tick: the tick's run is still unique.
    const { default: BetterSqlite3 } = await import('better-sqlite3');
    const raw = new BetterSqlite3(join(dataDir, 'mission-control.db'));
    raw.prepare(`UPDATE "PipelineTemplate" SET nextRunAt = '2026-11-26T10:05:00.000+00:00'`).run();
    raw.close();

    ({ app } = await server({ dataDir, clock }));
    cleanups.push(() => app.close());
    await app.services.pipelines.tick();
    expect(await runs()).toHaveLength(1);
    clock.set('2026-11-26T10:10:01Z');
    await app.services.pipelines.tick();
    expect((await runs()).map((r) => r.scheduledFor?.toISOString())).toEqual(['2026-11-26T10:05:00.000Z', '2026-11-26T10:10:00.000Z']);
    expect(await app.db.prisma.task.count()).toBe(2);
  });
});
