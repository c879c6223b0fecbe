// Mirror writes on the raw connection (call inside database.rawTransaction): gateway agents (Agent rows,
// source 'gateway'), sessions, cron jobs and runs, each tagged with gatewayId. Every function appends
// the outbox events it recorded to `emitted`; the caller publishes them after the commit. Events are
// recorded only for rows that actually changed, so a resync of an unchanged gateway is silent.
import { randomUUID } from 'node:crypto';
import { type Database, sqliteDate } from '@mc/db';
import { toAgentView, type AgentRowLike } from '../../agents/views.ts';
import type { Clock } from '../../clock.ts';
import type { BusEvent } from '../../events/bus.ts';
import type { EventsService } from '../../events/service.ts';
import { type CronJobRowLike, toCronJobItem, toCronRunItem } from '../../cron/views.ts';
import { type SessionRowLike, toSessionListItem } from '../../sessions/views.ts';
import type { MirroredCronJob, MirroredCronRun } from './cron-row.ts';
import type { MirroredSession } from './session-row.ts';

export type GatewayRef = { id: string; name: string };
export type MirroredAgent = { gatewayAgentId: string; displayName: string | null; emoji: string | null; model: string | null };
export type AgentLink = { id: string; name: string };

/** More changed rows than this in one resync → one `sessions.resynced` event instead of one per row. */
export const RESYNC_EVENT_LIMIT = 100;

/** Agent.name of a mirrored agent: '/' is not allowed in SDK agent names, so this never collides. */
export const gatewayAgentName = (gatewayName: string, gatewayAgentId: string) => `${gatewayName}/${gatewayAgentId}`;

const dateOrNull = (value: Date | null) => (value === null ? null : sqliteDate(value));

