// connectAgent / createAgent against a real server: connect, heartbeats, status, typed errors, restarts.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  AuthenticationError,
  ConfigurationError,
  connectAgent,
  createAgent,
  type MissionControlError,
  ServerUnreachableError,
  UnknownAgentError,
} from '../src/index.ts';
import { agentRow, closeAfterTest, createDataDir, createRecordingFetch, freePort, jsonResponse, revokeKey, type SdkTestServer, startSdkTestServer } from './support/server.ts';

let server: SdkTestServer;
beforeAll(async () => {
  server = await startSdkTestServer();
});
afterAll(async () => {
  await server.close();
});

const FAST_RETRY = { baseDelayMs: 20, maxDelayMs: 200 };

describe('connectAgent', () => {
  it('connects, shows the agent with its tool and role, and sends status changes at once', async () => {
    const agent = await connectAgent({ url: server.url, apiKey: server.operatorKey, name: 'sdk-connect', role: 'coder', tool: { name: 'claude-code', version: '2.1.3' } });
    closeAfterTest(agent);
    const row = await agentRow(server, 'sdk-connect');
    expect(agent.agentId).toBe(row?.id);
    expect(row).toMatchObject({ toolName: 'claude-code', toolVersion: '2.1.3', role: 'coder' });
    await agent.setStatus('busy', 'running tests');
    expect(await agentRow(server, 'sdk-connect')).toMatchObject({ status: 'busy', activity: 'running tests' });
    await agent.setStatus('needs_input', 'approve the migration?');
    expect(await agentRow(server, 'sdk-connect')).toMatchObject({ status: 'needs_input', activity: 'approve the migration?' });
  });

  it("heartbeats on the server's interval, not faster", async () => {
    const recording = createRecordingFetch();
    const agent = await connectAgent({ url: server.url, apiKey: server.operatorKey, name: 'sdk-beats', fetch: recording.fetch });
    closeAfterTest(agent);
    const beats = () => recording.calls.filter((call) => call.path === '/api/agents/sdk-beats/heartbeat');
    await expect.poll(() => beats().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
    // The first beat follows the connect at once; then the server's 1 s interval, ±10 % jitter.
    const gaps = beats().slice(1, 4).map((beat, i) => beat.at - (beats()[i]?.at ?? 0));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(880);
    expect(agent.stats().failedHeartbeats).toBe(0);
  });

  it('throws AuthenticationError that says to fix MC_API_KEY for an unknown key', async () => {
    const attempt = connectAgent({ url: server.url, apiKey: 'mc_not-a-real-key', name: 'sdk-badkey' });
    await expect(attempt).rejects.toBeInstanceOf(AuthenticationError);
    await expect(attempt).rejects.toThrow(/MC_API_KEY/);
  });

  it('throws ServerUnreachableError naming the URL when nothing listens', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const attempt = connectAgent({ url, apiKey: server.operatorKey, name: 'sdk-nobody', connectTimeoutMs: 400, retry: FAST_RETRY });
    await expect(attempt).rejects.toBeInstanceOf(ServerUnreachableError);
    await expect(attempt).rejects.toThrow(/ECONNREFUSED.*MC_URL/);
  });

  it('refuses an invalid agent name before any request', () => {
    expect(() => createAgent({ url: server.url, apiKey: server.operatorKey, name: 'has space' })).toThrow(ConfigurationError);
    expect(() => createAgent({ url: 'localhost:3200', apiKey: server.operatorKey, name: 'ok' })).toThrow(/not a URL|http/);
  });
});

