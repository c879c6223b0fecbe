// Pushes agents offline within ~1 s of their deadline (PROTOCOL.md §4: within 5 s), instead of the
// peer's 5-minute sweep, and raises cron.stuck when a gateway cron run passes an hour (nothing else marks
// that moment). Each check is one small query; the deadlines come from the service clock.
import type { Logger, Services } from '@mc/api';

export const LIVENESS_CHECK_MS = 1000;

/** One liveness check (what the timer runs every second). */
export async function checkLiveness(services: Services): Promise<void> {
  await Promise.all([services.agents.markOverdueOffline(), services.cron.announceStuck()]);
}

export function startLivenessWatch(services: Services, log: Logger): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    checkLiveness(services)
      .catch((error: unknown) => log.warn({ err: error }, 'liveness check failed'))
      .finally(() => {
        running = false;
      });
  }, LIVENESS_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