export function createMirrorStore(deps: { database: Database; events: EventsService; clock: Clock }) {
  const { events, clock } = deps;
  const sqlite = deps.database.sqlite;
  const statements = {
    upsertAgent: sqlite.prepare(`INSERT INTO "Agent" (id, name, role, status, activity, statusChangedAt, lastSeenAt, source, gatewayId, toolName,
      toolVersion, capabilities, metadata, heartbeatIntervalS, createdAt, updatedAt)
      VALUES (?, ?, NULL, ?, NULL, ?, ?, 'gateway', ?, 'openclaw', ?, '[]', ?, 30, ?, ?)
      ON CONFLICT (name) DO UPDATE SET source = 'gateway', gatewayId = excluded.gatewayId, toolName = 'openclaw', toolVersion = excluded.toolVersion,
        metadata = excluded.metadata, lastSeenAt = excluded.lastSeenAt, updatedAt = excluded.updatedAt
      RETURNING *`),
    agentsOfGateway: sqlite.prepare(`SELECT * FROM "Agent" WHERE gatewayId = ? AND source = 'gateway'`),
    busyCount: sqlite.prepare(`SELECT COUNT(*) AS n FROM "GatewaySession" WHERE gatewayId = ? AND agentId = ? AND busy = 1`),
    setAgentStatus: sqlite.prepare(`UPDATE "Agent" SET status = ?, activity = ?, statusChangedAt = ?, updatedAt = ? WHERE id = ? RETURNING *`),
    agentActivity: sqlite.prepare(`INSERT INTO "AgentActivity" (agentId, at, fromStatus, toStatus, activity) VALUES (?, ?, ?, ?, ?)`),
    findSession: sqlite.prepare(`SELECT * FROM "GatewaySession" WHERE gatewayId = ? AND sessionKey = ?`),
    sessionKeys: sqlite.prepare(`SELECT sessionKey FROM "GatewaySession" WHERE gatewayId = ?`),
    upsertSession: sqlite.prepare(`INSERT INTO "GatewaySession" (id, gatewayId, sessionKey, gatewayAgentId, agentId, title, status, busy, model,
      inputTokens, outputTokens, contextTokens, contextLimit, costNanos, activityAt, raw, syncedAt)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (gatewayId, sessionKey) DO UPDATE SET gatewayAgentId = excluded.gatewayAgentId, agentId = excluded.agentId, title = excluded.title,
        status = excluded.status, busy = excluded.busy, model = excluded.model, inputTokens = excluded.inputTokens, outputTokens = excluded.outputTokens,
        contextTokens = excluded.contextTokens, contextLimit = excluded.contextLimit, costNanos = excluded.costNanos, activityAt = excluded.activityAt,
        raw = excluded.raw, syncedAt = excluded.syncedAt
      RETURNING id`),
    deleteSession: sqlite.prepare(`DELETE FROM "GatewaySession" WHERE gatewayId = ? AND sessionKey = ? RETURNING id`),
    markUsageSynced: sqlite.prepare(`UPDATE "GatewaySession" SET usageSyncedAt = ? WHERE gatewayId = ? AND sessionKey = ?`),
    findJob: sqlite.prepare(`SELECT * FROM "CronJob" WHERE gatewayId = ? AND jobId = ?`),
    jobIds: sqlite.prepare(`SELECT jobId FROM "CronJob" WHERE gatewayId = ?`),
    upsertJob: sqlite.prepare(`INSERT INTO "CronJob" (id, gatewayId, jobId, name, gatewayAgentId, enabled, schedule, nextRunAt, lastRunAt, lastStatus,
      lastDurationMs, consecutiveErrors, lastError, runningAt, raw, syncedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (gatewayId, jobId) DO UPDATE SET name = excluded.name, gatewayAgentId = excluded.gatewayAgentId, enabled = excluded.enabled,
        schedule = excluded.schedule, nextRunAt = excluded.nextRunAt, lastRunAt = excluded.lastRunAt, lastStatus = excluded.lastStatus,
        lastDurationMs = excluded.lastDurationMs, consecutiveErrors = excluded.consecutiveErrors, lastError = excluded.lastError,
        runningAt = excluded.runningAt, raw = excluded.raw, syncedAt = excluded.syncedAt
      RETURNING *`),
    deleteJob: sqlite.prepare(`DELETE FROM "CronJob" WHERE gatewayId = ? AND jobId = ? RETURNING id`),
    insertRun: sqlite.prepare(`INSERT INTO "CronRun" (id, gatewayId, jobId, runId, status, runAt, durationMs, summary, error, model, provider,
      sessionKey, inputTokens, outputTokens, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (gatewayId, runId) DO NOTHING RETURNING id`),
  };

  function record(emitted: BusEvent[], type: string, payload: unknown, agentId: string | null = null): void {
    emitted.push(events.recordRaw(sqlite, { type, payload, agentId }));
  }

  // ---------- agents ----------

  /** Upserts the gateway's agents; agents no longer listed go offline. Returns gateway agent id → Agent. */
  function upsertAgents(gateway: GatewayRef, agents: readonly MirroredAgent[], toolVersion: string | null, emitted: BusEvent[]): Map<string, AgentLink> {
    const now = sqliteDate(clock.now());
    const links = new Map<string, AgentLink>();
    for (const agent of agents) {
      const metadata = JSON.stringify({ gatewayAgentId: agent.gatewayAgentId, displayName: agent.displayName, emoji: agent.emoji, model: agent.model });
      const id = randomUUID();
      const row = statements.upsertAgent.get(id, gatewayAgentName(gateway.name, agent.gatewayAgentId), 'idle', now, now, gateway.id, toolVersion, metadata, now, now) as AgentRowLike;
      links.set(agent.gatewayAgentId, { id: row.id, name: row.name });
      if (row.id === id) record(emitted, 'agent.updated', { agentId: row.id, agent: toAgentView(row), statusChanged: true, registered: true }, row.id);
    }
    const listed = new Set([...links.values()].map((link) => link.id));
    for (const row of statements.agentsOfGateway.all(gateway.id) as AgentRowLike[]) {
      if (!listed.has(row.id)) setAgentStatus(row, 'offline', 'not listed by the gateway', emitted);
    }
    return links;
  }

  function agentLinks(gatewayId: string): Map<string, AgentLink> {
    const links = new Map<string, AgentLink>();
    for (const row of statements.agentsOfGateway.all(gatewayId) as (AgentRowLike & { metadata: string })[]) {
      const gatewayAgentId = readGatewayAgentId(row.metadata) ?? row.name.slice(row.name.indexOf('/') + 1);
      links.set(gatewayAgentId, { id: row.id, name: row.name });
    }
    return links;
  }

  function setAgentStatus(row: AgentRowLike, status: string, activity: string | null, emitted: BusEvent[]): void {
    if (row.status === status) return;
    const now = sqliteDate(clock.now());
    const updated = statements.setAgentStatus.get(status, activity, now, now, row.id) as AgentRowLike;
    statements.agentActivity.run(row.id, now, row.status, status, activity);
    record(emitted, 'agent.updated', { agentId: row.id, agent: toAgentView(updated), statusChanged: true }, row.id);
  }

  /** Gateway agents: offline when the gateway is not ready, else busy while one of their sessions runs. */
  function refreshAgentStatuses(gatewayId: string, ready: boolean, emitted: BusEvent[], onlyAgentIds?: ReadonlySet<string>): void {
    for (const row of statements.agentsOfGateway.all(gatewayId) as AgentRowLike[]) {
      if (onlyAgentIds !== undefined && !onlyAgentIds.has(row.id)) continue;
      if (!ready) {
        setAgentStatus(row, 'offline', 'gateway not connected', emitted);
        continue;
      }
      const busy = (statements.busyCount.get(gatewayId, row.id) as { n: number }).n > 0;
      setAgentStatus(row, busy ? 'busy' : 'idle', busy ? 'session running' : null, emitted);
    }
  }

  // ---------- sessions ----------

  /** Upserts sessions; records session.updated per changed row (or one sessions.resynced past the limit). */
  function upsertSessions(gateway: GatewayRef, sessions: readonly MirroredSession[], links: ReadonlyMap<string, AgentLink>, emitted: BusEvent[]): Set<string> {
    const now = sqliteDate(clock.now());
    const changedAgents = new Set<string>();
    const changedItems: ReturnType<typeof toSessionListItem>[] = [];
    for (const session of sessions) {
      const link = session.gatewayAgentId === null ? undefined : links.get(session.gatewayAgentId);
      const before = statements.findSession.get(gateway.id, session.sessionKey) as (SessionRowLike & { agentId: string | null }) | undefined;
      const row = statements.upsertSession.get(
        before?.id ?? randomUUID(), gateway.id, session.sessionKey, session.gatewayAgentId, link?.id ?? null, session.title, session.status,
        session.busy ? 1 : 0, session.model, session.inputTokens, session.outputTokens, session.contextTokens, session.contextLimit,
        session.costNanos, dateOrNull(session.activityAt), JSON.stringify(session.raw), now,
      ) as { id: string };
      const item = toSessionListItem({
        ...session, id: row.id, source: 'gateway', gatewayId: gateway.id, gatewayName: gateway.name, agentId: link?.id ?? null, agentName: link?.name ?? null,
      });
      const previous = before === undefined ? null : toSessionListItem({ ...before, source: 'gateway', gatewayName: gateway.name, agentName: link?.name ?? null });
      if (previous !== null && JSON.stringify(previous) === JSON.stringify(item)) continue;
      changedItems.push(item);
      if (link !== undefined && (previous === null || previous.busy !== item.busy)) changedAgents.add(link.id);
      if (before?.agentId && before.agentId !== link?.id) changedAgents.add(before.agentId);
    }
    if (changedItems.length > RESYNC_EVENT_LIMIT) {
      record(emitted, 'sessions.resynced', { gatewayId: gateway.id, changed: changedItems.length });
    } else {
      for (const session of changedItems) record(emitted, 'session.updated', { gatewayId: gateway.id, session });
    }
    return changedAgents;
  }

  function removeSession(gateway: GatewayRef, sessionKey: string, emitted: BusEvent[]): boolean {
    const row = statements.deleteSession.get(gateway.id, sessionKey) as { id: string } | undefined;
    if (row !== undefined) record(emitted, 'session.removed', { gatewayId: gateway.id, sessionKey, id: row.id });
    return row !== undefined;
  }

  /** After a complete listing: rows the gateway no longer has are removed. */
  function removeSessionsExcept(gateway: GatewayRef, keep: ReadonlySet<string>, emitted: BusEvent[]): number {
    let removed = 0;
    for (const { sessionKey } of statements.sessionKeys.all(gateway.id) as { sessionKey: string }[]) {
      if (!keep.has(sessionKey) && removeSession(gateway, sessionKey, emitted)) removed += 1;
    }
    return removed;
  }

  function markUsageSynced(gatewayId: string, sessionKey: string, at: Date): void {
    statements.markUsageSynced.run(sqliteDate(at), gatewayId, sessionKey);
  }

  // ---------- cron ----------

  function upsertCronJobs(gateway: GatewayRef, jobs: readonly MirroredCronJob[], emitted: BusEvent[]): void {
    const now = sqliteDate(clock.now());
    for (const job of jobs) {
      const before = statements.findJob.get(gateway.id, job.jobId) as CronJobRowLike | undefined;
      const row = statements.upsertJob.get(
        before?.id ?? randomUUID(), gateway.id, job.jobId, job.name, job.gatewayAgentId, job.enabled ? 1 : 0, job.schedule, dateOrNull(job.nextRunAt),
        dateOrNull(job.lastRunAt), job.lastStatus, job.lastDurationMs, job.consecutiveErrors, job.lastError, dateOrNull(job.runningAt),
        JSON.stringify(job.raw), now,
      ) as CronJobRowLike;
      const item = toCronJobItem({ ...row, gatewayName: gateway.name });
      if (before !== undefined && JSON.stringify(toCronJobItem({ ...before, gatewayName: gateway.name })) === JSON.stringify(item)) continue;
      record(emitted, 'cron.updated', { gatewayId: gateway.id, job: item });
    }
  }

  function removeCronJob(gateway: GatewayRef, jobId: string, emitted: BusEvent[]): void {
    const row = statements.deleteJob.get(gateway.id, jobId) as { id: string } | undefined;
    if (row !== undefined) record(emitted, 'cron.removed', { gatewayId: gateway.id, jobId, id: row.id });
  }

  function removeCronJobsExcept(gateway: GatewayRef, keep: ReadonlySet<string>, emitted: BusEvent[]): void {
    for (const { jobId } of statements.jobIds.all(gateway.id) as { jobId: string }[]) {
      if (!keep.has(jobId)) removeCronJob(gateway, jobId, emitted);
    }
  }

  /**
   * Inserts runs not seen before. `announce` records cron.run (and cron.failed for failures) for the new
   * ones; a gateway's first sync passes false so old history does not replay as fresh failures.
   */
  function insertCronRuns(gateway: GatewayRef, runs: readonly MirroredCronRun[], announce: (run: MirroredCronRun) => boolean, emitted: BusEvent[]): MirroredCronRun[] {
    const now = sqliteDate(clock.now());
    const inserted: MirroredCronRun[] = [];
    for (const run of runs) {
      const row = statements.insertRun.get(
        randomUUID(), gateway.id, run.jobId, run.runId, run.status, sqliteDate(run.runAt), run.durationMs, run.summary, run.error, run.model,
        run.provider, run.sessionKey, run.inputTokens, run.outputTokens, now,
      );
      if (row === undefined) continue;
      inserted.push(run);
      if (!announce(run)) continue;
      const item = toCronRunItem({ ...run, runAt: run.runAt });
      record(emitted, 'cron.run', { gatewayId: gateway.id, jobId: run.jobId, run: item });
      if (run.status === 'error') {
        const jobName = run.jobName ?? (statements.findJob.get(gateway.id, run.jobId) as { name: string } | undefined)?.name ?? run.jobId;
        record(emitted, 'cron.failed', { gatewayId: gateway.id, gatewayName: gateway.name, jobId: run.jobId, jobName, error: run.error ?? run.summary ?? 'cron run failed', runId: run.runId });
      }
    }
    return inserted;
  }

  return {
    upsertAgents, agentLinks, refreshAgentStatuses, upsertSessions, removeSession, removeSessionsExcept, markUsageSynced,
    upsertCronJobs, removeCronJob, removeCronJobsExcept, insertCronRuns,
  };
}

export type MirrorStore = ReturnType<typeof createMirrorStore>;

function readGatewayAgentId(metadata: string): string | null {
  try {
    const parsed = JSON.parse(metadata) as { gatewayAgentId?: unknown };
    return typeof parsed.gatewayAgentId === 'string' ? parsed.gatewayAgentId : null;
  } catch {
    return null;
  }
}
