// Test setup for the costs, prices and budgets tests: a migrated temp SQLite file, real services, a fake
// clock, the published events, and helpers to ingest usage through the real paths (tokens, heartbeats).
import { createTestDb, type TestDatabase } from '@mc/db/test';
import { heartbeatWorkerEntry } from '../agents/heartbeat-worker-host.ts';
import { DEFAULT_RATE_LIMITS } from '../agents/rate-limits.ts';
import type { AgentActor, UserActor } from '../auth/roles.ts';
import { createFakeClock, type FakeClock } from '../clock.ts';
import { type BusEvent, createEventBus } from '../events/bus.ts';
import { silentLogger } from '../logger.ts';
import { createServices, type Services } from '../services.ts';
import { TokensBody } from '../usage/schema.ts';
import { parseInput } from '../validation.ts';

export type CostsHarness = {
  db: TestDatabase;
  services: Services;
  clock: FakeClock;
  published: BusEvent[];
  viewer: UserActor;
  admin: UserActor;
  agent(name: string): Promise<AgentActor>;
  /** POST /api/tokens as `agent` (records as on the wire). */
  report(agent: AgentActor, records: unknown[]): Promise<unknown>;
  close(): Promise<void>;
};

export const NO_LIMITS = { ...DEFAULT_RATE_LIMITS, heartbeatPerAgentPerMin: 0, connectPerAgentPerMin: 0, tokensPerKeyPerMin: 0 };

/** `heartbeatWorker`: write heartbeats in the worker thread, as the server does. */
export async function createCostsHarness(start = '2026-11-26T10:00:00Z', options: { heartbeatWorker?: boolean } = {}): Promise<CostsHarness> {
  const db = await createTestDb();
  const clock = createFakeClock(start);
  const bus = createEventBus();
  const published: BusEvent[] = [];
  bus.subscribe((event) => published.push(event));
  const services = createServices({
    database: db, clock, bus, log: silentLogger, options: { rateLimits: NO_LIMITS }, ...(options.heartbeatWorker ? { heartbeatWorker: heartbeatWorkerEntry() } : {}),
  });
  const user = (role: UserActor['role']): UserActor => ({ kind: 'user', userId: `user-${role}`, username: `${role}-person`, role });
  const admin = user('admin');
  const agents = new Map<string, AgentActor>();
  return {
    db,
    services,
    clock,
    published,
    viewer: user('viewer'),
    admin,
    async agent(name) {
      const known = agents.get(name);
      if (known) return known;
      const { agent } = await services.agents.register(admin, { name });
      const actor: AgentActor = { kind: 'agent', agentId: agent.id, apiKeyId: `key-${name}`, keyName: `${name} key` };
      agents.set(name, actor);
      return actor;
    },
    report: (agent, records) => services.usage.reportTokens(agent, parseInput(TokensBody, records)),
    async close() {
      await services.agents.close();
      await db.close();
    },
  };
}
