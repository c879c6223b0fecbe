// The fake gateway's RPC table (GATEWAY.md §6-7): required scope, closed param keys and a handler per
// method, answering from the captured fixtures. Extend or override with FakeGateway.setMethod().
import { asJsonObject, type FakeGatewayFixtures, type JsonObject } from './fake-gateway-fixtures.ts';
import type { createChatRuns, createCronJobs } from './fake-gateway-runs.ts';
import { FakeMethodError } from './fake-method-error.ts';

export type OperatorScope = 'operator.read' | 'operator.write' | 'operator.admin' | 'operator.pairing' | 'operator.approvals';

/** Per-connection subscription state a handler may change. */
export type FakeConnectionSubscriptions = { sessions: boolean; messageKeys: Set<string> };

export type FakeMethodContext = { params: JsonObject; subscriptions: FakeConnectionSubscriptions; scopes: readonly string[] };

export type FakeMethod = {
  scope: OperatorScope;
  /** allowed param keys (closed object); undefined = accept anything */
  params?: readonly string[];
  required?: readonly string[];
  handle(context: FakeMethodContext): unknown;
};

/** §6: admin satisfies every operator.*, write satisfies read. */
export function hasScope(granted: readonly string[], required: OperatorScope): boolean {
  if (granted.includes(required) || granted.includes('operator.admin')) return true;
  return required === 'operator.read' && granted.includes('operator.write');
}

const LIST_KEYS = ['limit', 'offset', 'agentId', 'search', 'label', 'activeMinutes', 'includeDerivedTitles', 'includeLastMessage', 'archived'];

