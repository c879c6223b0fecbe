// The heartbeat hot path (PROTOCOL.md §4): agent row, connection, status-change activity, usage
// records and exactly one agent.updated event, in one raw SQLite transaction; published after commit.
import { sqliteDate } from '@mc/db';
import type BetterSqlite3 from 'better-sqlite3';
import type { BusEvent } from '../events/bus.ts';
import type { EventsService } from '../events/service.ts';
import { type DeferredRollups, summaryForEvent, type UsageSummary, type UsageWriter } from '../usage/usage-writer.ts';
import { createAgentLookup } from './agent-lookup.ts';
import type { HeartbeatInput } from './schema.ts';
import { type AgentRowLike, type AgentView, toAgentView } from './views.ts';

export type HeartbeatOutcome = { agent: AgentView; usage: UsageSummary; event: BusEvent };

/** Throws to refuse a beat for this agent (wrong agent key, rate limit); runs before any write. */
export type BeatCheck = (agent: { id: string; name: string }) => void;

export type HeartbeatWriter = ReturnType<typeof createHeartbeatWriter>;

export function createHeartbeatWriter(sqlite: BetterSqlite3.Database, events: EventsService, usageWriter: UsageWriter) {
  const agents = createAgentLookup(sqlite);
  const updateAgent = sqlite.prepare(
    `UPDATE "Agent" SET status = ?, activity = ?, lastSeenAt = ?, statusChangedAt = ?, currentTaskId = ?, updatedAt = ? WHERE id = ?`,
  );
  const touchConnection = sqlite.prepare(`UPDATE "AgentConnection" SET lastHeartbeatAt = ? WHERE id = ? AND agentId = ? AND endedAt IS NULL`);
  const addActivity = sqlite.prepare(`INSERT INTO "AgentActivity" (agentId, at, fromStatus, toStatus, activity) VALUES (?, ?, ?, ?, ?)`);

  /**
   * Finds the agent by id or name (inside the group commit, where the lookups run back to back) and runs
   * `check`. Throws (404, 403, 429) before anything is written.
   */
  function resolve(agentRef: string, check?: BeatCheck): AgentRowLike {
    const before = agents.resolve(agentRef);
    check?.(before);
    return before;
  }

  /** Writes one beat of a resolved agent. Call inside database.rawTransaction; `rollups` as in UsageWriter.write. */
  function apply(before: AgentRowLike, beat: HeartbeatInput, now: Date, rollups?: DeferredRollups): HeartbeatOutcome {
    const agentId = before.id;
    const at = sqliteDate(now);
    const changed = before.status !== beat.status;
    const activity = beat.activity ?? (changed ? null : before.activity);
    const taskId = beat.taskId === undefined ? before.currentTaskId : beat.taskId;
    const statusChangedAt = changed ? at : sqliteDate(new Date(before.statusChangedAt ?? now));
    updateAgent.run(beat.status, activity, at, statusChangedAt, taskId, at, agentId);
    if (beat.connectionId) touchConnection.run(at, beat.connectionId, agentId);
    if (changed) addActivity.run(agentId, at, before.status, beat.status, activity);
    const usage = usageWriter.write(beat.usage, {
      agentId,
      agentName: before.name,
      dedupeScope: `agent:${agentId}`,
      defaultSource: before.toolName ?? 'sdk',
      defaultTaskId: taskId,
      receivedAt: now,
    }, rollups);
    const agent = toAgentView({ ...before, status: beat.status, activity, lastSeenAt: at, statusChangedAt, currentTaskId: taskId });
    const event = events.recordRaw(sqlite, {
      type: 'agent.updated',
      agentId,
      payload: { agentId, agent, statusChanged: changed, ...(usage.recorded > 0 ? { usage: summaryForEvent(usage) } : {}) },
    });
    return { agent, usage, event };
  }

  return { resolve, apply, createRollupBatch: usageWriter.createRollupBatch };
}
