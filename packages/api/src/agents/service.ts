// Agents: connect/disconnect/register, heartbeats, liveness, fleet queries and admin actions.
// Agent keys may act only as their own agent (403 otherwise); an unknown agent is a 404.
import { randomUUID } from 'node:crypto';
import { type Database, sqliteDate } from '@mc/db';
import type { ApiKeysService } from '../api-keys/service.ts';
import type { AuditService } from '../audit/service.ts';
import { createRateLimiter } from '../auth/rate-limiter.ts';
import { type Actor, hasAccess, type UserActor } from '../auth/roles.ts';
import type { RequestMeta } from '../auth/service.ts';
import type { Clock } from '../clock.ts';
import { DomainError, forbidden, notFound, rateLimited } from '../errors.ts';
import type { EventsService } from '../events/service.ts';
import type { UsageWriter } from '../usage/usage-writer.ts';
import { nanosToUsd } from '../usage/pricing/money.ts';
import type { Logger } from '../logger.ts';
import type { PriceTable } from '../usage/pricing/price-table.ts';
import { createAgentLookup } from './agent-lookup.ts';
import { createHeartbeatWriter } from './heartbeat.ts';
import { createHeartbeatBatcher } from './heartbeat-batcher.ts';
import { type BeatExecutor, createInlineExecutor } from './heartbeat-executor.ts';
import { createWorkerExecutor, type HeartbeatWorkerEntry } from './heartbeat-worker-host.ts';
import type { RateLimitSettings } from './rate-limits.ts';
import type { ConnectInput, HeartbeatInput, RegisterInput } from './schema.ts';
import { type AgentView, toAgentView } from './views.ts';

export type WorkItemGroup = { type: string; items: unknown[] };
/** Later features (tasks, budgets) contribute work items to heartbeat responses. */
export type WorkItemSource = (agent: AgentView) => Promise<WorkItemGroup | null>;

export type AgentsDeps = {
  database: Database;
  clock: Clock;
  events: EventsService;
  audit: AuditService;
  apiKeys: ApiKeysService;
  usageWriter: UsageWriter;
  offlineAfterS: number;
  rateLimits: RateLimitSettings;
  log: Logger;
  /** Prices in force, for the heartbeat worker (the inline writer has them through usageWriter). */
  priceTable: () => PriceTable;
  /** Write heartbeats in a worker thread (the server does); without it they are written on the main thread. */
  heartbeatWorker?: HeartbeatWorkerEntry | null;
};

