// The heartbeat hot path (PROTOCOL.md §4): agent row, connection, status-change activity, usage
// records and exactly one agent.updated event, in one raw SQLite transaction; published after commit.
import { sqliteDate } from '@mc/db';
import type BetterSqlite3 from 'better-sqlite3';
import type { BusEvent } from '../events/bus.ts';
import type { EventsService } from '../events/service.ts';
import { type DeferredRollups, summaryForEvent, type UsageSummary, type UsageWriter } from '../usage/usage-writer.ts';
import type { HeartbeatInput } from './schema.ts';
import { type AgentRowLike, type AgentView, toAgentView } from './views.ts';

export type HeartbeatOutcome = { agent: AgentView; usage: UsageSummary; event: BusEvent };

export function createHeartbeatWriter(sqlite: BetterSqlite3.Database, events: EventsService, usageWriter: UsageWriter) {
  const select = sqlite.prepare('SELECT * FROM "Agent" WHERE id = ?');
  const updateAgent = sqlite.prepare(
    `UPDATE "Agent" SET status = ?, activity = ?, lastSeenAt = ?, statusChangedAt = ?, currentTaskId = ?, updatedAt = ? WHERE id = ?`,
  );
  const touchConnection = sqlite.prepare(`UPDATE "AgentConnection" SET lastHeartbeatAt = ? WHERE id = ? AND agentId = ? AND endedAt IS NULL`);
  const addActivity = sqlite.prepare(`INSERT INTO "AgentActivity" (agentId, at, fromStatus, toStatus, activity) VALUES (?, ?, ?, ?, ?)`);

  /** Call inside database.rawTransaction; `rollups` as in UsageWriter.write. */
  function write(agentId: string, beat: HeartbeatInput, now: Date, rollups?: DeferredRollups): HeartbeatOutcome {
    const before = select.get(agentId) as AgentRowLike | undefined;
    if (!before) throw new Error(`agent ${agentId} vanished during its heartbeat`);
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

  return { write, createRollupBatch: usageWriter.createRollupBatch };
}
