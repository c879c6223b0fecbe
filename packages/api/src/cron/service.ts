// Cron monitoring across gateways: mirrored jobs (schedule, next run, last status, consecutive
// failures), run history (refreshed from the gateway when connected), and "run now" (MC admin + the
// connection's operator.admin). Runs are audited; failed runs raise cron.failed from the mirror, runs
// going on for over an hour raise cron.stuck from announceStuck (no gateway frame marks that moment).
import { type Database, sqliteDate } from '@mc/db';
import type { AuditService } from '../audit/service.ts';
import type { UserActor } from '../auth/roles.ts';
import type { RequestMeta } from '../auth/service.ts';
import type { Clock } from '../clock.ts';
import { notFound } from '../errors.ts';
import type { EventsService } from '../events/service.ts';
import { callGateway } from '../gateways/gateway-calls.ts';
import type { GatewayManager } from '../gateways/manager/manager.ts';
import { asList, asRecord, readString } from '../gateways/manager/payload-readers.ts';
import type { Logger } from '../logger.ts';
import type { CronJobRefInput, CronRunsInput, ListCronJobsInput } from './schema.ts';
import { toCronJobItem, toCronRunItem } from './views.ts';

export type CronDeps = { database: Database; clock: Clock; events: EventsService; audit: AuditService; manager: GatewayManager; log: Logger };

const RUNS_REFRESH_TIMEOUT_MS = 5_000;
/** A run going on longer than this is stuck (attention item, cron.stuck event). */
export const STUCK_CRON_MS = 60 * 60_000;

export function createCronService({ database, clock, events, audit, manager, log }: CronDeps) {
  const db = database.prisma;
  let stuckCheckedAt: number | null = null;

  async function list(input: ListCronJobsInput) {
    const rows = await db.cronJob.findMany({
      where: input.gatewayId === undefined ? {} : { gatewayId: input.gatewayId },
      include: { gateway: { select: { name: true } } },
      orderBy: [{ gatewayId: 'asc' }, { name: 'asc' }],
      take: 5_000,
    });
    return rows.map((row) => toCronJobItem({ ...row, gatewayName: row.gateway.name }));
  }

  async function jobOf(input: CronJobRefInput) {
    const job = await db.cronJob.findUnique({ where: { gatewayId_jobId: { gatewayId: input.gatewayId, jobId: input.jobId } }, include: { gateway: { select: { id: true, name: true } } } });
    if (job === null) throw notFound('No such cron job on this gateway');
    return job;
  }

  async function runs(input: CronRunsInput) {
    const job = await jobOf(input);
    const connection = manager.connection(input.gatewayId);
    if (connection?.state().status === 'ready') {
      // Fresher than the mirror when a run finished while we were away; failures here fall back to it.
      try {
        const result = asRecord(await connection.call('cron.runs', { id: input.jobId, limit: input.limit }, { timeoutMs: RUNS_REFRESH_TIMEOUT_MS }));
        await manager.ingestCronRuns(job.gateway.id, job.gateway.name, asList(result.entries));
      } catch (error) {
        log.warn({ gatewayId: input.gatewayId, jobId: input.jobId, err: error instanceof Error ? error.message : String(error) }, 'cron.runs refresh failed; serving the mirror');
      }
    }
    const rows = await db.cronRun.findMany({ where: { gatewayId: input.gatewayId, jobId: input.jobId }, orderBy: { runAt: 'desc' }, take: input.limit });
    return rows.map(toCronRunItem);
  }

  async function runNow(actor: UserActor, input: CronJobRefInput, meta: RequestMeta) {
    const job = await jobOf(input);
    const result = asRecord(await callGateway(manager, job.gateway, 'cron.run', { id: input.jobId, mode: 'force' }, { needsAdmin: true }));
    await audit.record({
      actor, action: 'cron.run', targetType: 'cronJob', targetId: `${job.gateway.id}:${input.jobId}`, ip: meta.ip,
      details: { gateway: job.gateway.name, jobId: input.jobId, jobName: job.name, runId: readString(result.runId) },
    });
    return { enqueued: result.enqueued !== false, runId: readString(result.runId) };
  }

  // Every second from the liveness tick: raw SQL, so an idle server never starts Prisma's query engine.
  const stuckJobs = database.sqlite.prepare(
    `SELECT c.gatewayId, g.name AS gatewayName, c.jobId, c.name, c.runningAt FROM "CronJob" c JOIN "Gateway" g ON g.id = c.gatewayId
     WHERE c.runningAt >= ? AND c.runningAt < ?`,
  );
  /**
   * Raises cron.stuck once for each run that passed STUCK_CRON_MS since the previous call (the first call
   * only starts the watch: runs stuck before it are on the attention view already). Called every second.
   */
  async function announceStuck(): Promise<number> {
    const now = clock.nowMs();
    const since = stuckCheckedAt ?? now;
    if (since >= now) {
      stuckCheckedAt = now;
      return 0;
    }
    const jobs = stuckJobs.all(sqliteDate(new Date(since - STUCK_CRON_MS)), sqliteDate(new Date(now - STUCK_CRON_MS))) as Array<{
      gatewayId: string; gatewayName: string; jobId: string; name: string; runningAt: string;
    }>;
    stuckCheckedAt = now;
    for (const job of jobs) {
      await events.emit({
        type: 'cron.stuck',
        payload: { gatewayId: job.gatewayId, gatewayName: job.gatewayName, jobId: job.jobId, jobName: job.name, runningAt: new Date(job.runningAt).toISOString() },
      });
    }
    return jobs.length;
  }

  return { list, runs, runNow, announceStuck };
}

export type CronService = ReturnType<typeof createCronService>;