export function createAgentsService(deps: AgentsDeps) {
  const { database, clock, events, audit, apiKeys } = deps;
  const db = database.prisma;
  const heartbeatIntervalS = Math.max(1, Math.floor(deps.offlineAfterS / 3));
  const heartbeatLimiter = createRateLimiter({ limit: deps.rateLimits.heartbeatPerAgentPerMin, windowMs: 60_000, clock });
  const connectLimiter = createRateLimiter({ limit: deps.rateLimits.connectPerAgentPerMin, windowMs: 60_000, clock });
  const agentLookup = createAgentLookup(database.sqlite);
  const inline = createInlineExecutor(database.sqlite, createHeartbeatWriter(database.sqlite, events, deps.usageWriter));
  const executor: BeatExecutor = deps.heartbeatWorker
    ? createWorkerExecutor({ database, clock, priceTable: deps.priceTable, log: deps.log, entry: deps.heartbeatWorker, fallback: inline })
    : inline;
  const heartbeats = createHeartbeatBatcher({ writeLock: database.writeLock, lookup: agentLookup.resolve, executor, publish: events.publish });
  const workItemSources: WorkItemSource[] = [];

  function limit(limiter: ReturnType<typeof createRateLimiter>, key: string) {
    const verdict = limiter.hit(key);
    if (!verdict.allowed) throw rateLimited(verdict.retryAfterS);
  }

  /** Agent keys act only as their own agent; users need operator. */
  function assertMayActAs(actor: Actor, agent: { id: string; name: string }) {
    if (actor.kind === 'agent') {
      if (actor.agentId !== agent.id) throw forbidden(`This agent key belongs to another agent, not ${agent.name}`);
      return;
    }
    if (!hasAccess(actor, 'operator')) throw forbidden('Acting for an agent needs the operator role');
  }

  function resolveRef(agentRef: string): { id: string; name: string } {
    return agentLookup.resolve(agentRef);
  }

  async function connect(actor: Actor, input: ConnectInput, meta: RequestMeta) {
    limit(connectLimiter, input.agentName);
    executor.warm(); // heartbeats follow a connect: their writer should be up by then
    if (actor.kind === 'agent') {
      const bound = await db.agent.findUnique({ where: { id: actor.agentId }, select: { name: true } });
      if (!bound) throw notFound('The agent this key belongs to was removed');
      if (bound.name !== input.agentName) throw forbidden(`This agent key belongs to ${bound.name}, not ${input.agentName}`);
    } else if (!hasAccess(actor, 'operator')) {
      throw forbidden('Connecting an agent needs the operator role or an agent key');
    }
    const now = clock.now();
    const connectionId = randomUUID();
    const { agent } = await events.transaction(async (tx, emit) => {
      const existing = await tx.agent.findUnique({ where: { name: input.agentName } });
      const data = {
        status: 'online',
        activity: null,
        lastSeenAt: now,
        toolName: input.toolName ?? existing?.toolName ?? null,
        toolVersion: input.toolVersion ?? existing?.toolVersion ?? null,
        role: input.agentRole ?? existing?.role ?? null,
        heartbeatIntervalS,
        ...(input.metadata ? { metadata: JSON.stringify(input.metadata) } : {}),
        ...(existing?.status !== 'online' ? { statusChangedAt: now } : {}),
      };
      const agentRow = existing
        ? await tx.agent.update({ where: { id: existing.id }, data })
        : await tx.agent.create({ data: { name: input.agentName, source: 'sdk', createdAt: now, ...data } });
      // PROTOCOL.md §3: a new connection supersedes the agent's previous live ones.
      await tx.agentConnection.updateMany({ where: { agentId: agentRow.id, endedAt: null }, data: { endedAt: now, endReason: 'superseded' } });
      await tx.agentConnection.create({
        data: { id: connectionId, agentId: agentRow.id, toolName: data.toolName, toolVersion: data.toolVersion, startedAt: now, lastHeartbeatAt: now },
      });
      if (existing?.status !== 'online') {
        await tx.agentActivity.create({ data: { agentId: agentRow.id, at: now, fromStatus: existing?.status ?? null, toStatus: 'online' } });
      }
      const view = toAgentView(agentRow);
      const recorded = await emit({ type: 'agent.updated', agentId: agentRow.id, payload: { agentId: agentRow.id, agent: view, statusChanged: existing?.status !== 'online', connected: true } });
      return { agent: view, event: recorded };
    });
    if (actor.kind === 'user') await audit.record({ actor, action: 'agent.connected', targetType: 'agent', targetId: agent.id, ip: meta.ip });
    return {
      connection_id: connectionId,
      agent_id: agent.id,
      agent_name: agent.name,
      status: 'connected' as const,
      heartbeat_url: `/api/agents/${encodeURIComponent(agent.name)}/heartbeat`,
      token_report_url: '/api/tokens',
      events_url: '/api/events',
      heartbeat_interval_s: heartbeatIntervalS,
    };
  }

  async function disconnect(actor: Actor, connectionId: string) {
    const connection = await db.agentConnection.findUnique({ where: { id: connectionId } });
    if (!connection) throw notFound('Unknown connection_id');
    const agent = await db.agent.findUnique({ where: { id: connection.agentId } });
    if (!agent) throw notFound('The agent of this connection was removed');
    assertMayActAs(actor, agent);
    const now = clock.now();
    await events.transaction(async (tx, emit) => {
      await tx.agentConnection.updateMany({ where: { id: connectionId, endedAt: null }, data: { endedAt: now, endReason: 'disconnected' } });
      const live = await tx.agentConnection.count({ where: { agentId: agent.id, endedAt: null } });
      if (live === 0 && agent.status !== 'offline') {
        const updated = await tx.agent.update({ where: { id: agent.id }, data: { status: 'offline', statusChangedAt: now, activity: null } });
        await tx.agentActivity.create({ data: { agentId: agent.id, at: now, fromStatus: agent.status, toStatus: 'offline', activity: 'disconnected' } });
        await emit({ type: 'agent.updated', agentId: agent.id, payload: { agentId: agent.id, agent: toAgentView(updated), statusChanged: true } });
      }
    });
    return { status: 'disconnected' as const, connection_id: connectionId };
  }

  async function register(actor: Actor, input: RegisterInput) {
    limit(connectLimiter, input.name);
    if (actor.kind === 'agent') {
      const bound = await db.agent.findUnique({ where: { id: actor.agentId }, select: { name: true } });
      if (bound?.name !== input.name) throw forbidden(`This agent key belongs to ${bound?.name ?? 'a removed agent'}, not ${input.name}`);
    } else if (!hasAccess(actor, 'operator')) {
      throw forbidden('Registering an agent needs the operator role or an agent key');
    }
    const existing = await db.agent.findUnique({ where: { name: input.name } });
    if (existing) return { registered: false, agent: toAgentView(existing) };
    const now = clock.now();
    const agent = await events.transaction(async (tx, emit) => {
      const row = await tx.agent.create({
        data: {
          name: input.name, role: input.role ?? null, framework: input.framework ?? null, capabilities: JSON.stringify(input.capabilities ?? []),
          source: 'sdk', status: 'offline', heartbeatIntervalS, createdAt: now, statusChangedAt: now,
        },
      });
      const view = toAgentView(row);
      await emit({ type: 'agent.updated', agentId: row.id, payload: { agentId: row.id, agent: view, statusChanged: false, registered: true } });
      return view;
    });
    return { registered: true, agent };
  }

  async function heartbeat(actor: Actor, agentRef: string, beat: HeartbeatInput) {
    const now = clock.now();
    // The agent is looked up, and the key and rate limit checked, as its batch is sent, before any write (404, 403, 429).
    const outcome = await heartbeats.write(agentRef, beat, now, (agent) => {
      assertMayActAs(actor, agent);
      limit(heartbeatLimiter, agent.id);
    });
    const groups = (await Promise.all(workItemSources.map((source) => source(outcome.agent)))).filter((g): g is WorkItemGroup => g !== null && g.items.length > 0);
    return {
      status: groups.length ? ('WORK_ITEMS_FOUND' as const) : ('HEARTBEAT_OK' as const),
      agent: outcome.agent.name,
      checked_at: now.toISOString(),
      token_recorded: outcome.usage.recorded,
      token_duplicates: outcome.usage.duplicates,
      next_heartbeat_s: heartbeatIntervalS,
      work_items: groups,
    };
  }

  // Every second from the liveness tick: raw SQL, so an idle server never starts Prisma's query engine.
  const overdueAgents = database.sqlite.prepare(`SELECT id FROM "Agent" WHERE status <> 'offline' AND source = 'sdk' AND lastSeenAt < ?`);
  /** Marks agents whose last heartbeat is past the deadline offline; one event each (PROTOCOL.md §4). */
  async function markOverdueOffline(): Promise<number> {
    const now = clock.now();
    const cutoff = new Date(now.getTime() - deps.offlineAfterS * 1000);
    const overdue = overdueAgents.all(sqliteDate(cutoff)) as Array<{ id: string }>;
    for (const { id } of overdue) {
      await events.transaction(async (tx, emit) => {
        const agent = await tx.agent.findUnique({ where: { id } });
        if (!agent || agent.status === 'offline' || !agent.lastSeenAt || agent.lastSeenAt >= cutoff) return;
        const updated = await tx.agent.update({ where: { id }, data: { status: 'offline', statusChangedAt: now } });
        await tx.agentConnection.updateMany({ where: { agentId: id, endedAt: null }, data: { endedAt: now, endReason: 'heartbeat timeout' } });
        await tx.agentActivity.create({ data: { agentId: id, at: now, fromStatus: agent.status, toStatus: 'offline', activity: 'missed heartbeats' } });
        await emit({ type: 'agent.updated', agentId: id, payload: { agentId: id, agent: toAgentView(updated), statusChanged: true } });
      });
    }
    return overdue.length;
  }

  async function list(since?: Date) {
    const start = since ?? new Date(clock.now().toISOString().slice(0, 10));
    const [agents, usage] = await Promise.all([
      db.agent.findMany({ orderBy: { name: 'asc' } }),
      database.sqlite
        .prepare(
          `SELECT agentId, SUM(inputTokens + outputTokens + cacheReadTokens + cacheWriteTokens) AS tokens, SUM(costNanos) AS costNanos,
           SUM(CASE WHEN costNanos IS NULL THEN 1 ELSE 0 END) AS unpriced
           FROM "UsageRecord" WHERE occurredAt >= ? AND agentId IS NOT NULL GROUP BY agentId`,
        )
        .all(sqliteDate(start)) as { agentId: string; tokens: number; costNanos: number | null; unpriced: number }[],
    ]);
    const byAgent = new Map(usage.map((u) => [u.agentId, u]));
    return agents.map((row) => {
      const u = byAgent.get(row.id);
      return { ...toAgentView(row), tokensToday: u?.tokens ?? 0, costTodayUsd: u?.costNanos ? nanosToUsd(BigInt(u.costNanos)) : 0, unpricedToday: u?.unpriced ?? 0 };
    });
  }

  async function byId(agentRef: string) {
    const ref = resolveRef(agentRef);
    const agent = await db.agent.findUniqueOrThrow({ where: { id: ref.id } });
    const weekAgo = new Date(clock.nowMs() - 7 * 86_400_000);
    const [connections, timeline, usageByModel, keys] = await Promise.all([
      db.agentConnection.findMany({ where: { agentId: ref.id }, orderBy: { startedAt: 'desc' }, take: 20 }),
      db.agentActivity.findMany({ where: { agentId: ref.id }, orderBy: { id: 'desc' }, take: 50 }),
      database.sqlite
        .prepare(
          `SELECT model, COUNT(*) AS records, SUM(inputTokens) AS inputTokens, SUM(outputTokens) AS outputTokens, SUM(cacheReadTokens) AS cacheReadTokens,
           SUM(cacheWriteTokens) AS cacheWriteTokens, SUM(costNanos) AS costNanos, SUM(CASE WHEN costNanos IS NULL THEN 1 ELSE 0 END) AS unpriced
           FROM "UsageRecord" WHERE agentId = ? AND occurredAt >= ? GROUP BY model ORDER BY costNanos DESC`,
        )
        .all(ref.id, sqliteDate(weekAgo)) as Array<{ model: string; records: number; inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheWriteTokens: number; costNanos: number | null; unpriced: number }>,
      db.apiKey.findMany({ where: { agentId: ref.id }, orderBy: { createdAt: 'desc' }, include: { user: { select: { username: true } } } }),
    ]);
    return {
      agent: { ...toAgentView(agent), metadata: JSON.parse(agent.metadata) as unknown, capabilities: JSON.parse(agent.capabilities) as unknown, framework: agent.framework },
      connections: connections.map((c) => ({ id: c.id, toolName: c.toolName, toolVersion: c.toolVersion, startedAt: c.startedAt.toISOString(), lastHeartbeatAt: c.lastHeartbeatAt.toISOString(), endedAt: c.endedAt?.toISOString() ?? null, endReason: c.endReason })),
      timeline: timeline.map((t) => ({ id: t.id, at: t.at.toISOString(), fromStatus: t.fromStatus, toStatus: t.toStatus, activity: t.activity })),
      usageByModel: usageByModel.map((u) => ({ ...u, costUsd: u.costNanos === null ? null : nanosToUsd(BigInt(u.costNanos)) })),
      keys: keys.map((k) => ({ id: k.id, name: k.name, displayPrefix: k.displayPrefix, createdAt: k.createdAt.toISOString(), lastUsedAt: k.lastUsedAt?.toISOString() ?? null, revokedAt: k.revokedAt?.toISOString() ?? null })),
    };
  }

  async function createKey(actor: UserActor, agentId: string, name: string, meta: RequestMeta) {
    const agent = await db.agent.findUnique({ where: { id: agentId } });
    if (!agent) throw notFound('No such agent');
    return apiKeys.createForAgent(actor, agent, name, meta);
  }

  async function remove(actor: UserActor, agentId: string, meta: RequestMeta) {
    const agent = await db.agent.findUnique({ where: { id: agentId } });
    if (!agent) throw notFound('No such agent');
    if (agent.source === 'gateway') throw new DomainError('CONFLICT', 'This agent is mirrored from a gateway; remove it on the gateway');
    const now = clock.now();
    await events.transaction(async (tx, emit) => {
      await tx.agentConnection.deleteMany({ where: { agentId } });
      await tx.agentActivity.deleteMany({ where: { agentId } });
      await tx.apiKey.updateMany({ where: { agentId, revokedAt: null }, data: { revokedAt: now } });
      await tx.agent.delete({ where: { id: agentId } });
      await emit({ type: 'agent.removed', agentId, payload: { agentId, name: agent.name } });
    });
    apiKeys.forgetCachedKeys();
    // Usage records keep their agentId: history and costs stay correct after removal.
    await audit.record({ actor, action: 'agent.removed', targetType: 'agent', targetId: agentId, ip: meta.ip, details: { name: agent.name } });
    return { ok: true as const };
  }

  /** PROTOCOL.md §1: x-agent-name is accepted for compatibility but must match an agent key's agent. */
  function checkCompatAgentName(actor: Actor, name: string | undefined) {
    if (!name || actor.kind !== 'agent') return;
    const agent = agentLookup.find(name);
    if (agent?.id !== actor.agentId) throw forbidden(`x-agent-name ${name} does not match this agent key`);
  }

  return {
    heartbeatIntervalS,
    checkCompatAgentName,
    connect,
    disconnect,
    register,
    heartbeat,
    markOverdueOffline,
    list,
    byId,
    createKey,
    remove,
    resolveRef,
    assertMayActAs,
    addWorkItemSource: (source: WorkItemSource) => workItemSources.push(source),
    /** Where heartbeats are written now (the worker thread once it runs). */
    heartbeatThread: () => executor.thread(),
    /** Stops the heartbeat worker once the writes in flight are done; later beats are written inline. */
    close: () => database.writeLock(() => executor.close()),
  };
}

export type AgentsService = ReturnType<typeof createAgentsService>;
