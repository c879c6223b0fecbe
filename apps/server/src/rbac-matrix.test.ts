// The RBAC matrix: every tRPC procedure and every REST route, called as every role (and anonymous).
// A procedure or route without an entry here fails the test, so nothing ships unguarded by accident.
import { type AccessLevel, type Actor, appRouter, type Context, createCallerFactory, restRoutes, silentLogger } from '@mc/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './testing/test-server.ts';

const PROCEDURES: Record<string, AccessLevel> = {
  'gateways.list': 'viewer',
  'gateways.create': 'admin',
  'gateways.update': 'admin',
  'gateways.remove': 'admin',
  'gateways.retryNow': 'admin',
  'gateways.test': 'admin',
  'sessions.list': 'viewer',
  'sessions.preview': 'viewer',
  'sessions.abort': 'operator',
  'sessions.send': 'operator',
  'sessions.reset': 'admin',
  'sessions.delete': 'admin',
  'cron.list': 'viewer',
  'cron.runs': 'viewer',
  'cron.runNow': 'admin',
  'attention.list': 'viewer',
  'attention.glance': 'viewer',
  'attention.acknowledge': 'viewer',
  'attention.snooze': 'viewer',
  'attention.restore': 'viewer',
  'auth.me': 'public',
  'auth.login': 'public',
  'auth.setupAdmin': 'public',
  'auth.logout': 'public',
  'auth.logoutEverywhere': 'viewer',
  'auth.changePassword': 'viewer',
  'users.list': 'admin',
  'users.create': 'admin',
  'users.setRole': 'admin',
  'users.setDisabled': 'admin',
  'users.resetPassword': 'admin',
  'apiKeys.list': 'operator',
  'apiKeys.create': 'operator',
  'apiKeys.revoke': 'operator',
  'audit.list': 'admin',
  'audit.retention': 'admin',
  'audit.setRetention': 'admin',
  'webhooks.list': 'admin',
  'webhooks.create': 'admin',
  'webhooks.update': 'admin',
  'webhooks.setEnabled': 'admin',
  'webhooks.rotateSecret': 'admin',
  'webhooks.remove': 'admin',
  'webhooks.sendTest': 'admin',
  'webhooks.deliveries': 'admin',
  'webhooks.attempts': 'admin',
  'webhooks.redeliver': 'admin',
  'events.onEvent': 'viewer',
  'system.overview': 'viewer',
  'agents.list': 'viewer',
  'agents.byId': 'viewer',
  'agents.createKey': 'admin',
  'agents.revokeKey': 'admin',
  'agents.remove': 'admin',
  'costs.summary': 'viewer',
  'costs.timeseries': 'viewer',
  'costs.breakdown': 'viewer',
  'costs.records': 'viewer',
  'costs.detailRetention': 'viewer',
  'costs.setDetailRetention': 'admin',
  'costs.setTimeZone': 'admin',
  'prices.list': 'viewer',
  'prices.unpriced': 'viewer',
  'prices.runs': 'viewer',
  'prices.setOverride': 'admin',
  'prices.removeOverride': 'admin',
  'prices.previewReprice': 'admin',
  'prices.applyReprice': 'admin',
  'budgets.list': 'viewer',
  'budgets.create': 'admin',
  'budgets.update': 'admin',
  'budgets.remove': 'admin',
  'tasks.board': 'viewer',
  'tasks.list': 'viewer',
  'tasks.counts': 'viewer',
  'tasks.costs': 'viewer',
  'tasks.byId': 'viewer',
  'tasks.create': 'operator',
  'tasks.update': 'operator',
  'tasks.move': 'operator',
  'tasks.comment': 'operator',
  'tasks.archiveSettings': 'admin',
  'tasks.updateArchiveSettings': 'admin',
  'pipelines.templates.list': 'viewer',
  'pipelines.templates.get': 'viewer',
  'pipelines.templates.create': 'operator',
  'pipelines.templates.update': 'operator',
  'pipelines.templates.remove': 'operator',
  'pipelines.runs.list': 'viewer',
  'pipelines.runs.get': 'viewer',
  'pipelines.runs.start': 'operator',
  'pipelines.runs.cancel': 'operator',
  'pipelines.runs.approveStep': 'operator',
  'pipelines.runs.rejectStep': 'operator',
  'pipelines.stats': 'viewer',
};

const ROUTES: Record<string, AccessLevel> = {
  'GET /api/me': 'authenticated',
  'GET /api/audit/export': 'admin',
  'POST /api/connect': 'agent',
  'DELETE /api/connect': 'agent',
  'POST /api/agents/register': 'agent',
  'POST /api/agents/:agentRef/heartbeat': 'agent',
  'POST /api/tokens': 'agent',
  'GET /api/usage/export': 'viewer',
  'GET /api/tasks/queue': 'agent',
  'PATCH /api/tasks/:id': 'agent',
  'POST /api/tasks/:id/comments': 'agent',
  'POST /api/pipelines/:template/runs': 'operator',
};

type Who = 'anonymous' | 'viewer' | 'operator' | 'admin' | 'agent';
const EVERYONE: Who[] = ['anonymous', 'viewer', 'operator', 'admin', 'agent'];

