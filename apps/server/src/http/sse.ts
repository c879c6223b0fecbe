// GET /api/events: the event stream for agents and scripts (PROTOCOL.md §7). Resumes from
// Last-Event-ID (or ?lastEventId=), sends `resync` past retention, keep-alive comment every 15 s.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Actor, maySee, type Services } from '@mc/api';

export const SSE_KEEPALIVE_MS = 15_000;

export async function serveEventStream(options: {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  actor: Actor;
  services: Services;
  onClose(): void;
  shutdown: AbortSignal;
}): Promise<void> {
  const { req, res, actor, services } = options;
  const header = req.headers['last-event-id'];
  const given = (typeof header === 'string' ? header : null) ?? options.url.searchParams.get('lastEventId');
  const lastEventId = given && /^\d{1,15}$/.test(given) ? Number(given) : null;

  const stop = new AbortController();
  const finish = () => stop.abort();
  req.on('close', finish);
  options.shutdown.addEventListener('abort', finish, { once: true });
  const live = services.bus.listen(stop.signal);

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write(': connected\n\n');
  const write = (id: number, type: string, data: unknown) => {
    res.write(`id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), SSE_KEEPALIVE_MS);
  try {
    let cursor = lastEventId ?? (await services.events.latestId());
    if (lastEventId !== null) {
      const missed = await services.events.since(lastEventId, actor);
      if (missed.kind === 'resync') {
        cursor = missed.latestId;
        write(cursor, 'resync', { latestId: cursor });
      } else {
        for (const event of missed.events) {
          cursor = event.id;
          write(event.id, event.type, { id: event.id, type: event.type, payload: event.payload, createdAt: event.createdAt });
        }
      }
    }
    for await (const event of live) {
      if (event.id <= cursor || !maySee(actor, event)) continue;
      cursor = event.id;
      write(event.id, event.type, { id: event.id, type: event.type, payload: event.payload, createdAt: event.createdAt });
    }
  } finally {
    clearInterval(keepAlive);
    options.shutdown.removeEventListener('abort', finish);
    res.end();
    options.onClose();
  }
}
