// Usage of one gateway's sessions (GATEWAY.md §11): live from session.message for sessions whose run we
// subscribed to, and from chat.history when a run ends or after a resync (backfill, batched). Both paths
// write through the usage importer, deduplicated by message id, so overlaps count once.
import type { Database } from '@mc/db';
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../logger.ts';
import type { AgentLink, GatewayRef, MirrorStore } from './mirror-store.ts';
import { agentIdFromSessionKey, asList, asRecord, type Payload, readString, readTime } from './payload-readers.ts';
import { type GatewayUsage, type GatewayUsageImporter, readMessageUsage } from './usage-import.ts';

const HISTORY_LIMIT = 200;
const USAGE_BATCH = 25;
const USAGE_CONCURRENCY = 4;
const MAX_MESSAGE_SUBSCRIPTIONS = 200;

export type SessionUsageDeps = {
  gateway: GatewayRef;
  clock: Clock;
  log: Logger;
  usage: GatewayUsageImporter;
  store: MirrorStore;
  database: Database;
  enqueue(label: string, work: () => Promise<void> | void): Promise<void>;
  call(method: string, params?: unknown): Promise<unknown>;
  links(): ReadonlyMap<string, AgentLink>;
  /** connected and not stopped */
  active(): boolean;
};

export function createSessionUsageTracker(deps: SessionUsageDeps) {
  const { gateway, clock, log, database, store, enqueue, call } = deps;
  const subscriptions = new Set<string>();
  const backlog = new Set<string>();
  let draining = false;
  const findActivity = database.sqlite.prepare(`SELECT activityAt FROM "GatewaySession" WHERE gatewayId = ? AND sessionKey = ?`);

  function usageFor(record: GatewayUsage['record'], gatewayAgentId: string | null): GatewayUsage {
    const link = gatewayAgentId === null ? undefined : deps.links().get(gatewayAgentId);
    return { record, agentId: link?.id ?? null, agentName: link?.name ?? `${gateway.name}/${gatewayAgentId ?? 'unknown'}` };
  }

  function importUsage(items: GatewayUsage[]) {
    return deps.usage.importUsage(gateway.id, items, clock.now());
  }

  function sessionActivity(sessionKey: string): Date | null {
    const row = findActivity.get(gateway.id, sessionKey) as { activityAt: string | null } | undefined;
    return row?.activityAt ? new Date(row.activityAt) : null;
  }

  /** session.message reaches us only for subscribed keys (§8.1): subscribe when a run starts. */
  function subscribeMessages(sessionKey: string): void {
    if (!deps.active() || subscriptions.has(sessionKey) || subscriptions.size >= MAX_MESSAGE_SUBSCRIPTIONS) return;
    subscriptions.add(sessionKey);
    call('sessions.messages.subscribe', { key: sessionKey }).catch((error: unknown) => {
      subscriptions.delete(sessionKey);
      log.debug({ sessionKey, err: error instanceof Error ? error.message : String(error) }, 'sessions.messages.subscribe failed');
    });
  }

  function importLive(record: GatewayUsage['record'], gatewayAgentId: string | null): void {
    void enqueue('usage', () => importUsage([usageFor(record, gatewayAgentId)]).then(() => undefined));
  }

  function queue(sessionKeys: readonly string[]): void {
    for (const key of sessionKeys) backlog.add(key);
    void drain();
  }

  /** A few histories fetched at once, one write per batch. */
  async function drain(): Promise<void> {
    if (draining) return;
    draining = true;
    try {
      while (backlog.size > 0 && deps.active()) {
        const batch = [...backlog].slice(0, USAGE_BATCH);
        for (const key of batch) backlog.delete(key);
        const results: { sessionKey: string; items: GatewayUsage[]; activityAt: Date }[] = [];
        for (let index = 0; index < batch.length; index += USAGE_CONCURRENCY) {
          const fetched = await Promise.all(batch.slice(index, index + USAGE_CONCURRENCY).map((sessionKey) => readSessionUsage(sessionKey)));
          for (const result of fetched) if (result !== null) results.push(result);
        }
        await enqueue('usage import', async () => {
          await importUsage(results.flatMap((result) => result.items));
          await database.rawTransaction(() => {
            for (const result of results) store.markUsageSynced(gateway.id, result.sessionKey, result.activityAt);
          });
        });
      }
    } finally {
      draining = false;
    }
  }

  async function readSessionUsage(sessionKey: string): Promise<{ sessionKey: string; items: GatewayUsage[]; activityAt: Date } | null> {
    const fetchedAt = clock.now();
    let history: Payload;
    try {
      history = asRecord(await call('chat.history', { sessionKey, limit: HISTORY_LIMIT }));
    } catch (error) {
      log.warn({ sessionKey, err: error instanceof Error ? error.message : String(error) }, 'chat.history for usage import failed');
      return null;
    }
    const gatewayAgentId = readString(asRecord(history.sessionInfo).agentId) ?? agentIdFromSessionKey(sessionKey);
    const items: GatewayUsage[] = [];
    for (const message of asList(history.messages)) {
      const record = readMessageUsage(message, sessionKey, null, fetchedAt);
      if (record !== null) items.push(usageFor(record, gatewayAgentId));
    }
    // Marked with the session's own activity time (gateway clock), compared with the same clock later.
    const activityAt = readTime(asRecord(history.sessionInfo).updatedAt) ?? sessionActivity(sessionKey) ?? fetchedAt;
    return { sessionKey, items, activityAt };
  }

  return {
    subscribeMessages,
    resetSubscriptions: () => subscriptions.clear(),
    importLive,
    queue,
    draining: () => draining,
  };
}