export function createMethodTable(deps: {
  fixtures: FakeGatewayFixtures;
  chat: ReturnType<typeof createChatRuns>;
  cron: ReturnType<typeof createCronJobs>;
  usageRefreshing: () => boolean;
  approvePairing: (requestId: string) => JsonObject;
}): Map<string, FakeMethod> {
  const { fixtures } = deps;
  const result = (key: string) => () => structuredClone(fixtures.results[key] ?? null);
  const table = new Map<string, FakeMethod>();
  const define = (name: string, method: FakeMethod) => table.set(name, method);
  const read = (name: string, params: readonly string[], key = name, required: readonly string[] = []) =>
    define(name, { scope: 'operator.read', params, required, handle: result(key) });

  for (const name of ['health', 'status', 'system-presence', 'last-heartbeat', 'agents.list', 'node.list', 'config.get', 'usage.status', 'cron.status']) {
    read(name, []);
  }
  read('agent.identity.get', ['agentId'], 'agent.identity.get', ['agentId']);
  read('models.list', ['preparedOnly']);
  read('logs.tail', ['cursor', 'limit', 'maxBytes']);
  read('tasks.list', ['status', 'agentId', 'limit', 'cursor']);
  read('sessions.list', LIST_KEYS);
  read('sessions.preview', ['keys', 'limit', 'maxChars'], 'sessions.preview', ['keys']);
  read('sessions.describe', ['key'], 'sessions.describe', ['key']);
  read('chat.history', ['sessionKey', 'limit', 'cursor'], 'chat.history', ['sessionKey']);
  read('sessions.usage.timeseries', ['key'], 'sessions.usage.timeseries', ['key']);
  read('sessions.usage.logs', ['key'], 'sessions.usage.logs', ['key']);
  define('usage.cost', {
    scope: 'operator.read',
    params: ['days', 'startDate', 'endDate', 'mode', 'timeZone', 'agentId'],
    handle: () => result(deps.usageRefreshing() ? 'usage.cost:cold-refreshing' : 'usage.cost:days7-fresh')(),
  });
  define('sessions.usage', {
    scope: 'operator.read',
    params: ['startDate', 'endDate', 'agentId', 'key', 'limit'],
    handle: () => result(deps.usageRefreshing() ? 'sessions.usage:cold-refreshing' : 'sessions.usage:fresh')(),
  });
  define('sessions.subscribe', {
    scope: 'operator.read',
    params: LIST_KEYS,
    handle: ({ params, subscriptions }) => {
      subscriptions.sessions = true;
      return Object.keys(params).length > 0 ? result('sessions.subscribe+list')() : { subscribed: true };
    },
  });
  define('sessions.unsubscribe', {
    scope: 'operator.read', params: [],
    handle: ({ subscriptions }) => {
      subscriptions.sessions = false;
      return { subscribed: false };
    },
  });
  define('sessions.messages.subscribe', {
    scope: 'operator.read', params: ['key'], required: ['key'],
    handle: ({ params, subscriptions }) => {
      subscriptions.messageKeys.add(String(params.key));
      return { subscribed: true, key: params.key };
    },
  });
  define('sessions.messages.unsubscribe', {
    scope: 'operator.read', params: ['key'], required: ['key'],
    handle: ({ params, subscriptions }) => {
      subscriptions.messageKeys.delete(String(params.key));
      return { subscribed: false, key: params.key };
    },
  });

  define('wake', { scope: 'operator.write', params: ['mode', 'text'], required: ['mode', 'text'], handle: result('wake') });
  define('sessions.patch', {
    scope: 'operator.write', params: ['key', 'label', 'pinned', 'archived', 'model', 'thinking', 'verbose'], required: ['key'],
    handle: ({ params, scopes }) => {
      // §6: runtime overrides (thinking, verbose) need operator.admin even though the method is write.
      if (('thinking' in params || 'verbose' in params) && !hasScope(scopes, 'operator.admin')) throw missingScopeError(fixtures, 'operator.admin');
      return result('sessions.patch')();
    },
  });
  define('chat.send', {
    scope: 'operator.write', params: ['sessionKey', 'message', 'idempotencyKey', 'attachments', 'thinking', 'timeoutMs'],
    required: ['sessionKey', 'message', 'idempotencyKey'], handle: ({ params }) => deps.chat.send(params),
  });
  define('chat.abort', { scope: 'operator.write', params: ['sessionKey', 'runId'], required: ['sessionKey'], handle: ({ params }) => deps.chat.abort(params) });
  define('sessions.abort', { scope: 'operator.write', params: ['key', 'runId'], handle: ({ params }) => deps.chat.abortSession(params) });

  define('sessions.reset', { scope: 'operator.admin', params: ['key', 'reason'], required: ['key'], handle: result('sessions.reset') });
  define('sessions.delete', { scope: 'operator.admin', params: ['key'], required: ['key'], handle: result('sessions.delete') });

  define('cron.list', { scope: 'operator.read', params: ['includeDisabled', 'limit', 'offset', 'query', 'agentId'], handle: () => deps.cron.list() });
  define('cron.get', { scope: 'operator.read', params: ['id'], required: ['id'], handle: ({ params }) => deps.cron.get(params) });
  define('cron.runs', { scope: 'operator.read', params: ['id', 'runId', 'limit', 'offset', 'status'], handle: ({ params }) => deps.cron.runs(params) });
  define('cron.add', {
    scope: 'operator.admin', params: ['name', 'schedule', 'sessionTarget', 'wakeMode', 'payload', 'delivery', 'agentId', 'description', 'enabled'],
    required: ['name', 'schedule', 'sessionTarget', 'wakeMode', 'payload'], handle: ({ params }) => deps.cron.add(params),
  });
  define('cron.update', { scope: 'operator.admin', params: ['id', 'patch'], required: ['id', 'patch'], handle: ({ params }) => deps.cron.update(params) });
  define('cron.remove', { scope: 'operator.admin', params: ['id'], required: ['id'], handle: ({ params }) => deps.cron.remove(params) });
  define('cron.run', { scope: 'operator.admin', params: ['id', 'mode'], required: ['id'], handle: ({ params }) => deps.cron.run(params) });

  define('device.pair.list', { scope: 'operator.pairing', params: [], handle: result('device.pair.list') });
  define('device.pair.approve', { scope: 'operator.pairing', params: ['requestId'], required: ['requestId'], handle: ({ params }) => deps.approvePairing(String(params.requestId)) });
  return table;
}

export function missingScopeError(fixtures: FakeGatewayFixtures, scope: string): FakeMethodError {
  const template = fixtures.methodErrors.missing_scope?.error ?? {};
  return new FakeMethodError({
    ...template,
    message: `missing scope: ${scope}`,
    details: { ...asJsonObject(template.details), missingScope: scope, requiredScopes: [scope] },
  });
}

/** The captured INVALID_REQUEST texts for unknown methods and params (errors.json methods.*). */
export function validateRequest(method: string, definition: FakeMethod | undefined, params: JsonObject, fixtures: FakeGatewayFixtures): FakeMethodError | null {
  const invalid = (message: string) => new FakeMethodError({ ...(fixtures.methodErrors.invalid_params?.error ?? { code: 'INVALID_REQUEST' }), message });
  if (definition === undefined) return new FakeMethodError({ ...(fixtures.methodErrors.unknown_method?.error ?? { code: 'INVALID_REQUEST' }), message: `unknown method: ${method}` });
  const unexpected = definition.params === undefined ? undefined : Object.keys(params).find((key) => !definition.params?.includes(key));
  if (unexpected !== undefined) return invalid(`invalid ${method} params: at root: unexpected property '${unexpected}'`);
  const missing = definition.required?.find((key) => params[key] === undefined);
  return missing === undefined ? null : invalid(`invalid ${method} params: at root: must have required property '${missing}'`);
}
