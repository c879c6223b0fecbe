// The HTTP pipeline: request id → security headers → host allowlist → CSRF → route
// (health, metrics, tRPC, SSE, REST, static). Every failure becomes a PROTOCOL.md §2 error, never a crash.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AppRouter, appRouter, type Context, DomainError, type Logger, restRoutes, type Services } from '@mc/api';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import type { Config } from '../config.ts';
import type { Metrics } from '../metrics.ts';
import { authenticate, presentedKey } from './authenticate.ts';
import { serializeSessionCookie } from './cookies.ts';
import { isAllowedHost } from './host-check.ts';
import { clientIp, isCrossSite, requestIdOf } from './request-info.ts';
import { compileRoutes, matchRoute, runRoute } from './rest-router.ts';
import { sendError, sendJson } from './send.ts';
import { setSecurityHeaders } from './security-headers.ts';
import { serveEventStream } from './sse.ts';
import type { StaticSite } from './static-files.ts';

export type HandlerDeps = {
  config: Config;
  services: Services;
  log: Logger;
  metrics: Metrics;
  site: StaticSite;
  cookieName: string;
  secureCookies: boolean;
  readiness(): Promise<{ ready: boolean; reason?: string }>;
  shutdown: AbortSignal;
  sseClients: { count: number };
};

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function createRequestHandler(deps: HandlerDeps) {
  const { config, services, log, metrics } = deps;
  const routes = compileRoutes(restRoutes);
  const countRequest = metrics.counter('mc_http_requests_total', 'HTTP requests by method and status class');

  const trpcHandler = createHTTPHandler<AppRouter>({
    router: appRouter,
    basePath: '/trpc/',
    maxBodySize: config.bodyLimitBytes,
    createContext: async ({ req, res }): Promise<Context> => {
      const auth = await authenticate(req, services, deps.cookieName);
      return {
        actor: auth.actor,
        services,
        meta: metaOf(req),
        log,
        setSessionCookie: (token, expiresAt) => res.appendHeader('set-cookie', serializeSessionCookie(deps.cookieName, token, expiresAt, deps.secureCookies)),
        clearSessionCookie: () => res.appendHeader('set-cookie', serializeSessionCookie(deps.cookieName, '', null, deps.secureCookies)),
      };
    },
  });

  function metaOf(req: IncomingMessage) {
    return {
      ip: clientIp(req, config.trustProxy),
      userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null,
      requestId: (req as IncomingMessage & { requestId?: string }).requestId ?? requestIdOf(req),
    };
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<number> {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
      return 200;
    }
    if (path === '/readyz') {
      const readiness = await deps.readiness();
      sendJson(res, readiness.ready ? 200 : 503, readiness.ready ? { status: 'ready' } : { status: 'not ready', reason: readiness.reason });
      return readiness.ready ? 200 : 503;
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
      res.end(metrics.render());
      return 200;
    }
    // Cookie-authenticated writes must come from our own pages (ARCHITECTURE.md §5 CSRF).
    if (MUTATING.has(method) && presentedKey(req) === null && isCrossSite(req)) {
      throw new DomainError('FORBIDDEN', 'Cross-site request refused');
    }
    if (path === '/trpc' || path.startsWith('/trpc/')) {
      await trpcHandler(req, res);
      return res.statusCode;
    }
    if (path === '/api/events' && method === 'GET') {
      const auth = await authenticate(req, services, deps.cookieName);
      if (auth.invalidKey) throw new DomainError('UNAUTHORIZED', 'Unknown, revoked or expired API key');
      if (auth.actor.kind === 'anonymous') throw new DomainError('UNAUTHORIZED', 'Send an API key (Authorization: Bearer …) or sign in');
      deps.sseClients.count += 1;
      void serveEventStream({
        req, res, url, actor: auth.actor, services, shutdown: deps.shutdown,
        onClose: () => {
          deps.sseClients.count -= 1;
        },
      }).catch((error: unknown) => log.warn({ err: error, requestId }, 'event stream ended with an error'));
      return 200;
    }
    if (path.startsWith('/api/')) {
      const match = matchRoute(routes, method, path);
      if (!match) throw new DomainError('NOT_FOUND', `No route ${method} ${path}`);
      if ('methodNotAllowed' in match) throw new DomainError('NOT_FOUND', `${method} is not supported on ${path}`);
      const auth = await authenticate(req, services, deps.cookieName);
      return runRoute({ route: match.route, params: match.params, req, res, url, auth, services, meta: metaOf(req), log, bodyLimitBytes: config.bodyLimitBytes });
    }
    if (deps.site.serve(req, res, path)) return 200;
    if (!deps.site.available && (path === '/' || path === '/index.html')) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The web app is not built. Run `pnpm start` (it builds apps/web) or `pnpm --filter @mc/web build`.');
      return 503;
    }
    throw new DomainError('NOT_FOUND', `Not found: ${path}`);
  }

  return async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = requestIdOf(req);
    (req as IncomingMessage & { requestId?: string }).requestId = requestId;
    res.setHeader('x-request-id', requestId);
    setSecurityHeaders(res, { hsts: deps.secureCookies });
    let status = 500;
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      url = new URL('http://localhost/');
    }
    try {
      if (!isAllowedHost(req.headers.host, config.allowedHosts)) {
        throw new DomainError('FORBIDDEN', `Host ${String(req.headers.host ?? '(none)')} is not allowed; add it to MC_ALLOWED_HOSTS`);
      }
      status = await route(req, res, url, requestId);
    } catch (error) {
      if (!(error instanceof DomainError)) log.error({ err: error, requestId, path: url.pathname }, 'request failed');
      status = sendError(res, error, requestId);
      // Drain what is left of an oversized body without reading it into memory, then close.
      if (status === 413) req.resume();
    } finally {
      countRequest({ method: req.method ?? 'GET', status: `${String(status).charAt(0)}xx` });
      if (url.pathname !== '/healthz' && url.pathname !== '/metrics') {
        log.debug({ requestId, method: req.method, path: url.pathname, status, ms: Math.round(performance.now() - started) }, 'request');
      }
    }
  };
}