describe('staying connected', () => {
  it('connects when a server that was down at start comes up', async () => {
    const port = await freePort();
    const agent = createAgent({ url: `http://127.0.0.1:${port}`, apiKey: 'placeholder', name: 'sdk-late', retry: FAST_RETRY });
    closeAfterTest(agent, 0);
    await expect.poll(() => agent.stats().connects === 0 && agent.state === 'connecting').toBe(true);
    const late = await startSdkTestServer({ port });
    onTestFinished(() => late.close());
    // The placeholder key is unknown to the new server: the agent stops with a typed error.
    await expect(agent.ready()).rejects.toBeInstanceOf(AuthenticationError);
    expect(agent.state).toBe('failed');
  });

  it('resumes heartbeats after the server restarts on the same data dir', async () => {
    const data = createDataDir();
    onTestFinished(() => data.remove());
    const first = await startSdkTestServer({ dataDir: data.dir });
    const agent = await connectAgent({ url: first.url, apiKey: first.operatorKey, name: 'sdk-restart', retry: FAST_RETRY });
    closeAfterTest(agent, 0);
    await agent.setStatus('busy', 'long job');
    await first.close();
    await expect.poll(() => agent.state, { timeout: 5_000 }).toBe('reconnecting');
    const second = await startSdkTestServer({ dataDir: data.dir, port: first.port });
    onTestFinished(() => second.close());
    await expect.poll(() => agent.stats().connects, { timeout: 10_000 }).toBe(2);
    await expect.poll(async () => (await agentRow(second, 'sdk-restart'))?.status, { timeout: 5_000 }).toBe('busy');
    expect(agent.state).toBe('connected');
  });

  it('re-creates an agent the server forgot (404) by connecting again', async () => {
    const agent = await connectAgent({ url: server.url, apiKey: server.operatorKey, name: 'sdk-forgotten', retry: FAST_RETRY });
    closeAfterTest(agent);
    const admin = await server.db.prisma.user.findFirstOrThrow({ where: { role: 'admin' } });
    await server.services.agents.remove({ kind: 'user', userId: admin.id, username: admin.username, role: 'admin' }, agent.agentId ?? '', {});
    await agent.setStatus('busy');
    await expect.poll(() => agent.stats().connects, { timeout: 5_000 }).toBe(2);
    await expect.poll(async () => (await agentRow(server, 'sdk-forgotten'))?.status, { timeout: 5_000 }).toBe('busy');
  });

  it('passes work items of heartbeat responses to work listeners', async () => {
    server.services.agents.addWorkItemSource(async (agent) =>
      agent.name === 'sdk-worker' ? { type: 'notifications', items: [{ id: 'n1', text: 'review requested' }] } : null,
    );
    const agent = await connectAgent({ url: server.url, apiKey: server.operatorKey, name: 'sdk-worker' });
    closeAfterTest(agent);
    const received: unknown[] = [];
    agent.on('work', (groups) => received.push(...groups));
    await agent.setStatus('idle');
    expect(received).toContainEqual({ type: 'notifications', items: [{ id: 'n1', text: 'review requested' }] });
  });

  it('stops with AuthenticationError when its key is revoked mid-run', async () => {
    const key = await server.createApiKey('operator');
    const agent = await connectAgent({ url: server.url, apiKey: key, name: 'sdk-revoked' });
    closeAfterTest(agent, 0);
    const errors: MissionControlError[] = [];
    agent.on('error', (error) => errors.push(error));
    await revokeKey(server, key);
    await agent.setStatus('busy');
    expect(errors[0]).toBeInstanceOf(AuthenticationError);
    expect(agent.state).toBe('failed');
    await agent.setStatus('idle'); // no request any more, and no throw
    expect(errors).toHaveLength(1);
  });
});

