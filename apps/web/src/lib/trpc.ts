// The one tRPC client of the web app: subscriptions over a lazy WebSocket, everything
// else batched over HTTP. No transformer: the server sends plain JSON (money as USD numbers).
import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink } from '@trpc/client';
import type { AppRouter } from '@mc/api';

function webSocketUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/trpc`;
}

/** Shared WS client; live.ts closes it while the tab is hidden and it reopens on the next subscription. */
export const wsClient = createWSClient({
  url: webSocketUrl,
  // Lazy: no socket until the first subscription, closed again once nothing uses it.
  lazy: { enabled: true, closeMs: 10_000 },
  // Detects half-open sockets (laptop sleep, proxies) so the client reconnects.
  keepAlive: { enabled: true, intervalMs: 15_000, pongTimeoutMs: 5_000 },
});

export const trpc = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: wsLink<AppRouter>({ client: wsClient }),
      false: httpBatchLink({ url: '/trpc' }),
    }),
  ],
});

type Client = typeof trpc;
/** The resolved value of a query or mutation, inferred from AppRouter (never duplicated by hand). */
export type QueryOutput<T extends { query: (...args: never[]) => Promise<unknown> }> = Awaited<ReturnType<T['query']>>;
export type MutationOutput<T extends { mutate: (...args: never[]) => Promise<unknown> }> = Awaited<
  ReturnType<T['mutate']>
>;

export type Session = QueryOutput<Client['auth']['me']>;
export type SessionUser = NonNullable<Session['user']>;
export type Role = SessionUser['role'];
export type UserRow = QueryOutput<Client['users']['list']>[number];
export type ApiKeyRow = QueryOutput<Client['apiKeys']['list']>[number];
export type CreatedApiKey = MutationOutput<Client['apiKeys']['create']>;
export type SystemOverview = QueryOutput<Client['system']['overview']>;
