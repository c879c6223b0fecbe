// Gateways (admin): add / edit / test / remove OpenClaw gateways, seeded from MC_GATEWAYS, each
// change audited and published (gateway.updated / gateway.removed). Secrets are sealed at rest and
// never returned. The live connections belong to the manager (manager/manager.ts).
import { randomUUID } from 'node:crypto';
import type { Database } from '@mc/db';
import { toAgentView } from '../agents/views.ts';
import type { AuditService } from '../audit/service.ts';
import type { UserActor } from '../auth/roles.ts';
import type { RequestMeta } from '../auth/service.ts';
import type { Clock } from '../clock.ts';
import { conflict, notFound } from '../errors.ts';
import type { EventsService } from '../events/service.ts';
import type { Logger } from '../logger.ts';
import { testGatewayConnection } from './connection-test.ts';
import { sealGatewaySecret, sealNewIdentity } from './gateway-secrets.ts';
import type { GatewayManager } from './manager/manager.ts';
import type { CreateGatewayInput, GatewaySeed, TestGatewayInput, UpdateGatewayInput } from './schema.ts';

export type GatewaysDeps = { database: Database; clock: Clock; events: EventsService; audit: AuditService; manager: GatewayManager; secretKey: Buffer; log: Logger };

export function createGatewaysService(deps: GatewaysDeps) {
  const { database, clock, events, audit, manager, secretKey } = deps;
  const db = database.prisma;

  async function findOrThrow(id: string) {
    const row = await db.gateway.findUnique({ where: { id } });
    if (row === null) throw notFound('No such gateway');
    return row;
  }

  async function assertNameFree(name: string, exceptId?: string) {
    const existing = await db.gateway.findUnique({ where: { name }, select: { id: true } });
    if (existing !== null && existing.id !== exceptId) throw conflict(`A gateway named ${name} already exists`);
  }

  async function list() {
    const rows = await db.gateway.findMany({ orderBy: { name: 'asc' } });
    return Promise.all(rows.map((row) => manager.viewOf(row)));
  }

  async function view(id: string) {
    return manager.viewOf(await findOrThrow(id));
  }

  async function create(actor: UserActor | null, input: CreateGatewayInput, meta: RequestMeta) {
    await assertNameFree(input.name);
    const id = randomUUID();
    const now = clock.now();
    await events.transaction(async (tx, emit) => {
      const row = await tx.gateway.create({
        data: {
          id, name: input.name, url: input.url, authMode: input.authMode, requestAdminScope: input.requestAdminScope, enabled: input.enabled,
          secretSealed: input.secret === undefined || input.authMode === 'none' ? null : sealGatewaySecret(secretKey, id, 'secret', input.secret),
          identitySealed: sealNewIdentity(secretKey, id), status: input.enabled ? 'connecting' : 'disabled', createdAt: now, updatedAt: now,
        },
      });
      const details = { name: input.name, url: input.url, authMode: input.authMode, requestAdminScope: input.requestAdminScope, enabled: input.enabled };
      if (actor === null) {
        await tx.auditLog.create({ data: { at: now, actorType: 'system', actorName: 'MC_GATEWAYS', action: 'gateway.created', targetType: 'gateway', targetId: id, details: JSON.stringify(details) } });
      } else {
        await audit.record({ actor, action: 'gateway.created', targetType: 'gateway', targetId: id, ip: meta.ip, details }, tx);
      }
      await emit({ type: 'gateway.updated', payload: { gatewayId: id, gateway: await manager.viewOf(row, tx) } });
    });
    await manager.reload(id);
    return view(id);
  }

  async function update(actor: UserActor, input: UpdateGatewayInput, meta: RequestMeta) {
    const before = await findOrThrow(input.id);
    if (input.name !== undefined && input.name !== before.name) await assertNameFree(input.name, before.id);
    const changes: Record<string, unknown> = {};
    const data: Record<string, unknown> = {};
    for (const field of ['name', 'url', 'authMode', 'requestAdminScope', 'enabled'] as const) {
      const value = input[field];
      if (value !== undefined && value !== before[field]) {
        changes[field] = { before: before[field], after: value };
        data[field] = value;
      }
    }
    if (input.secret !== undefined) {
      changes.secret = input.secret === null ? 'cleared' : 'replaced';
      data.secretSealed = input.secret === null ? null : sealGatewaySecret(secretKey, before.id, 'secret', input.secret);
    }
    // A device token belongs to one gateway and one approved scope set: another URL is another gateway,
    // other scopes need a fresh approval (GATEWAY.md §5.2 step 5), which the shared credential requests.
    const hasSharedSecret = (data.secretSealed ?? before.secretSealed) !== null;
    if (data.url !== undefined || (data.requestAdminScope !== undefined && hasSharedSecret)) {
      data.deviceTokenSealed = null;
      data.deviceTokenScopes = '[]';
      if (before.deviceTokenSealed !== null) changes.deviceToken = 'dropped';
    }
    if (Object.keys(data).length === 0) return view(before.id);
    if (data.enabled === false) data.status = 'disabled';
    else if (data.enabled === true) data.status = 'connecting';
    await events.transaction(async (tx, emit) => {
      const row = await tx.gateway.update({ where: { id: before.id }, data: { ...data, updatedAt: clock.now() } });
      if (data.name !== undefined) {
        const agents = await tx.agent.findMany({ where: { gatewayId: before.id, source: 'gateway' }, select: { id: true, name: true } });
        for (const agent of agents) {
          if (!agent.name.startsWith(`${before.name}/`)) continue;
          const renamed = await tx.agent.update({ where: { id: agent.id }, data: { name: `${row.name}/${agent.name.slice(before.name.length + 1)}` } });
          await emit({ type: 'agent.updated', agentId: agent.id, payload: { agentId: agent.id, agent: toAgentView(renamed), statusChanged: false } });
        }
      }
      await audit.record({ actor, action: 'gateway.updated', targetType: 'gateway', targetId: before.id, ip: meta.ip, details: { name: row.name, changes } }, tx);
      await emit({ type: 'gateway.updated', payload: { gatewayId: row.id, gateway: await manager.viewOf(row, tx) } });
    });
    await manager.reload(before.id);
    return view(before.id);
  }

  async function remove(actor: UserActor, id: string, meta: RequestMeta) {
    const before = await findOrThrow(id);
    await manager.disconnect(id);
    const now = clock.now();
    await events.transaction(async (tx, emit) => {
      // Mirrored agents stay (their usage history points at them) but go offline; sessions and cron
      // rows go with the gateway (ON DELETE CASCADE).
      const agents = await tx.agent.findMany({ where: { gatewayId: id, source: 'gateway', status: { not: 'offline' } } });
      for (const agent of agents) {
        const updated = await tx.agent.update({ where: { id: agent.id }, data: { status: 'offline', activity: 'gateway removed', statusChangedAt: now } });
        await tx.agentActivity.create({ data: { agentId: agent.id, at: now, fromStatus: agent.status, toStatus: 'offline', activity: 'gateway removed' } });
        await emit({ type: 'agent.updated', agentId: agent.id, payload: { agentId: agent.id, agent: toAgentView(updated), statusChanged: true } });
      }
      await tx.gateway.delete({ where: { id } });
      await audit.record({ actor, action: 'gateway.removed', targetType: 'gateway', targetId: id, ip: meta.ip, details: { name: before.name, url: before.url } }, tx);
      await emit({ type: 'gateway.removed', payload: { gatewayId: id, name: before.name } });
    });
    return { ok: true as const };
  }

  async function retryNow(id: string) {
    const row = await findOrThrow(id);
    if (!row.enabled) throw conflict(`Gateway ${row.name} is disabled; enable it first`);
    if (!manager.retryNow(id)) await manager.reload(id);
    return view(id);
  }

  function test(input: TestGatewayInput) {
    return testGatewayConnection(input, deps.log);
  }

  /** MC_GATEWAYS: creates the entries whose name does not exist yet; returns the names created. */
  async function seed(entries: readonly GatewaySeed[]): Promise<string[]> {
    const created: string[] = [];
    for (const entry of entries) {
      const existing = await db.gateway.findUnique({ where: { name: entry.name }, select: { id: true } });
      if (existing !== null) continue;
      const authMode = entry.password !== undefined ? 'password' : entry.token !== undefined ? 'token' : 'none';
      const secret = entry.password ?? entry.token;
      await create(null, {
        name: entry.name, url: entry.url, authMode, requestAdminScope: entry.requestAdminScope ?? false, enabled: true,
        ...(secret === undefined ? {} : { secret }),
      }, {});
      created.push(entry.name);
    }
    return created;
  }

  return { list, view, create, update, remove, retryNow, test, seed };
}

export type GatewaysService = ReturnType<typeof createGatewaysService>;
