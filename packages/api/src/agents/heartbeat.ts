// The heartbeat hot path (PROTOCOL.md §4): agent row, connection, status-change activity, usage
// records and exactly one agent.updated event, in one raw SQLite transaction; published after commit.
// The caller's key and rate limit were checked before; the agent's row is read inside the transaction.
import { sqliteDate } from '@mc/db/raw';
import type BetterSqlite3 from 'better-sqlite3';
import { notFound } from '../errors.ts';
import type { BusEvent } from '../events/bus.ts';
import type { RecordRaw } from '../events/raw-events.ts';
import { type DeferredRollups, summaryForEvent, type UsageSummary, type UsageWriter } from '../usage/usage-writer.ts';
import type { HeartbeatInput } from './schema.ts';
import { type AgentRowLike, type AgentView, toAgentView } from './views.ts';

export type HeartbeatOutcome = { agent: AgentView; usage: UsageSummary; event: BusEvent };

export type HeartbeatWriter = ReturnType<typeof createHeartbeatWriter>;

/** Writes beats of agents already looked up; runs on the main thread or in the heartbeat worker (its own connection). */
export function createHeartbeatWriter(sqlite: BetterSqlite3.Database, events: { recordRaw: RecordRaw }, usageWriter: Pick<UsageWriter, 'write' | 'createRollupBatch'>) {
  const updateAgent = sqlite.prepare(
    `UPDATE "Agent" SET status = ?, activity = ?, lastSeenAt = ?, statusChangedAt = ?, currentTaskId = ?, updatedAt = ? WHERE id = ?`,
  );
  const touchConnection = sqlite.prepare(`UPDATE "AgentConnection" SET lastHeartbeatAt = ? WHERE id = ? AND agentId = ? AND endedAt IS NULL`);
  const addActivity = sqlite.prepare(`INSERT INTO "AgentActivity" (agentId, at, fromStatus, toStatus, activity) VALUES (?, ?, ?, ?, ?)`);
  const byId = sqlite.prepare('SELECT * FROM "Agent" WHERE id = ?');

  /** The agent's row as it is now (inside the write's transaction); 404 if it was removed since it was looked up. */
  function load(agentId: string): AgentRowLike {
    const row = byId.get(agentId) as AgentRowLike | undefined;
    if (!row) throw notFound('This agent was removed; connect it again (POST /api/connect)');
    return row;
  }

  /** Writes one beat of a loaded agent. Call inside the write's transaction (heartbeat-writes.ts); `rollups` as in UsageWriter.write. */
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

  return { load, apply, createRollupBatch: usageWriter.createRollupBatch };
}
