// reportUsage against a real server: batching, cost at write, idempotent retries (lost responses, 5xx,
// 429 Retry-After), the bounded queue and the on-disk spool across outages, restarts and closed agents.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createFakeClock } from '../../api/src/clock.ts';
import { AuthenticationError, connectAgent, createAgent, type MissionControlError, RateLimitedError, ValidationError } from '../src/index.ts';
import {
  closeAfterTest,
  createDataDir,
  createRecordingFetch,
  createTempDir,
  type FetchCall,
  freePort,
  jsonResponse,
  revokeKey,
  type SdkTestServer,
  startSdkTestServer,
  usageRows,
} from './support/server.ts';

let server: SdkTestServer;
beforeAll(async () => {
  server = await startSdkTestServer();
});
afterAll(async () => {
  await server.close();
});

const FAST_RETRY = { baseDelayMs: 20, maxDelayMs: 200 };
const SONNET = { model: 'claude-sonnet-4-5-20250929', inputTokens: 1000, outputTokens: 500, cacheReadTokens: 2000, cacheWriteTokens: 100 };
// claude-sonnet-4-5, nano-USD per token: $3 in, $15 out, $0.30 cache read, $3.75 cache write per MTok.
const SONNET_COST_NANOS = 1000n * 3000n + 500n * 15000n + 2000n * 300n + 100n * 3750n;

const tokenPosts = (calls: FetchCall[]) => calls.filter((call) => call.method === 'POST' && call.path === '/api/tokens');
const spoolFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.jsonl'));

