// Sessions across all gateways (and SDK agents): the list, transcript preview, and actions on the
// gateway: abort and send (operator), reset and delete (admin in MC, operator.admin on the gateway
// connection). Actions are audited; gateway failures become DomainErrors (gateways/gateway-calls.ts).
import { randomUUID } from 'node:crypto';
import type { Database } from '@mc/db';
import type { AuditService } from '../audit/service.ts';
import type { UserActor } from '../auth/roles.ts';
import type { RequestMeta } from '../auth/service.ts';
import { notFound } from '../errors.ts';
import { callGateway } from '../gateways/gateway-calls.ts';
import type { GatewayManager } from '../gateways/manager/manager.ts';
import { asList, asRecord, readString } from '../gateways/manager/payload-readers.ts';
import type { ListSessionsInput, SendSessionMessageInput, SessionRefInput } from './schema.ts';
import { listSessions } from './session-query.ts';

export type SessionsDeps = { database: Database; audit: AuditService; manager: GatewayManager };

const PREVIEW_ITEMS = 20;
const PREVIEW_MAX_CHARS = 2_000;

export function createGatewaySessionsService({ database, audit, manager }: SessionsDeps) {
  const db = database.prisma;

  async function gatewayOf(gatewayId: string) {
    const gateway = await db.gateway.findUnique({ where: { id: gatewayId }, select: { id: true, name: true } });
    if (gateway === null) throw notFound('No such gateway');
    return gateway;
  }

  async function list(input: ListSessionsInput) {
    return listSessions(database.sqlite, input);
  }

  async function preview(input: SessionRefInput) {
    const gateway = await gatewayOf(input.gatewayId);
    const result = asRecord(await callGateway(manager, gateway, 'sessions.preview', { keys: [input.sessionKey], limit: PREVIEW_ITEMS, maxChars: PREVIEW_MAX_CHARS }));
    const entry = asList(result.previews).map(asRecord).find((item) => item.key === input.sessionKey) ?? asRecord(asList(result.previews)[0]);
    const items = asList(entry.items).map(asRecord).map((item) => ({ role: readString(item.role) ?? 'unknown', text: readString(item.text) ?? '' }));
    return { items, status: readString(entry.status) };
  }

  async function act(actor: UserActor, input: SessionRefInput, meta: RequestMeta, action: string, method: string, params: unknown, needsAdmin = false) {
    const gateway = await gatewayOf(input.gatewayId);
    const result = await callGateway(manager, gateway, method, params, { needsAdmin });
    await audit.record({ actor, action, targetType: 'gatewaySession', targetId: `${gateway.id}:${input.sessionKey}`, ip: meta.ip, details: { gateway: gateway.name, sessionKey: input.sessionKey } });
    return { gateway, result: asRecord(result) };
  }

  async function abort(actor: UserActor, input: SessionRefInput, meta: RequestMeta) {
    const { result } = await act(actor, input, meta, 'session.aborted', 'sessions.abort', { key: input.sessionKey });
    return { aborted: readString(result.status) === 'aborted', runId: readString(result.abortedRunId), status: readString(result.status) };
  }

  async function send(actor: UserActor, input: SendSessionMessageInput, meta: RequestMeta) {
    const gateway = await gatewayOf(input.gatewayId);
    const result = asRecord(await callGateway(manager, gateway, 'chat.send', { sessionKey: input.sessionKey, message: input.message, idempotencyKey: randomUUID() }));
    await audit.record({
      actor, action: 'session.message_sent', targetType: 'gatewaySession', targetId: `${gateway.id}:${input.sessionKey}`, ip: meta.ip,
      details: { gateway: gateway.name, sessionKey: input.sessionKey, characters: input.message.length },
    });
    return { runId: readString(result.runId), status: readString(result.status) };
  }

  async function reset(actor: UserActor, input: SessionRefInput, meta: RequestMeta) {
    await act(actor, input, meta, 'session.reset', 'sessions.reset', { key: input.sessionKey }, true);
    return { ok: true as const };
  }

  async function remove(actor: UserActor, input: SessionRefInput, meta: RequestMeta) {
    const { gateway } = await act(actor, input, meta, 'session.deleted', 'sessions.delete', { key: input.sessionKey }, true);
    await manager.removeSession(gateway.id, gateway.name, input.sessionKey);
    return { ok: true as const };
  }

  return { list, preview, abort, send, reset, delete: remove };
}

export type GatewaySessionsService = ReturnType<typeof createGatewaySessionsService>;
