// Usage ingestion for POST /api/tokens (heartbeats carry usage through the agents service) and the
// price table in force. Attribution: agent keys → their agent; user keys → `agent` or legacy
// `sessionId` "<agent>:<kind>"; the agent must exist (404). All records of a request: one transaction.
import type { Database } from '@mc/db';
import { createRateLimiter } from '../auth/rate-limiter.ts';
import { type Actor, hasAccess } from '../auth/roles.ts';
import type { Clock } from '../clock.ts';
import { forbidden, notFound, rateLimited, validationFailed } from '../errors.ts';
import type { BusEvent } from '../events/bus.ts';
import type { EventsService } from '../events/service.ts';
import { unknownAgent } from '../agents/agent-lookup.ts';
import type { RateLimitSettings } from '../agents/rate-limits.ts';
import type { UsageRecordInput } from './schema.ts';
import { summaryForEvent, type UsageWriter, type WrittenRecord } from './usage-writer.ts';

export function createUsageService(deps: { database: Database; clock: Clock; events: EventsService; usageWriter: UsageWriter; rateLimits: RateLimitSettings }) {
  const { database, clock, events, usageWriter } = deps;
  const tokensLimiter = createRateLimiter({ limit: deps.rateLimits.tokensPerKeyPerMin, windowMs: 60_000, clock });
  const findAgent = database.sqlite.prepare('SELECT id, name, toolName FROM "Agent" WHERE id = ? OR name = ? LIMIT 1');

  function agentNameOf(record: UsageRecordInput): string | null {
    if (record.agent) return record.agent;
    const legacy = record.sessionId ? /^([A-Za-z0-9][A-Za-z0-9._-]{0,62}):[^:]+$/.exec(record.sessionId) : null;
    return legacy?.[1] ?? null;
  }

  async function reportTokens(actor: Actor, records: UsageRecordInput[]) {
    if (actor.kind === 'anonymous') throw forbidden();
    if (actor.kind === 'user' && !hasAccess(actor, 'operator')) throw forbidden('Reporting usage needs the operator role or an agent key');
    const verdict = tokensLimiter.hit(actor.kind === 'agent' ? actor.apiKeyId : (actor.apiKeyId ?? actor.userId));
    if (!verdict.allowed) throw rateLimited(verdict.retryAfterS);

    // Resolve every record's agent before writing anything (nothing half-written).
    const groups = new Map<string, { agent: { id: string; name: string; toolName: string | null }; records: UsageRecordInput[]; indexes: number[] }>();
    records.forEach((record, index) => {
      let agent: { id: string; name: string; toolName: string | null } | undefined;
      if (actor.kind === 'agent') {
        agent = findAgent.get(actor.agentId, actor.agentId) as typeof agent;
        if (!agent) throw notFound('The agent this key belongs to was removed');
      } else {
        const name = agentNameOf(record);
        if (!name) throw validationFailed(`${index}.agent: required with a user key (or a sessionId of the form <agent>:<kind>)`, [{ path: `${index}.agent`, message: 'required with a user key' }]);
        agent = findAgent.get(name, name) as typeof agent;
        if (!agent) throw unknownAgent(name);
      }
      const group = groups.get(agent.id) ?? { agent, records: [], indexes: [] };
      group.records.push(record);
      group.indexes.push(index);
      groups.set(agent.id, group);
    });

    const now = clock.now();
    const { results, emitted } = await database.rawTransaction((sqlite) => {
      const results: WrittenRecord[] = new Array(records.length);
      const emitted: BusEvent[] = [];
      for (const { agent, records: groupRecords, indexes } of groups.values()) {
        const summary = usageWriter.write(groupRecords, {
          agentId: agent.id, agentName: agent.name, dedupeScope: `agent:${agent.id}`, defaultSource: agent.toolName ?? 'sdk', receivedAt: now,
        });
        summary.records.forEach((written, i) => {
          results[indexes[i] ?? 0] = written;
        });
        if (summary.recorded > 0) {
          emitted.push(events.recordRaw(sqlite, { type: 'usage.recorded', agentId: agent.id, payload: { agentId: agent.id, agentName: agent.name, usage: summaryForEvent(summary) } }));
        }
      }
      return { results, emitted };
    });
    events.publish(emitted);
    const duplicates = results.filter((r) => r.duplicate).length;
    return { recorded: results.length - duplicates, duplicates, records: results.map(({ id, costUsd, priced, duplicate }) => ({ id, costUsd, priced, ...(duplicate ? { duplicate } : {}) })) };
  }

  return { reportTokens };
}

export type UsageService = ReturnType<typeof createUsageService>;
