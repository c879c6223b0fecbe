// Public surface of @mc/api, used by apps/server (composition), apps/web (types, schemas) and tests.
export type { Actor, AgentActor, Role, UserActor, AccessLevel } from './auth/roles.ts';
export { hasAccess, ROLES, anonymous } from './auth/roles.ts';
export { commonPasswordCandidates, hashPassword, verifyPassword } from './auth/passwords.ts';
export { StartupConfigError } from './auth/service.ts';
export { SESSION_TTL_MS } from './auth/sessions.ts';
export { type Clock, createFakeClock, type FakeClock, systemClock } from './clock.ts';
export type { Context } from './context.ts';
export { DomainError, toProtocolError, type ProtocolErrorBody } from './errors.ts';
export { type BusEvent, createEventBus, type EventBus } from './events/bus.ts';
export type { LiveEvent, LiveMessage } from './events/router.ts';
export { maySee } from './events/service.ts';
export { type Logger, silentLogger } from './logger.ts';
export { isRouteResult, isRouteStream, type RouteDef, type RouteResult, type RouteStream } from './rest/route.ts';
export { restRoutes } from './rest/routes.ts';
export { type AppRouter, appRouter } from './router.ts';
export { createServices, DEFAULT_SERVICE_OPTIONS, type ServiceDeps, type ServiceOptions, type Services } from './services.ts';
export { RateLimitSettings } from './agents/rate-limits.ts';
export { GatewaySeeds, type GatewaySeed } from './gateways/schema.ts';
export type { AgentView } from './agents/views.ts';
export { heartbeatWorkerEntry } from './agents/heartbeat-worker-host.ts';
export { APP_VERSION } from './system/service.ts';
export { createCallerFactory } from './trpc.ts';
export { parseInput } from './validation.ts';
export {
  createWebhookDispatcher, DEFAULT_DISPATCHER_OPTIONS as DEFAULT_WEBHOOK_DISPATCHER_OPTIONS, type DispatcherOptions as WebhookDispatcherOptions,
  type WebhookDispatcher,
} from './webhooks/dispatcher.ts';
export type { AttentionItem, AttentionKind, AttentionPriority } from './attention/schema.ts';
