// The application router: one sub-router per domain. Its type is what the web app and the SDK's
// typed client import.
import { agentsRouter } from './agents/router.ts';
import { attentionRouter } from './attention/router.ts';
import { apiKeysRouter } from './api-keys/router.ts';
import { auditRouter } from './audit/router.ts';
import { authRouter } from './auth/router.ts';
import { budgetsRouter } from './budgets/router.ts';
import { costsRouter } from './costs/router.ts';
import { eventsRouter } from './events/router.ts';
import { pricesRouter } from './prices/router.ts';
import { systemRouter } from './system/router.ts';
import { tasksRouter } from './tasks/router.ts';
import { pipelinesRouter } from './pipelines/router.ts';
import { cronRouter } from './cron/router.ts';
import { gatewaysRouter } from './gateways/router.ts';
import { gatewaySessionsRouter } from './sessions/router.ts';
import { router } from './trpc.ts';
import { usersRouter } from './users/router.ts';
import { webhooksRouter } from './webhooks/router.ts';

export const appRouter = router({
  gateways: gatewaysRouter,
  sessions: gatewaySessionsRouter,
  cron: cronRouter,
  auth: authRouter,
  attention: attentionRouter,
  agents: agentsRouter,
  costs: costsRouter,
  prices: pricesRouter,
  budgets: budgetsRouter,
  users: usersRouter,
  apiKeys: apiKeysRouter,
  audit: auditRouter,
  events: eventsRouter,
  system: systemRouter,
  webhooks: webhooksRouter,
  tasks: tasksRouter,
  pipelines: pipelinesRouter,
});

export type AppRouter = typeof appRouter;
