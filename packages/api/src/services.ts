// Composition of all services for one database. Transports receive this object in their context.
import { randomBytes } from 'node:crypto';
import type { Database } from '@mc/db';
import { type RateLimitSettings, DEFAULT_RATE_LIMITS } from './agents/rate-limits.ts';
import { createAgentsService } from './agents/service.ts';
import { createApiKeysService } from './api-keys/service.ts';
import { createAttentionService } from './attention/service.ts';
import { createAuditService } from './audit/service.ts';
import { createAuthService } from './auth/service.ts';
import { createSessionsService } from './auth/sessions.ts';
import type { Clock } from './clock.ts';
import type { EventBus } from './events/bus.ts';
import { createEventsService } from './events/service.ts';
import type { HeartbeatWorkerEntry } from './agents/heartbeat-worker-host.ts';
import type { Logger } from './logger.ts';
import { createSettingsService } from './settings/service.ts';
import { createSystemService } from './system/service.ts';
import { createTasksService } from './tasks/service.ts';
import { createPipelinesService } from './pipelines/service.ts';
import { createBudgetEvaluator } from './budgets/evaluator.ts';
import { createBudgetsService } from './budgets/service.ts';
import { createCostsService } from './costs/service.ts';
import { timeZoneSettingFor } from './costs/time-zone-setting.ts';
import { createPricesService } from './prices/service.ts';
import { createUsageService } from './usage/service.ts';
import { createUsageWriter } from './usage/usage-writer.ts';
import { createUsersService } from './users/service.ts';
import { createWebhooksService } from './webhooks/service.ts';
import { createCronService } from './cron/service.ts';
import { createGatewayManager, type GatewayManagerOptions } from './gateways/manager/manager.ts';
import { createGatewaysService } from './gateways/service.ts';
import { createGatewaySessionsService } from './sessions/service.ts';

export type ServiceOptions = { agentOfflineAfterS: number; rateLimits: RateLimitSettings; gateways?: GatewayManagerOptions };
export const DEFAULT_SERVICE_OPTIONS: ServiceOptions = { agentOfflineAfterS: 90, rateLimits: DEFAULT_RATE_LIMITS };

export type ServiceDeps = {
  database: Database; clock: Clock; bus: EventBus; log: Logger; options?: Partial<ServiceOptions>;
  /** Seals secrets at rest (apps/server passes the loaded MC_SECRET_KEY); omitted only in tests: a throwaway key. */
  secretKey?: Buffer;
  /** Write heartbeats in a worker thread (apps/server does; heartbeat-worker-host.ts). */
  heartbeatWorker?: HeartbeatWorkerEntry | null;
};

export function createServices(deps: ServiceDeps) {
  const { database, clock, bus, log } = deps;
  const db = database.prisma;
  const settings = createSettingsService({ database, clock });
  const audit = createAuditService({ database, clock, settings });
  const events = createEventsService({ database, bus, clock });
  const sessions = createSessionsService({ database, clock, bus });
  const auth = createAuthService({ database, clock, sessions, audit, log });
  const apiKeys = createApiKeysService({ db, sqlite: database.sqlite, clock, audit });
  const users = createUsersService({ db, clock, audit, sessions, onAccessChanged: apiKeys.forgetCachedKeys });
  const system = createSystemService({ db, clock });
  const options = { ...DEFAULT_SERVICE_OPTIONS, ...deps.options };
  const webhooks = createWebhooksService({ database, clock, events, audit, secretKey: deps.secretKey ?? randomBytes(32) });
  // Costs: prices in force (pinned + overrides), rollup queries, budgets evaluated inside each usage insert.
  const timeZone = timeZoneSettingFor(database.sqlite);
  const costs = createCostsService({ database, clock, events, audit, settings, timeZone, priceVersion: () => prices.currentTable().version });
  const budgetEvaluator = createBudgetEvaluator({ sqlite: database.sqlite, clock, events, timeZone, query: costs.query });
  const prices = createPricesService({
    database, clock, events, audit, log, query: costs.query, resolveRange: costs.resolveRange,
    onRepriced: (sqlite) => {
      sqlite.prepare(`DELETE FROM "BudgetSpend"`).run();
      budgetEvaluator.invalidate();
    },
  });
  const budgets = createBudgetsService({ database, clock, events, audit, timeZone, evaluator: budgetEvaluator });
  const usageWriter = createUsageWriter(database.sqlite, () => prices.currentTable(), { hooks: [budgetEvaluator.onUsageInserted] });
  const usage = createUsageService({ database, clock, events, usageWriter, rateLimits: options.rateLimits });
  const agents = createAgentsService({
    database, clock, events, audit, apiKeys, usageWriter, offlineAfterS: options.agentOfflineAfterS, rateLimits: options.rateLimits,
    log, priceTable: () => prices.currentTable(), heartbeatWorker: deps.heartbeatWorker ?? null,
  });
  const tasks = createTasksService({ database, clock, events, settings, audit, agents, rateLimits: options.rateLimits });
  // Heartbeat responses list the agent's open tasks (PROTOCOL.md §4 work_items).
  agents.addWorkItemSource(async (agent) => tasks.workItemsFor(agent.id));
  // Hard budgets over their limit ask the agents they concern to stop (work item budget_exceeded).
  agents.addWorkItemSource((agent) => budgetEvaluator.workItemsFor(agent));
  // OpenClaw gateways: one connection per enabled gateway (started by apps/server), mirrors, actions.
  const gatewaySecretKey = deps.secretKey ?? randomBytes(32);
  const gatewayManager = createGatewayManager({
    database, clock, events, usageWriter, secretKey: gatewaySecretKey, log, options: options.gateways,
    // Gateway usage replacing SDK records rebuilds rollups; budget spend is a cache of them.
    onUsageRemoved: (sqlite) => {
      sqlite.prepare(`DELETE FROM "BudgetSpend"`).run();
      budgetEvaluator.invalidate();
    },
  });
  const gateways = createGatewaysService({ database, clock, events, audit, manager: gatewayManager, secretKey: gatewaySecretKey, log });
  const gatewaySessions = createGatewaySessionsService({ database, audit, manager: gatewayManager });
  const cron = createCronService({ database, clock, events, audit, manager: gatewayManager, log });
  // The attention view reads every domain; it owns no data but per-user acknowledgements.
  const attention = createAttentionService({
    database, clock,
    sources: {
      gateways: () => gateways.list(),
      budgets: async () => (await budgets.list()).budgets.filter((b) => b.enabled),
      spendToday: () => {
        const { today } = costs.summary();
        return { costUsd: today.costUsd, unpricedRecords: today.unpricedRecords };
      },
      dailyBudgetUsd: async () => (await budgets.list()).budgets.find((b) => b.enabled && b.scope === 'global' && b.period === 'day')?.limitUsd ?? null,
    },
  });
  // Pipelines: step tasks on the board; the scheduler (started by apps/server) advances runs.
  const pipelines = createPipelinesService({ database, clock, events, audit, bus, log });
  return { bus, clock, audit, events, sessions, auth, users, apiKeys, settings, system, usage, agents, costs, prices, budgets, webhooks, tasks, pipelines,
    gatewayManager, gateways, gatewaySessions, cron, attention, options };
}

export type Services = ReturnType<typeof createServices>;
