// Usage detail retention (ARCHITECTURE.md §7): raw UsageRecords older than the setting are deleted by
// housekeeping; their hourly rollups stay, so totals, charts, breakdowns and budgets over old periods do
// not change. Whole UTC hours go at once: an hour keeps all of its records or none, so the paths that
// rebuild an hour's rollups from its records (re-pricing, gateway imports) only ever see complete hours.
// What needs the records themselves (the records list, exports, the partial hours at the edges of a custom
// range) covers the retained period only.
import type { Database } from '@mc/db';
import { z } from 'zod';
import type { AuditService } from '../audit/service.ts';
import type { UserActor } from '../auth/roles.ts';
import type { RequestMeta } from '../auth/service.ts';
import type { Clock } from '../clock.ts';
import type { SettingsService } from '../settings/service.ts';
import { hourStartText } from '../usage/rollups/rollup-writer.ts';

export const USAGE_RETENTION_KEY = 'usage.detailRetentionDays';
/** As long as the longest cost range (400 days): every range the costs page accepts keeps its detail. */
export const DEFAULT_USAGE_RETENTION_DAYS = 400;
/** Budget periods (up to a month in any time zone) read the records of their partial first hour. */
export const MIN_USAGE_RETENTION_DAYS = 35;

export const UsageRetention = z.strictObject({
  days: z
    .number({ error: 'days must be a whole number' })
    .int({ error: 'days must be a whole number' })
    .refine((days) => days === 0 || (days >= MIN_USAGE_RETENTION_DAYS && days <= 3650), {
      error: `days must be 0 (keep every record) or between ${MIN_USAGE_RETENTION_DAYS} and 3650`,
    }),
});
export type UsageRetention = z.infer<typeof UsageRetention>;

/** Records deleted per transaction (≈ 10 ms each, on the event loop), so a first prune of millions never stalls requests for long. */
const PRUNE_BATCH = 1_000;

export function createUsageRetention(deps: { database: Database; settings: SettingsService; clock: Clock; audit: AuditService }) {
  const { database, settings, clock, audit } = deps;
  const deleteBatch = database.sqlite.prepare(
    `DELETE FROM "UsageRecord" WHERE id IN (SELECT id FROM "UsageRecord" WHERE occurredAt < ? ORDER BY occurredAt LIMIT ${PRUNE_BATCH})`,
  );

  function get(): Promise<UsageRetention> {
    return settings.get(USAGE_RETENTION_KEY, UsageRetention, { days: DEFAULT_USAGE_RETENTION_DAYS });
  }

  async function set(actor: UserActor, retention: UsageRetention, meta: RequestMeta): Promise<UsageRetention> {
    const before = await get();
    await settings.set(USAGE_RETENTION_KEY, retention);
    await audit.record({ actor, action: 'usage.retention_changed', targetType: 'setting', targetId: USAGE_RETENTION_KEY, ip: meta.ip, details: { fromDays: before.days, toDays: retention.days } });
    return retention;
  }

  /** The first hour kept, as stored DATETIME text: records before it are deleted (null when everything is kept). */
  async function cutoff(): Promise<string | null> {
    const { days } = await get();
    return days === 0 ? null : hourStartText(new Date(clock.nowMs() - days * 86_400_000));
  }

  /** Deletes the records of whole UTC hours before the cutoff, a batch per transaction; returns how many. */
  async function prune(): Promise<number> {
    const before = await cutoff();
    if (before === null) return 0;
    let deleted = 0;
    for (;;) {
      const changes = await database.rawTransaction(() => deleteBatch.run(before).changes);
      deleted += changes;
      if (changes < PRUNE_BATCH) return deleted;
    }
  }

  return { get, set, prune };
}

export type UsageRetentionService = ReturnType<typeof createUsageRetention>;
