// What every procedure and REST handler receives. Built per request (or per socket) by apps/server.
import type { Actor } from './auth/roles.ts';
import type { RequestMeta } from './auth/service.ts';
import type { Logger } from './logger.ts';
import type { Services } from './services.ts';

export type Context = {
  actor: Actor;
  services: Services;
  meta: RequestMeta & { requestId: string };
  log: Logger;
  /** Cookie plumbing for login/logout; no-ops on sockets. */
  setSessionCookie(token: string, expiresAt: Date): void;
  clearSessionCookie(): void;
};
