// PROTOCOL.md §1–5 and §8 over real HTTP: every route and every documented error.
import { createFakeClock } from '@mc/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.ts';

const clock = createFakeClock('2026-11-26T10:00:00Z');
let app: TestServer;
let operatorKey: string;
let viewerKey: string;

beforeAll(async () => {
  app = await startTestServer({ clock, env: { MC_RATE_LIMITS: '{"heartbeatPerAgentPerMin":500,"connectPerAgentPerMin":0,"tokensPerKeyPerMin":0}' } });
  operatorKey = await app.createApiKey('operator');
  viewerKey = await app.createApiKey('viewer');
});
afterAll(async () => {
  await app.close();
});

type Json = Record<string, unknown>;
async function call(method: string, path: string, body?: unknown, key: string | null = operatorKey, headers: Record<string, string> = {}) {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as Json };
}
const errorOf = (body: Json) => body.error as { code: string; message: string; details?: { path: string; message: string }[] };
const connect = (name: string, key: string | null = operatorKey) => call('POST', '/api/connect', { agent_name: name, tool_name: 'claude-code', tool_version: '2.1.3' }, key);
const beat = (name: string, body: unknown = {}, key: string | null = operatorKey) => call('POST', `/api/agents/${encodeURIComponent(name)}/heartbeat`, body, key);
const agentRow = (name: string) => app.db.prisma.agent.findUniqueOrThrow({ where: { name } });

