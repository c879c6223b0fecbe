// Test setup for the task service tests: a migrated temp SQLite file, real services, a fake clock,
// one actor per role and agent actors bound to registered agents.
import { createTestDb, type TestDatabase } from '@mc/db/test';
import type { AgentActor, UserActor } from '../auth/roles.ts';
import { createFakeClock, type FakeClock } from '../clock.ts';
import { type BusEvent, createEventBus } from '../events/bus.ts';
import { silentLogger } from '../logger.ts';
import { createServices, type ServiceOptions, type Services } from '../services.ts';

export type TaskHarness = {
  db: TestDatabase;
  services: Services;
  clock: FakeClock;
  published: BusEvent[];
  viewer: UserActor;
  operator: UserActor;
  admin: UserActor;
  agent(name: string): Promise<AgentActor>;
  close(): Promise<void>;
};

export async function createTaskHarness(options: Partial<ServiceOptions> = {}): Promise<TaskHarness> {
  const db = await createTestDb();
  const clock = createFakeClock('2026-11-26T10:00:00Z');
  const bus = createEventBus();
  const published: BusEvent[] = [];
  bus.subscribe((event) => published.push(event));
  const services = createServices({ database: db, clock, bus, log: silentLogger, options });
  const user = (role: UserActor['role']): UserActor => ({ kind: 'user', userId: `user-${role}`, username: `${role}-person`, role });
  const admin = user('admin');
  let keyCount = 0;
  return {
    db,
    services,
    clock,
    published,
    viewer: user('viewer'),
    operator: user('operator'),
    admin,
    async agent(name) {
      const { agent } = await services.agents.register(admin, { name });
      keyCount += 1;
      return { kind: 'agent', agentId: agent.id, apiKeyId: `key-${keyCount}`, keyName: `${name} key` };
    },
    close: () => db.close(),
  };
}
