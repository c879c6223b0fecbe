// Public surface of @mc/api, used by apps/server (composition), apps/web (types, schemas) and tests.
export type { Actor, AgentActor, Role, UserActor, AccessLevel } from './auth/roles.ts';
export { hasAccess, ROLES, anonymous } from './auth/roles.ts';
export { StartupConfigError } from './auth/service.ts';
export { SESSION_TTL_MS } from './auth/sessions.ts';
export { type Clock, createFakeClock, type FakeClock, systemClock } from './clock.ts';
export type { Context } from './context.ts';
export { DomainError, toProtocolError, type ProtocolErrorBody } from './errors.ts';
export { type BusEvent, createEventBus, type EventBus } from './events/bus.ts';
export type { LiveEvent, LiveMessage } from './events/router.ts';
export { maySee } from './events/service.ts';
export { type Logger, silentLogger } from './logger.ts';
export { isRouteResult, type RouteDef, type RouteResult } from './rest/route.ts';
export { restRoutes } from './rest/routes.ts';
export { type AppRouter, appRouter } from './router.ts';
export { createServices, type ServiceDeps, type Services } from './services.ts';
export { APP_VERSION } from './system/service.ts';
export { createCallerFactory } from './trpc.ts';
export { parseInput } from './validation.ts';
