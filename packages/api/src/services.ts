// Composition of all services for one database. Transports receive this object in their context.
import type { Database } from '@mc/db';
import { createApiKeysService } from './api-keys/service.ts';
import { createAuditService } from './audit/service.ts';
import { createAuthService } from './auth/service.ts';
import { createSessionsService } from './auth/sessions.ts';
import type { Clock } from './clock.ts';
import type { EventBus } from './events/bus.ts';
import { createEventsService } from './events/service.ts';
import type { Logger } from './logger.ts';
import { createSettingsService } from './settings/service.ts';
import { createSystemService } from './system/service.ts';
import { createUsersService } from './users/service.ts';

export type ServiceDeps = { database: Database; clock: Clock; bus: EventBus; log: Logger };

export function createServices(deps: ServiceDeps) {
  const { database, clock, bus, log } = deps;
  const db = database.prisma;
  const audit = createAuditService({ db, clock });
  const events = createEventsService({ database, bus, clock });
  const sessions = createSessionsService({ db, clock, bus });
  const auth = createAuthService({ database, clock, sessions, audit, log });
  const users = createUsersService({ db, clock, audit, sessions });
  const apiKeys = createApiKeysService({ db, clock, audit });
  const settings = createSettingsService({ db, clock });
  const system = createSystemService({ db, clock });
  return { bus, clock, audit, events, sessions, auth, users, apiKeys, settings, system };
}

export type Services = ReturnType<typeof createServices>;
