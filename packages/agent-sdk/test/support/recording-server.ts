// A small stand-in for Mission Control's agent routes, on an ephemeral port of 127.0.0.1, recording every
// request: POST /api/connect makes an agent known, a heartbeat of an unknown agent is a 404 (PROTOCOL.md
// §2–4), everything else answers 200 {}. For tests that count requests the real server does not keep.
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';

export type RecordedRequest = { method: string; path: string; body: unknown; at: number; status: number };

export type RecordingServer = {
  url: string;
  requests: RecordedRequest[];
  /** Heartbeats of `agent`, in arrival order. */
  heartbeats(agent: string): RecordedRequest[];
  close(): Promise<void>;
};

export async function startRecordingServer(options: { port?: number; nextHeartbeatS?: number } = {}): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const known = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      let body: unknown = null;
      try {
        body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : null;
      } catch {
        body = Buffer.concat(chunks).toString('utf8');
      }
      const request: RecordedRequest = { method: req.method ?? 'GET', path, body, at: Date.now(), status: 0 };
      requests.push(request);
      const reply = (status: number, value: unknown) => {
        request.status = status;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      };
      const heartbeat = /^\/api\/agents\/([^/]+)\/heartbeat$/.exec(path);
      if (req.method === 'POST' && path === '/api/connect') {
        const name = String((body as { agent_name?: unknown } | null)?.agent_name ?? '');
        known.add(name);
        reply(200, { connection_id: '00000000-0000-4000-8000-000000000000', agent_id: name, agent_name: name, status: 'connected', heartbeat_interval_s: options.nextHeartbeatS ?? 30 });
      } else if (req.method === 'POST' && heartbeat) {
        const name = decodeURIComponent(heartbeat[1] ?? '');
        if (!known.has(name)) reply(404, { error: { code: 'NOT_FOUND', message: `Agent ${name} not found` } });
        else reply(200, { status: 'HEARTBEAT_OK', agent: name, checked_at: new Date().toISOString(), token_recorded: 0, token_duplicates: 0, next_heartbeat_s: options.nextHeartbeatS ?? 30, work_items: [] });
      } else {
        reply(200, {});
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    heartbeats: (agent) => requests.filter((request) => request.method === 'POST' && request.path === `/api/agents/${encodeURIComponent(agent)}/heartbeat`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port of 127.0.0.1 nothing listens on (bound, then released). */
export async function unusedPort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}