// Written out independently of hasAccess() on purpose: this is the specification.
const ALLOWED: Record<AccessLevel, Who[]> = {
  public: EVERYONE,
  authenticated: ['viewer', 'operator', 'admin', 'agent'],
  viewer: ['viewer', 'operator', 'admin'],
  operator: ['operator', 'admin'],
  admin: ['admin'],
  agent: ['operator', 'admin', 'agent'],
};

const GUARD_MESSAGE = /^(Sign in first|This needs the \w+ role|This route needs the \w+ role|Send an API key)/;

let app: TestServer;
const actors = {} as Record<Who, Actor>;
const keys = {} as Record<Who, string | null>;

beforeAll(async () => {
  app = await startTestServer();
  actors.anonymous = { kind: 'anonymous' };
  keys.anonymous = null;
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    const user = role === 'admin' ? await app.db.prisma.user.findFirstOrThrow({ where: { role: 'admin' } }) : await app.createUser({ username: `matrix-${role}`, password: `Tr0ub4dor-${role.length}-staple-x`, role });
    actors[role] = { kind: 'user', userId: user.id, username: `matrix-${role}`, role };
    keys[role] = await app.createApiKey(role, role === 'admin' ? undefined : `matrix-${role}`);
  }
  const admin = actors.admin;
  if (admin.kind !== 'user') throw new Error('admin actor');
  const { agent } = await app.services.agents.register(admin, { name: 'matrix-agent' });
  const agentKey = await app.services.agents.createKey(admin, agent.id, 'matrix agent key', {});
  actors.agent = { kind: 'agent', apiKeyId: agentKey.apiKey.id, agentId: agent.id, keyName: 'matrix agent key' };
  keys.agent = agentKey.secret;
});
afterAll(async () => {
  await app.close();
});

function contextFor(actor: Actor): Context {
  return {
    actor,
    services: app.services,
    meta: { ip: '127.0.0.1', userAgent: 'matrix', requestId: 'matrix-test' },
    log: silentLogger,
    setSessionCookie: () => {},
    clearSessionCookie: () => {},
  };
}

type AnyProcedure = { _def: { type: 'query' | 'mutation' | 'subscription' } };

describe('RBAC matrix', () => {
  const procedures: Record<string, AnyProcedure> = { ...(appRouter._def.procedures as object) } as Record<string, AnyProcedure>;

  it('has an entry for every tRPC procedure and every REST route (and nothing stale)', () => {
    expect(Object.keys(procedures).sort()).toEqual(Object.keys(PROCEDURES).sort());
    expect(restRoutes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(Object.keys(ROUTES).sort());
  });

  it('guards the SSE stream GET /api/events (any credential, anonymous 401)', async () => {
    for (const who of EVERYONE) {
      const key = keys[who];
      const controller = new AbortController();
      const res = await fetch(`${app.url}/api/events`, { headers: key ? { authorization: `Bearer ${key}` } : {}, signal: controller.signal });
      expect(res.status, who).toBe(who === 'anonymous' ? 401 : 200);
      controller.abort();
    }
  });

  it.each(Object.entries(PROCEDURES))('guards procedure %s at level %s', async (path, level) => {
    const procedure = procedures[path];
    if (!procedure) throw new Error(`missing ${path}`);
    for (const who of EVERYONE) {
      const caller = createCallerFactory(appRouter)(contextFor(actors[who]));
      let target: unknown = caller;
      for (const part of path.split('.')) target = (target as Record<string, unknown>)[part];
      let error: { code?: string; message?: string } | null = null;
      try {
        // Deliberately empty input: allowed callers get past the guard and fail validation (or succeed).
        const result = await (target as (input: unknown) => Promise<unknown>)({});
        if (procedure._def.type === 'subscription') await (result as AsyncIterator<unknown>).return?.();
      } catch (caught) {
        error = caught as { code?: string; message?: string };
      }
      const allowed = ALLOWED[level].includes(who);
      if (allowed) {
        expect(error?.message ?? '', `${who} → ${path}`).not.toMatch(GUARD_MESSAGE);
      } else {
        expect(error?.code, `${who} → ${path}`).toBe(who === 'anonymous' ? 'UNAUTHORIZED' : 'FORBIDDEN');
      }
    }
  });

  it.each(Object.entries(ROUTES))('guards route %s at level %s over HTTP', async (route, level) => {
    const [method, path] = route.split(' ') as [string, string];
    for (const who of EVERYONE) {
      const key = keys[who];
      const res = await fetch(`${app.url}${path.replace(/:(\w+)/g, 'matrix-agent')}`, {
        method,
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        ...(method === 'GET' ? {} : { body: '{}' }),
      });
      const allowed = ALLOWED[level].includes(who);
      if (allowed) {
        const body = res.status >= 400 ? ((await res.json()) as { error: { message: string } }).error.message : '';
        expect(body, `${who} → ${route}`).not.toMatch(GUARD_MESSAGE);
      } else {
        expect(res.status, `${who} → ${route}`).toBe(who === 'anonymous' ? 401 : 403);
      }
    }
  });
});
