// Runs the REST route table: match, authenticate, check access (hasAccess, as tRPC does), validate
// body and query with the route's zod schemas, call the handler, shape errors per PROTOCOL.md §2.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import { DomainError, hasAccess, isRouteResult, isRouteStream, type Logger, parseInput, type RouteDef, type RouteStream, type Services } from '@mc/api';
import type { Authentication } from './authenticate.ts';
import { readJsonBody } from './body.ts';
import { sendJson } from './send.ts';

type CompiledRoute = { def: RouteDef; pattern: RegExp; keys: string[] };

export function compileRoutes(routes: readonly RouteDef[]): CompiledRoute[] {
  return routes.map((def) => {
    const keys: string[] = [];
    const source = def.path.replace(/:([A-Za-z]+)/g, (_m, key: string) => {
      keys.push(key);
      return '([^/]+)';
    });
    return { def, pattern: new RegExp(`^${source}/?$`), keys };
  });
}

export type Match = { route: CompiledRoute; params: Record<string, string> } | { methodNotAllowed: true } | null;

export function matchRoute(routes: readonly CompiledRoute[], method: string, path: string): Match {
  let pathMatched = false;
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (route.def.method !== method) continue;
    const params: Record<string, string> = {};
    route.keys.forEach((key, i) => {
      params[key] = decodeURIComponent(m[i + 1] ?? '');
    });
    return { route, params };
  }
  return pathMatched ? { methodNotAllowed: true } : null;
}

/** Writes a streamed body chunk by chunk, waiting for 'drain'; stops reading when the client goes away. */
async function sendStream(res: ServerResponse, result: RouteStream, log: Logger): Promise<number> {
  res.writeHead(result.status, { 'content-type': result.contentType, 'cache-control': 'no-store', ...result.headers });
  const iterator = result.stream[Symbol.asyncIterator]();
  let closed = false;
  res.once('close', () => {
    closed = true;
  });
  try {
    for (let next = await iterator.next(); !next.done && !closed; next = await iterator.next()) {
      if (!res.write(next.value)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    }
  } catch (error) {
    // Headers are gone: the only honest signal left is a truncated response.
    log.error({ err: error }, 'streamed response failed');
    res.destroy(error instanceof Error ? error : new Error(String(error)));
    return result.status;
  } finally {
    if (closed) await iterator.return?.();
  }
  res.end();
  return result.status;
}

export async function runRoute(options: {
  route: CompiledRoute;
  params: Record<string, string>;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  auth: Authentication;
  services: Services;
  meta: { ip: string | null; userAgent: string | null; requestId: string };
  log: Logger;
  bodyLimitBytes: number;
}): Promise<number> {
  const { route, req, res, auth } = options;
  const def = route.def;
  if (auth.invalidKey) throw new DomainError('UNAUTHORIZED', 'Unknown, revoked or expired API key');
  if (!hasAccess(auth.actor, def.access)) {
    if (auth.actor.kind === 'anonymous') throw new DomainError('UNAUTHORIZED', 'Send an API key (Authorization: Bearer mc_… or x-api-key)');
    throw new DomainError('FORBIDDEN', `This route needs the ${def.access} role`);
  }
  const rawBody = def.method === 'GET' ? undefined : await readJsonBody(req, options.bodyLimitBytes);
  const body = def.body ? parseInput(def.body, rawBody ?? {}) : undefined;
  const query = def.query ? parseInput(def.query, Object.fromEntries(options.url.searchParams)) : undefined;
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v;
  const result = await def.handler({
    actor: auth.actor,
    services: options.services,
    meta: options.meta,
    log: options.log,
    params: options.params,
    query,
    body,
    headers,
  });
  if (isRouteStream(result)) return sendStream(res, result, options.log);
  if (isRouteResult(result)) {
    sendJson(res, result.status, result.body, result.headers);
    return result.status;
  }
  sendJson(res, 200, result);
  return 200;
}