describe('task queue (PROTOCOL.md §6)', () => {
  it('claims a task from the live queue, comments, and hands it to review', async () => {
    const admin = await server.db.prisma.user.findFirstOrThrow({ where: { role: 'admin' } });
    const actor = { kind: 'user', userId: admin.id, username: admin.username, role: 'admin' } as const;
    const created = await server.services.tasks.create(actor, { title: 'Live queue task', status: 'todo', priority: 'critical' });
    const agent = await connectAgent({ url: server.url, apiKey: server.operatorKey, name: 'sdk-live-tasks' });
    closeAfterTest(agent);
    const claimed = await agent.nextTask();
    expect(claimed).toMatchObject({ reason: 'assigned', task: { id: created.id, title: 'Live queue task', status: 'in_progress' } });
    await agent.comment(claimed.task?.id ?? '', 'on it');
    const moved = await agent.updateTask(claimed.task?.id ?? '', { status: 'review', comment: 'done, please review', outcome: 'success' });
    expect(moved.task).toMatchObject({ id: created.id, status: 'review' });
    expect(await agent.nextTask()).toMatchObject({ task: null, reason: 'no_tasks_available' });
  });

  it('claims, updates and comments with the documented requests, and attributes usage to the claimed task', async () => {
    const stub = createRecordingFetch(({ method, path }) => {
      if (path === '/api/connect') return jsonResponse(200, { connection_id: '11111111-1111-4111-8111-111111111111', agent_id: 'a1', agent_name: 'sdk-tasks', status: 'connected', heartbeat_interval_s: 30 });
      if (path.endsWith('/heartbeat')) return jsonResponse(200, { status: 'HEARTBEAT_OK', agent: 'sdk-tasks', checked_at: '', token_recorded: 0, token_duplicates: 0, next_heartbeat_s: 30, work_items: [] });
      if (path === '/api/tasks/queue') return jsonResponse(200, { task: { id: '17', title: 'Fix login', status: 'in_progress', priority: 'high' }, reason: 'assigned' });
      if (method === 'PATCH' && path === '/api/tasks/17') return jsonResponse(200, { task: { id: '17', status: 'review' } });
      if (method === 'POST' && path === '/api/tasks/17/comments') return jsonResponse(201, { comment: { id: 'c1' } });
      if (path === '/api/tokens') return jsonResponse(200, { recorded: 1, duplicates: 0, records: [] });
      return jsonResponse(404, { error: { code: 'NOT_FOUND', message: `No route ${method} ${path}` } });
    });
    const agent = await connectAgent({ url: 'http://mc.test', apiKey: 'mc_stub', name: 'sdk-tasks', fetch: stub.fetch });
    closeAfterTest(agent);
    const claimed = await agent.nextTask();
    expect(claimed).toEqual({ task: { id: '17', title: 'Fix login', status: 'in_progress', priority: 'high' }, reason: 'assigned' });
    await agent.setStatus('busy', 'fixing login');
    agent.reportUsage({ model: 'gpt-5', inputTokens: 10, outputTokens: 2 });
    await agent.flush();
    await agent.comment(17, 'found it');
    await agent.updateTask(17, { status: 'review', comment: 'ready', outcome: 'success' });

    const byPath = (method: string, prefix: string) => stub.calls.filter((call) => call.method === method && call.path.startsWith(prefix));
    expect(byPath('GET', '/api/tasks/queue')[0]?.path).toBe('/api/tasks/queue?agent=sdk-tasks&max_capacity=1');
    expect(byPath('POST', '/api/agents/sdk-tasks/heartbeat').at(-1)?.body).toMatchObject({ status: 'busy', activity: 'fixing login', task_id: '17' });
    expect(byPath('POST', '/api/tokens')[0]?.body).toMatchObject({ records: [{ model: 'gpt-5', taskId: '17', agent: 'sdk-tasks' }] });
    expect(byPath('POST', '/api/tasks/17/comments')[0]?.body).toEqual({ body: 'found it' });
    expect(byPath('PATCH', '/api/tasks/17')[0]?.body).toEqual({ status: 'review', comment: 'ready', outcome: 'success' });
  });

  it('throws UnknownAgentError when the queue does not know the agent, and NotFoundError naming an older server', async () => {
    let queueAnswer = jsonResponse(404, { error: { code: 'NOT_FOUND', message: 'Unknown agent sdk-ghost; connect it first (POST /api/connect)' } });
    const stub = createRecordingFetch(({ path }) => {
      if (path === '/api/connect') return jsonResponse(200, { connection_id: '11111111-1111-4111-8111-111111111111', agent_id: 'a1', agent_name: 'sdk-ghost', status: 'connected', heartbeat_interval_s: 30 });
      if (path.endsWith('/heartbeat')) return jsonResponse(200, { status: 'HEARTBEAT_OK', agent: 'sdk-ghost', checked_at: '', token_recorded: 0, token_duplicates: 0, next_heartbeat_s: 30, work_items: [] });
      return queueAnswer;
    });
    const agent = await connectAgent({ url: 'http://mc.test', apiKey: 'mc_stub', name: 'sdk-ghost', fetch: stub.fetch });
    closeAfterTest(agent);
    await expect(agent.nextTask()).rejects.toBeInstanceOf(UnknownAgentError);
    queueAnswer = jsonResponse(404, { error: { code: 'NOT_FOUND', message: 'No route GET /api/tasks/queue' } });
    await expect(agent.nextTask()).rejects.toThrow(/has no GET \/api\/tasks\/queue.*upgrade the server/);
  });
});