describe('POST/DELETE /api/connect', () => {
  it('connects an agent, marks it online and answers the documented shape', async () => {
    const res = await connect('builder-1');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      agent_name: 'builder-1', status: 'connected', heartbeat_url: '/api/agents/builder-1/heartbeat', token_report_url: '/api/tokens',
      events_url: '/api/events', heartbeat_interval_s: 30,
    });
    expect(res.body.connection_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await agentRow('builder-1')).status).toBe('online');
  });

  it('supersedes the previous live connection, and goes offline when the last one disconnects', async () => {
    const first = await connect('builder-2');
    const second = await connect('builder-2');
    const old = await app.db.prisma.agentConnection.findUniqueOrThrow({ where: { id: String(first.body.connection_id) } });
    expect(old.endReason).toBe('superseded');
    const res = await call('DELETE', '/api/connect', { connection_id: second.body.connection_id });
    expect(res).toMatchObject({ status: 200, body: { status: 'disconnected', connection_id: second.body.connection_id } });
    expect((await agentRow('builder-2')).status).toBe('offline');
  });

  it('answers 404 for an unknown connection id and 400 for a malformed one', async () => {
    expect((await call('DELETE', '/api/connect', { connection_id: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
    const bad = await call('DELETE', '/api/connect', { connection_id: 'nope' });
    expect(bad.status).toBe(400);
    expect(errorOf(bad.body).details?.[0]?.path).toBe('connection_id');
  });

  it('rejects invalid agent names, including unicode and SQL-ish ones', async () => {
    for (const name of ['', '-leading-dash', 'has space', 'émile', "x'; DROP TABLE Agent;--", 'a'.repeat(64)]) {
      const res = await connect(name);
      expect(res.status, name).toBe(400);
      expect(errorOf(res.body).code).toBe('VALIDATION_FAILED');
      expect(errorOf(res.body).details?.[0]?.path).toBe('agent_name');
    }
  });

  it('answers 401 without a key and 403 for a viewer key', async () => {
    expect((await connect('x1', null)).status).toBe(401);
    expect((await connect('x1', viewerKey)).status).toBe(403);
  });
});

describe('POST /api/agents/register', () => {
  it('is idempotent: 201 the first time, 200 after', async () => {
    const first = await call('POST', '/api/agents/register', { name: 'reviewer', role: 'review', capabilities: ['review'], framework: 'custom' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ registered: true, agent: { name: 'reviewer', role: 'review' } });
    const again = await call('POST', '/api/agents/register', { name: 'reviewer' });
    expect(again.status).toBe(200);
    expect(again.body.registered).toBe(false);
  });
});

describe('POST /api/agents/{id|name}/heartbeat', () => {
  it('honours status and activity, by name and by id, and answers HEARTBEAT_OK', async () => {
    const { body } = await connect('hb-1');
    const res = await beat('hb-1', { connection_id: body.connection_id, status: 'busy', activity: 'running tests' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'HEARTBEAT_OK', agent: 'hb-1', token_recorded: 0, token_duplicates: 0, next_heartbeat_s: 30, work_items: [] });
    expect(await agentRow('hb-1')).toMatchObject({ status: 'busy', activity: 'running tests' });
    const byId = await beat(String(body.agent_id), { status: 'needs_input', activity: 'approve rm -rf?' });
    expect(byId.status).toBe(200);
    expect((await agentRow('hb-1')).status).toBe('needs_input');
  });

  it('accepts an empty body as a liveness ping (status idle)', async () => {
    await connect('hb-empty');
    const res = await fetch(`${app.url}/api/agents/hb-empty/heartbeat`, { method: 'POST', headers: { authorization: `Bearer ${operatorKey}` } });
    expect(res.status).toBe(200);
    expect((await agentRow('hb-empty')).status).toBe('idle');
  });

  it('writes activity rows only on status changes and publishes exactly one event per beat', async () => {
    const { body } = await connect('hb-quiet');
    const agentId = String(body.agent_id);
    const eventsBefore = await app.db.prisma.event.count({ where: { agentId } });
    for (let i = 0; i < 5; i++) await beat('hb-quiet', { status: 'busy', activity: `step ${i}` });
    await beat('hb-quiet', { status: 'idle' });
    const activity = await app.db.prisma.agentActivity.findMany({ where: { agentId }, orderBy: { id: 'asc' } });
    expect(activity.map((a) => a.toStatus)).toEqual(['online', 'busy', 'idle']);
    expect((await app.db.prisma.event.count({ where: { agentId } })) - eventsBefore).toBe(6);
  });

  it('answers 404 for an unknown agent (never 200 with an error body)', async () => {
    const res = await beat('ghost-agent', {});
    expect(res.status).toBe(404);
    expect(errorOf(res.body).code).toBe('NOT_FOUND');
    // A 3,000-character name is not echoed back whole.
    const long = await beat('g'.repeat(3000), {});
    expect(long.status).toBe(404);
    expect(errorOf(long.body).message).toBe(`Unknown agent ${'g'.repeat(80)}…; connect it first (POST /api/connect)`);
  });

  it('answers 403 when an mca_ key reports as another agent', async () => {
    const own = await call('POST', '/api/agents/register', { name: 'keyed-agent' });
    const other = await call('POST', '/api/agents/register', { name: 'other-agent' });
    const admin = await app.db.prisma.user.findFirstOrThrow({ where: { role: 'admin' } });
    const actor = { kind: 'user', userId: admin.id, username: admin.username, role: 'admin' } as const;
    const { secret } = await app.services.agents.createKey(actor, String((own.body.agent as Json).id), 'ci key', {});
    expect((await connect('keyed-agent', secret)).status).toBe(200);
    expect((await beat('keyed-agent', { status: 'busy' }, secret)).status).toBe(200);
    expect((await beat('other-agent', { status: 'busy' }, secret)).status).toBe(403);
    expect((await connect('other-agent', secret)).status).toBe(403);
    expect((await call('POST', '/api/tokens', { model: 'gpt-5', inputTokens: 1, outputTokens: 1, agent: 'other-agent' }, secret)).body).toMatchObject({ recorded: 1 });
    // ...recorded for the key's own agent, never for the named one.
    const otherId = String((other.body.agent as Json).id);
    expect(await app.db.prisma.usageRecord.count({ where: { agentId: otherId } })).toBe(0);
    expect((await beat('keyed-agent', { status: 'busy' }, secret)).status).toBe(200);
    const mismatch = await call('POST', '/api/agents/keyed-agent/heartbeat', {}, secret, { 'x-agent-name': 'other-agent' });
    expect(mismatch.status).toBe(403);
  });

  it('ends an agent key at once when its agent is removed, though key lookups are cached', async () => {
    const own = await call('POST', '/api/agents/register', { name: 'short-lived' });
    const agentId = String((own.body.agent as Json).id);
    const admin = await app.db.prisma.user.findFirstOrThrow({ where: { role: 'admin' } });
    const actor = { kind: 'user', userId: admin.id, username: admin.username, role: 'admin' } as const;
    const { secret } = await app.services.agents.createKey(actor, agentId, 'ci key', {});
    expect((await beat('short-lived', { status: 'busy' }, secret)).status).toBe(200);
    await app.services.agents.remove(actor, agentId, {});
    const after = await call('POST', '/api/connect', { agent_name: 'short-lived' }, secret);
    expect(after.status).toBe(401);
  });

  it('answers 400 per invalid field with its path', async () => {
    await connect('hb-bad');
    const cases: Array<[unknown, string]> = [
      [{ status: 'sleeping' }, 'status'],
      [{ activity: 'x'.repeat(201) }, 'activity'],
      [{ connection_id: 7 }, 'connection_id'],
      [{ token_usage: { model: 'gpt-5', inputTokens: -1, outputTokens: 0 } }, 'token_usage.inputTokens'],
      [{ token_usage: { model: 'gpt-5', inputTokens: 1.5, outputTokens: 0 } }, 'token_usage.inputTokens'],
      [{ token_usage: { model: 'gpt-5', inputTokens: 2_000_000_000, outputTokens: 0 } }, 'token_usage.inputTokens'],
      [{ token_usage: [{ model: 'gpt-5', inputTokens: '12', outputTokens: 0 }] }, 'token_usage.0.inputTokens'],
    ];
    for (const [body, path] of cases) {
      const res = await beat('hb-bad', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(errorOf(res.body).details?.map((d) => d.path), JSON.stringify(body)).toContain(path);
    }
  });

  it('answers 400 for malformed JSON and 415 for a non-JSON body', async () => {
    await connect('hb-json');
    const malformed = await call('POST', '/api/agents/hb-json/heartbeat', '{"status": "busy",');
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed.body).message).toMatch(/Malformed JSON/);
    const res = await fetch(`${app.url}/api/agents/hb-json/heartbeat`, { method: 'POST', headers: { authorization: `Bearer ${operatorKey}`, 'content-type': 'text/plain' }, body: 'status=busy' });
    expect(res.status).toBe(415);
  });

  it('answers 413 for a body over 1 MiB', async () => {
    await connect('hb-big');
    const res = await beat('hb-big', { activity: 'x', padding: 'y'.repeat(1_100_000) });
    expect(res.status).toBe(413);
    expect(errorOf(res.body).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('stores SQL-ish and unicode activity text verbatim and safely', async () => {
    await connect('hb-text');
    const activity = `'); DROP TABLE "Agent"; -- 🚀 ünïcödé`;
    expect((await beat('hb-text', { status: 'busy', activity })).status).toBe(200);
    expect((await agentRow('hb-text')).activity).toBe(activity);
  });

  it('loses nothing under 50 concurrent heartbeats to one agent', async () => {
    await connect('hb-burst');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => beat('hb-burst', { status: 'busy', token_usage: { id: `burst-${i}`, model: 'claude-sonnet-4-5', inputTokens: 10, outputTokens: 1 } })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    const agent = await agentRow('hb-burst');
    expect(await app.db.prisma.usageRecord.count({ where: { agentId: agent.id } })).toBe(50);
    expect(await app.db.prisma.event.count({ where: { agentId: agent.id, type: 'agent.updated' } })).toBe(51);
    // Written by the heartbeat worker thread, as in production (not the main-thread fallback).
    expect(app.services.agents.heartbeatThread()).toBe('worker');
  });
});

describe('usage: heartbeat-carried and POST /api/tokens', () => {
  it('records heartbeat usage with cost at write, and counts a retried record once', async () => {
    await connect('usage-1');
    const record = { id: 'cc:msg_01', model: 'claude-sonnet-4-5-20250929', inputTokens: 1000, outputTokens: 500, cacheReadTokens: 2000, cacheWriteTokens: 100 };
    const first = await beat('usage-1', { status: 'busy', token_usage: record });
    expect(first.body).toMatchObject({ token_recorded: 1, token_duplicates: 0 });
    const retry = await beat('usage-1', { status: 'busy', token_usage: [record] });
    expect(retry.body).toMatchObject({ token_recorded: 0, token_duplicates: 1 });
    const rows = await app.db.prisma.usageRecord.findMany({ where: { idempotencyKey: 'cc:msg_01' } });
    expect(rows).toHaveLength(1);
    // sonnet 4.5: $3 in, $15 out, $0.30 cache read, $3.75 cache write per MTok
    expect(rows[0]?.costNanos).toBe(1000n * 3000n + 500n * 15000n + 2000n * 300n + 100n * 3750n);
    expect(rows[0]).toMatchObject({ resolvedModel: 'claude-sonnet-4-5', provider: 'anthropic', priceVersion: '2026-11-26', tier: 'base' });
  });

  it('stores an unknown model unpriced: costUsd null and priced false, never $0', async () => {
    await connect('usage-2');
    const res = await call('POST', '/api/tokens', { records: [{ id: 'u1', model: 'glm-4.6', inputTokens: 100, outputTokens: 10, agent: 'usage-2' }] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ recorded: 1, duplicates: 0, records: [{ id: 'u1', costUsd: null, priced: false }] });
    const row = await app.db.prisma.usageRecord.findFirstOrThrow({ where: { idempotencyKey: 'u1' } });
    expect(row.costNanos).toBeNull();
  });

  it('accepts one record, an array, {records}, and the legacy anchor-style body', async () => {
    await connect('usage-3');
    const one = await call('POST', '/api/tokens', { model: 'gpt-5', inputTokens: 1, outputTokens: 1, agent: 'usage-3' });
    const many = await call('POST', '/api/tokens', [{ model: 'gpt-5', inputTokens: 1, outputTokens: 1, agent: 'usage-3' }, { model: 'gpt-5', inputTokens: 2, outputTokens: 2, agent: 'usage-3' }]);
    const legacy = await call('POST', '/api/tokens', { model: 'claude-opus-4-1', sessionId: 'usage-3:cli', inputTokens: 10, outputTokens: 5, operation: 'chat', duration: 1234, taskId: 17 });
    expect([one.body.recorded, many.body.recorded, legacy.body.recorded]).toEqual([1, 2, 1]);
    const legacyRow = await app.db.prisma.usageRecord.findFirstOrThrow({ where: { model: 'claude-opus-4-1' } });
    expect(legacyRow).toMatchObject({ taskId: '17', sessionKey: 'usage-3:cli' });
  });

  it('ignores unknown fields and rejects wrong types', async () => {
    await connect('usage-4');
    expect((await call('POST', '/api/tokens', { model: 'gpt-5', inputTokens: 1, outputTokens: 1, agent: 'usage-4', futureField: { x: 1 } })).status).toBe(200);
    const wrong = await call('POST', '/api/tokens', { model: 42, inputTokens: 1, outputTokens: 1, agent: 'usage-4' });
    expect(wrong.status).toBe(400);
    expect(errorOf(wrong.body).details?.some((d) => d.path.endsWith('model'))).toBe(true);
  });

  it('refuses 10,000-record bodies and writes nothing of a request with one bad record', async () => {
    await connect('usage-5');
    const huge = Array.from({ length: 10_000 }, (_, i) => ({ model: 'gpt-5', inputTokens: i, outputTokens: 1, agent: 'usage-5' }));
    const res = await call('POST', '/api/tokens', huge);
    expect([400, 413]).toContain(res.status);
    const before = await app.db.prisma.usageRecord.count();
    const mixed = await call('POST', '/api/tokens', [{ model: 'gpt-5', inputTokens: 1, outputTokens: 1, agent: 'usage-5' }, { model: 'gpt-5', inputTokens: 1, outputTokens: 1, agent: 'nobody-here' }]);
    expect(mixed.status).toBe(404);
    expect(await app.db.prisma.usageRecord.count()).toBe(before);
  });

  it('requires an agent for user keys', async () => {
    const res = await call('POST', '/api/tokens', { model: 'gpt-5', inputTokens: 1, outputTokens: 1 });
    expect(res.status).toBe(400);
    expect(errorOf(res.body).message).toMatch(/agent/);
  });
});

describe('rate limits (PROTOCOL.md §8)', () => {
  it('answers 429 with Retry-After past the heartbeat limit', async () => {
    const limited = await startTestServer({ env: { MC_RATE_LIMITS: '{"heartbeatPerAgentPerMin":3}' } });
    try {
      const key = await limited.createApiKey('operator');
      await fetch(`${limited.url}/api/connect`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ agent_name: 'rl' }) });
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${limited.url}/api/agents/rl/heartbeat`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get('retry-after');
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

describe('liveness (pushed, not polled)', () => {
  it('turns an agent offline after 3 missed intervals and back online on the next heartbeat', async () => {
    await connect('live-1');
    await beat('live-1', { status: 'busy' });
    clock.advanceBy(89_000);
    await app.services.agents.markOverdueOffline(); // what the 1 s ticker runs: not yet due
    expect((await agentRow('live-1')).status).toBe('busy');
    clock.advanceBy(2_000);
    await expect.poll(async () => (await agentRow('live-1')).status, { timeout: 5_000 }).toBe('offline');
    const offlineEvent = await app.db.prisma.event.findFirst({ where: { agentId: (await agentRow('live-1')).id }, orderBy: { id: 'desc' } });
    expect(JSON.parse(offlineEvent?.payload ?? '{}')).toMatchObject({ agent: { status: 'offline' }, statusChanged: true });
    await beat('live-1', { status: 'idle' });
    expect((await agentRow('live-1')).status).toBe('idle');
  });
});