describe('reportUsage', () => {
  it('sends records reported together in one request and the server prices them at write', async () => {
    const recording = createRecordingFetch();
    const agent = await connectAgent({ url: server.url, apiKey: server.operatorKey, name: 'usage-batch', fetch: recording.fetch });
    closeAfterTest(agent);
    agent.reportUsage([{ ...SONNET, id: 'b-1' }, { ...SONNET, id: 'b-2' }]);
    agent.reportUsage({ ...SONNET, id: 'b-3', sessionId: 's-1', occurredAt: new Date('2026-01-02T03:04:05Z') });
    const stats = await agent.flush();
    expect(stats).toMatchObject({ queued: 0, recorded: 3, duplicates: 0 });
    expect(tokenPosts(recording.calls)).toHaveLength(1);
    const rows = await usageRows(server, 'usage-batch');
    expect(rows.map((row) => [row.idempotencyKey, row.costNanos])).toEqual([
      ['b-1', SONNET_COST_NANOS],
      ['b-2', SONNET_COST_NANOS],
      ['b-3', SONNET_COST_NANOS],
    ]);
    expect(rows[2]?.occurredAt.toISOString()).toBe('2026-01-02T03:04:05.000Z');
  });

  it('counts a record reported twice once, by its id', async () => {
    const agent = await connectAgent({ url: server.url, apiKey: server.operatorKey, name: 'usage-twice' });
    closeAfterTest(agent);
    agent.reportUsage({ ...SONNET, id: 'cc:msg_twice' });
    await agent.flush();
    agent.reportUsage({ ...SONNET, id: 'cc:msg_twice' });
    expect(await agent.flush()).toMatchObject({ recorded: 1, duplicates: 1 });
    expect(await usageRows(server, 'usage-twice')).toHaveLength(1);
  });

  it('retries a request whose response was lost under the same ids, so it counts once', async () => {
    // The first POST reaches the server and is written, but the answer never arrives.
    const recording = createRecordingFetch();
    let lost = false;
    const losingFetch = async (input: string, init: RequestInit) => {
      const response = await recording.fetch(input, init);
      if (!lost && new URL(input).pathname === '/api/tokens') {
        lost = true;
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
      }
      return response;
    };
    const agent = await connectAgent({ url: server.url, apiKey: server.operatorKey, name: 'usage-lost', fetch: losingFetch, retry: FAST_RETRY });
    closeAfterTest(agent);
    agent.reportUsage([SONNET, SONNET]); // no ids given: the SDK assigns them once, before the first try
    expect(await agent.flush()).toMatchObject({ queued: 0, recorded: 0, duplicates: 2 });
    expect(tokenPosts(recording.calls)).toHaveLength(2);
    expect(await usageRows(server, 'usage-lost')).toHaveLength(2);
  });

  it('rides out a burst of 5xx answers with backoff and delivers once', async () => {
    const recording = createRecordingFetch(({ path, index }) =>
      path === '/api/tokens' && index < 3 ? jsonResponse(503, { error: { code: 'INTERNAL', message: 'overloaded' } }) : null,
    );
    const agent = await connectAgent({ url: server.url, apiKey: server.operatorKey, name: 'usage-5xx', fetch: recording.fetch, retry: FAST_RETRY });
    closeAfterTest(agent);
    const errors: MissionControlError[] = [];
    agent.on('error', (error) => errors.push(error));
    agent.reportUsage([{ ...SONNET, id: 'x-1' }, { ...SONNET, id: 'x-2' }]);
    expect(await agent.flush()).toMatchObject({ queued: 0, recorded: 2, duplicates: 0 });
    expect(tokenPosts(recording.calls).map((call) => call.status)).toEqual([503, 503, 503, 200]);
    expect(errors.map((error) => [error.name, error.retryable])).toEqual(Array(3).fill(['ServerError', true]));
    expect(await usageRows(server, 'usage-5xx')).toHaveLength(2);
  });

  it('waits the Retry-After of a 429 before trying again', async () => {
    const recording = createRecordingFetch(({ path, index }) =>
      path === '/api/tokens' && index === 0 ? jsonResponse(429, { error: { code: 'RATE_LIMITED', message: 'Too many requests; retry in 1 s' } }, { 'retry-after': '1' }) : null,
    );
    const agent = await connectAgent({ url: server.url, apiKey: server.operatorKey, name: 'usage-429', fetch: recording.fetch, retry: FAST_RETRY });
    closeAfterTest(agent);
    agent.reportUsage({ ...SONNET, id: 'rl-1' });
    expect(await agent.flush()).toMatchObject({ recorded: 1 });
    const [limited, retried] = tokenPosts(recording.calls);
    expect([limited?.status, retried?.status]).toEqual([429, 200]);
    expect((retried?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
  });

  it("honours the server's own 429 and its Retry-After, and delivers once", async () => {
    // The server's limiter runs on a fake clock: 1 request per minute, and 59 s of it already gone.
    const clock = createFakeClock(new Date());
    const limited = await startSdkTestServer({ clock, env: { MC_RATE_LIMITS: '{"tokensPerKeyPerMin":1}' } });
    onTestFinished(() => limited.close());
    const recording = createRecordingFetch();
    const agent = await connectAgent({ url: limited.url, apiKey: limited.operatorKey, name: 'usage-real-429', fetch: recording.fetch, retry: FAST_RETRY });
    closeAfterTest(agent);
    agent.reportUsage({ ...SONNET, id: 'real-1' });
    await agent.flush();
    clock.advanceBy(59_000);
    const limits: RateLimitedError[] = [];
    agent.on('error', (error) => {
      if (!(error instanceof RateLimitedError)) return;
      limits.push(error);
      clock.advanceBy(2_000); // the window the server named is over by the retry
    });
    agent.reportUsage({ ...SONNET, id: 'real-2' });
    expect(await agent.flush(15_000)).toMatchObject({ queued: 0, recorded: 2 });
    expect(limits.map((error) => error.retryAfterMs)).toEqual([1_000]);
    const [, limitedPost, retried] = tokenPosts(recording.calls);
    expect([limitedPost?.status, retried?.status]).toEqual([429, 200]);
    expect((retried?.at ?? 0) - (limitedPost?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
    expect((await usageRows(limited, 'usage-real-429')).map((row) => row.idempotencyKey)).toEqual(['real-1', 'real-2']);
  });

  it('throws ValidationError at the call site for a malformed record, naming the field', async () => {
    const agent = await connectAgent({ url: server.url, apiKey: server.operatorKey, name: 'usage-invalid' });
    closeAfterTest(agent);
    expect(() => agent.reportUsage([SONNET, { model: 'gpt-5', inputTokens: 1.5, outputTokens: 0 }])).toThrow(ValidationError);
    expect(() => agent.reportUsage({ model: '', inputTokens: 1, outputTokens: 0 })).toThrow(/0\.model/);
    expect(await agent.flush()).toMatchObject({ queued: 0, recorded: 0 }); // all or nothing: SONNET was not queued
  });

  it('delivers what is queued when closed', async () => {
    const agent = await connectAgent({ url: server.url, apiKey: server.operatorKey, name: 'usage-close', batchDelayMs: 60_000 });
    agent.reportUsage({ ...SONNET, id: 'close-1' });
    const stats = await agent.close();
    expect(stats.usage).toMatchObject({ queued: 0, recorded: 1 });
    expect(await usageRows(server, 'usage-close')).toHaveLength(1);
    expect((await server.db.prisma.agent.findUniqueOrThrow({ where: { name: 'usage-close' } })).status).toBe('offline');
  });
});

describe('spool', () => {
  it('keeps usage on disk through a server outage and delivers it once when the server is back', async () => {
    const data = createDataDir();
    const spool = createTempDir('mc-spool-');
    onTestFinished(() => {
      data.remove();
      spool.remove();
    });
    const first = await startSdkTestServer({ dataDir: data.dir });
    const agent = await connectAgent({ url: first.url, apiKey: first.operatorKey, name: 'spool-outage', spoolDir: spool.dir, retry: FAST_RETRY });
    closeAfterTest(agent, 0);
    await first.close();
    agent.reportUsage([{ ...SONNET, id: 'o-1' }, { ...SONNET, id: 'o-2' }, { ...SONNET, id: 'o-3' }]);
    const [segment] = spoolFiles(spool.dir);
    expect(readFileSync(join(spool.dir, segment ?? ''), 'utf8').trim().split('\n').map((line) => JSON.parse(line).id)).toEqual(['o-1', 'o-2', 'o-3']);
    await expect.poll(() => agent.stats().state, { timeout: 5_000 }).toBe('reconnecting');

    const second = await startSdkTestServer({ dataDir: data.dir, port: first.port });
    onTestFinished(() => second.close());
    await expect.poll(() => agent.stats().usage.recorded, { timeout: 10_000 }).toBe(3);
    expect((await usageRows(second, 'spool-outage')).map((row) => row.idempotencyKey)).toEqual(['o-1', 'o-2', 'o-3']);
    expect(agent.stats().usage.duplicates).toBe(0);
    expect(spoolFiles(spool.dir)).toEqual([]);
  });

  it("hands a closed agent's undelivered usage to the next agent on the same spool", async () => {
    const spool = createTempDir('mc-spool-');
    onTestFinished(() => spool.remove());
    const port = await freePort();
    const offline = createAgent({ url: `http://127.0.0.1:${port}`, apiKey: server.operatorKey, name: 'spool-handover', spoolDir: spool.dir, retry: FAST_RETRY });
    offline.reportUsage([{ ...SONNET, id: 'h-1' }, { ...SONNET, id: 'h-2' }]);
    expect((await offline.close({ timeoutMs: 50 })).usage).toMatchObject({ queued: 2, recorded: 0 });
    expect(spoolFiles(spool.dir)).toEqual([expect.stringMatching(/^released-/)]);

    const next = await connectAgent({ url: server.url, apiKey: server.operatorKey, name: 'spool-handover', spoolDir: spool.dir });
    closeAfterTest(next);
    await expect.poll(() => next.stats().usage.recorded, { timeout: 5_000 }).toBe(2);
    expect((await usageRows(server, 'spool-handover')).map((row) => row.idempotencyKey)).toEqual(['h-1', 'h-2']);
    await expect.poll(() => spoolFiles(spool.dir)).toEqual([]);
  });

  it('bounds memory: past maxQueuedRecords the oldest wait on disk and are still delivered', async () => {
    const spool = createTempDir('mc-spool-');
    onTestFinished(() => spool.remove());
    const port = await freePort();
    const agent = createAgent({ url: `http://127.0.0.1:${port}`, apiKey: server.operatorKey, name: 'spool-bounded', spoolDir: spool.dir, maxQueuedRecords: 5, retry: FAST_RETRY });
    closeAfterTest(agent, 0);
    const errors: MissionControlError[] = [];
    agent.on('error', (error) => errors.push(error));
    for (let i = 1; i <= 8; i++) agent.reportUsage({ ...SONNET, id: `q-${i}` });
    expect(agent.stats().usage).toMatchObject({ queued: 5, dropped: 3 });
    expect(errors.filter((error) => error.code === 'QUEUE_FULL')).toHaveLength(3);

    const late = await startSdkTestServer({ port, env: {} });
    onTestFinished(() => late.close());
    // The placeholder server has its own keys: point a fresh agent at it with the same spool.
    await agent.close({ timeoutMs: 0 });
    const next = await connectAgent({ url: late.url, apiKey: late.operatorKey, name: 'spool-bounded', spoolDir: spool.dir, maxQueuedRecords: 5 });
    closeAfterTest(next);
    await expect.poll(async () => (await usageRows(late, 'spool-bounded')).map((row) => row.idempotencyKey).sort(), { timeout: 10_000 }).toEqual(
      ['q-1', 'q-2', 'q-3', 'q-4', 'q-5', 'q-6', 'q-7', 'q-8'],
    );
  });

  it('stops on a revoked key without losing the usage: it stays in the spool for the next run', async () => {
    const spool = createTempDir('mc-spool-');
    onTestFinished(() => spool.remove());
    const key = await server.createApiKey('operator');
    const agent = await connectAgent({ url: server.url, apiKey: key, name: 'spool-revoked', spoolDir: spool.dir });
    const errors: MissionControlError[] = [];
    agent.on('error', (error) => errors.push(error));
    await revokeKey(server, key);
    agent.reportUsage({ ...SONNET, id: 'rv-1' });
    await agent.flush(5_000);
    expect(errors.map((error) => error.constructor)).toContain(AuthenticationError);
    await agent.close({ timeoutMs: 0 });
    expect(spoolFiles(spool.dir)).toEqual([expect.stringMatching(/^released-/)]);

    const fixed = await connectAgent({ url: server.url, apiKey: server.operatorKey, name: 'spool-revoked', spoolDir: spool.dir });
    closeAfterTest(fixed);
    await expect.poll(async () => (await usageRows(server, 'spool-revoked')).map((row) => row.idempotencyKey), { timeout: 5_000 }).toEqual(['rv-1']);
  });
});
