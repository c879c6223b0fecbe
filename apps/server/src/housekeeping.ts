// Periodic pruning: expired sessions, events, audit entries, usage detail and deliveries past retention; archiving of old done tasks. Loops log failures and go on.
import type { Logger, Services } from '@mc/api';

export const EVENT_RETENTION_MS = 7 * 24 * 3600 * 1000;
/** Finished webhook deliveries (and their attempts) stay in the history this long. */
export const WEBHOOK_DELIVERY_RETENTION_MS = 30 * 24 * 3600 * 1000;

/** One housekeeping pass (what the timer runs). */
export async function housekeep(services: Services): Promise<void> {
  await services.sessions.pruneExpired();
  await services.events.pruneBefore(new Date(services.clock.nowMs() - EVENT_RETENTION_MS));
  await services.audit.pruneExpired(); // retention is an admin setting (audit.retentionDays)
  await services.costs.pruneUsageDetail(); // whole hours past usage.detailRetentionDays; rollups stay
  await services.webhooks.pruneDeliveries(new Date(services.clock.nowMs() - WEBHOOK_DELIVERY_RETENTION_MS));
  await services.tasks.archiveDone();
}

export function startHousekeeping(services: Services, log: Logger, everyMs = 3600_000): () => void {
  const run = async () => {
    try {
      await housekeep(services);
    } catch (error) {
      log.warn({ err: error }, 'housekeeping failed');
    }
  };
  const timer = setInterval(run, everyMs);
  timer.unref();
  void run();
  return () => clearInterval(timer);
}
