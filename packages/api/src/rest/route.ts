// REST route table entries (PROTOCOL.md routes): method + path pattern + access level + zod schemas +
// one service call. apps/server matches and runs them; the access check is hasAccess, as for tRPC.
import type { z } from 'zod';
import type { AccessLevel, Actor } from '../auth/roles.ts';
import type { RequestMeta } from '../auth/service.ts';
import type { Logger } from '../logger.ts';
import type { Services } from '../services.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type RouteInput<TBody, TQuery> = {
  actor: Actor;
  services: Services;
  meta: RequestMeta & { requestId: string };
  log: Logger;
  params: Record<string, string>;
  query: TQuery;
  body: TBody;
  headers: Record<string, string | undefined>;
};

export type RouteResult = { status: number; body: unknown; headers?: Record<string, string> };

export type RouteDef = {
  method: HttpMethod;
  path: string;
  access: AccessLevel;
  /** Short description, listed in the RBAC matrix and docs. */
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  handler(input: RouteInput<unknown, unknown>): Promise<RouteResult | unknown>;
};

export function route<TBody extends z.ZodType | undefined = undefined, TQuery extends z.ZodType | undefined = undefined>(def: {
  method: HttpMethod;
  path: string;
  access: AccessLevel;
  summary: string;
  body?: TBody;
  query?: TQuery;
  handler(
    input: RouteInput<TBody extends z.ZodType ? z.output<TBody> : undefined, TQuery extends z.ZodType ? z.output<TQuery> : undefined>,
  ): Promise<RouteResult | unknown>;
}): RouteDef {
  return def as RouteDef;
}

export function respond(status: number, body: unknown, headers?: Record<string, string>): RouteResult {
  return { status, body, ...(headers ? { headers } : {}) };
}

/** A streamed body (exports): the runner writes `chunks` as they come, with backpressure; JSON routes are unaffected. */
export type RouteStream = { stream: AsyncIterable<string>; contentType: string; status: number; headers: Record<string, string> };

export function streamResponse(stream: AsyncIterable<string>, contentType: string, headers: Record<string, string> = {}, status = 200): RouteStream {
  return { stream, contentType, status, headers };
}

export function isRouteStream(value: unknown): value is RouteStream {
  return typeof value === 'object' && value !== null && 'stream' in value && 'contentType' in value;
}

export function isRouteResult(value: unknown): value is RouteResult {
  return typeof value === 'object' && value !== null && 'status' in value && 'body' in value && typeof (value as { status: unknown }).status === 'number';
}
