// tRPC over WebSocket on the HTTP port (path /trpc). Upgrades are host- and origin-checked and
// authenticated once; sockets of a revoked session are closed (code 4401) the moment it is revoked.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type Actor, type AppRouter, appRouter, type Context, type Logger, type Services } from '@mc/api';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import { authenticate } from '../http/authenticate.ts';
import { isAllowedHost } from '../http/host-check.ts';
import { clientIp, isCrossSite, requestIdOf } from '../http/request-info.ts';

export const SESSION_REVOKED_CLOSE_CODE = 4401;

export function createTrpcWebSocket(options: {
  services: Services;
  log: Logger;
  allowedHosts: readonly string[];
  cookieName: string;
  trustProxy: boolean;
  onConnectionChange(delta: number): void;
}) {
  const { services, log } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const actors = new WeakMap<IncomingMessage, Actor>();
  const bySession = new Map<string, Set<WebSocket>>();

  const handler = applyWSSHandler<AppRouter>({
    wss,
    router: appRouter,
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 10_000 },
    createContext: ({ req }): Context => ({
      actor: actors.get(req) ?? { kind: 'anonymous' },
      services,
      meta: { ip: clientIp(req, options.trustProxy), userAgent: req.headers['user-agent'] ?? null, requestId: requestIdOf(req) },
      log,
      setSessionCookie: () => {},
      clearSessionCookie: () => {},
    }),
  });

  const stopListening = services.bus.onSessionsRevoked((ids) => {
    for (const id of ids) {
      for (const ws of bySession.get(id) ?? []) ws.close(SESSION_REVOKED_CLOSE_CODE, 'session revoked');
    }
  });

  function refuse(socket: Duplex, status: number, reason: string) {
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    socket.on('error', () => socket.destroy());
    if (!isAllowedHost(req.headers.host, options.allowedHosts)) return refuse(socket, 403, 'Forbidden');
    if (isCrossSite(req)) return refuse(socket, 403, 'Forbidden');
    let actor: Actor;
    try {
      const auth = await authenticate(req, services, options.cookieName);
      if (auth.invalidKey) return refuse(socket, 401, 'Unauthorized');
      actor = auth.actor;
    } catch (error) {
      log.error({ err: error }, 'websocket authentication failed');
      return refuse(socket, 500, 'Internal Server Error');
    }
    actors.set(req, actor);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const sessionId = actor.kind === 'user' ? actor.sessionId : undefined;
      if (sessionId) {
        const set = bySession.get(sessionId) ?? new Set();
        set.add(ws);
        bySession.set(sessionId, set);
      }
      options.onConnectionChange(1);
      ws.on('close', () => {
        options.onConnectionChange(-1);
        if (sessionId) {
          const set = bySession.get(sessionId);
          set?.delete(ws);
          if (set?.size === 0) bySession.delete(sessionId);
        }
      });
      wss.emit('connection', ws, req);
    });
  }

  async function close() {
    stopListening();
    handler.broadcastReconnectNotification();
    for (const ws of wss.clients) ws.close(1001, 'server shutting down');
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  return { handleUpgrade, close, clientCount: () => wss.clients.size };
}
