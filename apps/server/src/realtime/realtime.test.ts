import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import type { AppRouter, LiveMessage } from '@mc/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../testing/test-server.ts';
import { SESSION_REVOKED_CLOSE_CODE } from './trpc-websocket.ts';

let app: TestServer;
beforeAll(async () => {
  app = await startTestServer();
});
afterAll(async () => {
  await app.close();
});

/** A tRPC WS client authenticated by a cookie, as a browser tab would be. */
function connect(cookie: string, onClose?: (code: number) => void) {
  class CookieWebSocket extends WebSocket {
    constructor(url: string | URL) {
      super(url, { headers: { cookie } });
      if (onClose) this.on('close', (code) => onClose(code));
    }
  }
  const wsClient = createWSClient({ url: `${app.url.replace('http', 'ws')}/trpc`, WebSocket: CookieWebSocket as unknown as typeof globalThis.WebSocket });
  return { client: createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] }), wsClient };
}

async function collect(client: ReturnType<typeof connect>['client'], lastEventId: string | null) {
  const received: Array<{ id: string; data: LiveMessage }> = [];
  const cursors: string[] = [];
  const listenersBefore = app.services.bus.listenerCount();
  const sub = client.events.onEvent.subscribe({ lastEventId }, {
    onData: (item) => {
      const message = item as { id: string; data: LiveMessage };
      if (message.data.type === 'cursor') cursors.push(message.id);
      else received.push(message);
    },
  });
  // The server listens before it catches up; once it listens, nothing published later is missed.
  await expect.poll(() => app.services.bus.listenerCount()).toBeGreaterThan(listenersBefore);
  return { received, cursors, unsubscribe: () => sub.unsubscribe() };
}

describe('realtime over tRPC WebSocket', () => {
  it('streams events live and resumes from the last id without gaps or repeats', async () => {
    const cookie = await app.login();
    const first = connect(cookie);
    const live = await collect(first.client, null);
    const a = await app.publishTestEvent('test.ping', { n: 1 });
    await expect.poll(() => live.received.length).toBe(1);
    const baseline = app.services.bus.listenerCount() - 1;
    live.unsubscribe();
    first.wsClient.close();
    // The server drops the closed socket's bus listener (no leak).
    await expect.poll(() => app.services.bus.listenerCount()).toBe(baseline);

    // Published while nobody listens (tab hidden): delivered on resume, exactly once, in order.
    const b = await app.publishTestEvent('test.ping', { n: 2 });
    const c = await app.publishTestEvent('test.ping', { n: 3 });
    const second = connect(cookie);
    const resumed = await collect(second.client, String(a));
    await expect.poll(() => resumed.received.length).toBe(2);
    const d = await app.publishTestEvent('test.ping', { n: 4 });
    await expect.poll(() => resumed.received.length).toBe(3);
    expect(resumed.received.map((r) => Number(r.id))).toEqual([b, c, d]);
    expect(resumed.received.map((r) => (r.data as { payload: { n: number } }).payload.n)).toEqual([2, 3, 4]);
    resumed.unsubscribe();
    second.wsClient.close();
  });

  it('opens a fresh stream with a cursor, so a client paused before any event still resumes exactly', async () => {
    const cookie = await app.login();
    const first = connect(cookie);
    const before = await app.publishTestEvent('test.before', {});
    const baseline = app.services.bus.listenerCount();
    const fresh = await collect(first.client, null);
    await expect.poll(() => fresh.cursors).toEqual([String(before)]);
    fresh.unsubscribe();
    first.wsClient.close();
    await expect.poll(() => app.services.bus.listenerCount()).toBe(baseline);
    const missed = await app.publishTestEvent('test.missed', {});
    const second = connect(cookie);
    const resumed = await collect(second.client, fresh.cursors[0] ?? null);
    await expect.poll(() => resumed.received.map((r) => Number(r.id))).toEqual([missed]);
    resumed.unsubscribe();
    second.wsClient.close();
  });

  it('sends resync when the client is past the retained range', async () => {
    const cookie = await app.login();
    const { client, wsClient } = connect(cookie);
    const sub = await collect(client, '999999');
    await expect.poll(() => sub.received.length).toBe(1);
    expect(sub.received[0]?.data.type).toBe('resync');
    sub.unsubscribe();
    wsClient.close();
  });

  it('closes the sockets of a session the moment it is revoked', async () => {
    const cookie = await app.login();
    const codes: number[] = [];
    const { client, wsClient } = connect(cookie, (code) => codes.push(code));
    const sub = await collect(client, null);
    await app.publishTestEvent('test.ping', { n: 5 });
    await expect.poll(() => sub.received.length).toBe(1);
    await fetch(`${app.url}/trpc/auth.logoutEverywhere`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' });
    await expect.poll(() => codes).toContain(SESSION_REVOKED_CLOSE_CODE);
    sub.unsubscribe();
    wsClient.close();
  });

  it('refuses a WebSocket upgrade from another origin', async () => {
    const ws = new WebSocket(`${app.url.replace('http', 'ws')}/trpc`, { headers: { origin: 'https://evil.example.com' } });
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(403);
  });
});

describe('SSE /api/events', () => {
  async function readEvents(res: Response, count: number) {
    const reader = res.body?.getReader();
    if (!reader) throw new Error('no body');
    let text = '';
    const events: Array<{ id: string; event: string; data: unknown }> = [];
    while (events.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
      const blocks = text.split('\n\n');
      text = blocks.pop() ?? '';
      for (const block of blocks) {
        const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
        if (fields.id) events.push({ id: fields.id, event: fields.event ?? '', data: JSON.parse(fields.data ?? 'null') });
      }
    }
    await reader.cancel();
    return events;
  }

  it('streams events to an API key and resumes from Last-Event-ID', async () => {
    const key = await app.createApiKey('viewer');
    const first = await app.publishTestEvent('test.sse', { n: 1 });
    await app.publishTestEvent('test.sse', { n: 2 });
    await app.publishTestEvent('test.sse', { n: 3 });
    const res = await fetch(`${app.url}/api/events`, { headers: { authorization: `Bearer ${key}`, 'last-event-id': String(first) } });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = await readEvents(res, 2);
    expect(events.map((e) => e.event)).toEqual(['test.sse', 'test.sse']);
    expect(events.map((e) => (e.data as { payload: { n: number } }).payload.n)).toEqual([2, 3]);
  });

  it('answers 401 for an anonymous event stream', async () => {
    const res = await fetch(`${app.url}/api/events`);
    expect(res.status).toBe(401);
  });
});
