// @mc/agent-sdk/client: a tRPC client typed with the server's router, authenticated by API key, for
// scripts (queries and mutations over HTTP, batched). Needs @trpc/client (and its peer @trpc/server).
// Live events: GET /api/events (SSE, PROTOCOL.md §7); subscriptions are not wired here.

import { createTRPCClient, httpBatchLink, type TRPCClient } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { ConfigurationError } from '../agent/errors.ts';
import { normalizeServerUrl } from '../agent/http-api.ts';
import type { AppRouter } from './app-router.ts';

export type { AppRouter };
export type MissionControlClient = TRPCClient<AppRouter>;
/** Inputs of every procedure: `RouterInputs['tasks']['create']`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Outputs of every procedure as the client receives them (dates as ISO strings). */
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export type ClientOptions = {
  /** Server address, e.g. http://127.0.0.1:3200 (MC_URL). */
  url: string;
  /** A user API key (mc_…); it acts with that key's role. */
  apiKey: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
};

export function createClient(options: ClientOptions): MissionControlClient {
  if (!options.apiKey) throw new ConfigurationError('No API key: set MC_API_KEY (or the apiKey option) to a user API key (mc_…)');
  const url = `${normalizeServerUrl(options.url)}/trpc`;
  const headers = { ...options.headers, authorization: `Bearer ${options.apiKey}` };
  return createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url, headers: () => headers, ...(options.fetch ? { fetch: options.fetch } : {}) })],
  });
}
