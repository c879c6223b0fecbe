// CronJob and RunLogEntry (GATEWAY.md §7.5, §8.2 `cron`) → the mirrored CronJob / CronRun fields, with
// a human-readable schedule. Run usage is snake_case there (§11 shape 5).
import { asRecord, type Payload, readBoolean, readInteger, readString, readTime, truncate } from './payload-readers.ts';

export type MirroredCronJob = {
  jobId: string;
  name: string;
  gatewayAgentId: string | null;
  enabled: boolean;
  schedule: string;
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  lastStatus: string | null;
  lastDurationMs: number | null;
  consecutiveErrors: number;
  lastError: string | null;
  runningAt: Date | null;
  raw: Payload;
};

export type MirroredCronRun = {
  jobId: string;
  runId: string;
  status: string;
  runAt: Date;
  durationMs: number | null;
  summary: string | null;
  error: string | null;
  model: string | null;
  provider: string | null;
  sessionKey: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  jobName: string | null;
};

export function readCronJob(value: unknown): MirroredCronJob | null {
  const job = asRecord(value);
  const jobId = readString(job.id);
  if (jobId === null) return null;
  const state = asRecord(job.state);
  return {
    jobId,
    name: readString(job.displayName) ?? readString(job.name) ?? jobId,
    gatewayAgentId: readString(job.agentId) ?? readString(job.effectiveAgentId),
    enabled: readBoolean(job.enabled) ?? true,
    schedule: describeSchedule(job.schedule),
    nextRunAt: readTime(state.nextRunAtMs) ?? readTime(job.nextRunAtMs),
    lastRunAt: readTime(state.lastRunAtMs) ?? readTime(job.lastRunAtMs),
    lastStatus: readString(state.lastRunStatus) ?? readString(state.lastStatus) ?? readString(job.lastRunStatus),
    lastDurationMs: readInteger(state.lastDurationMs) ?? readInteger(job.lastDurationMs),
    consecutiveErrors: readInteger(state.consecutiveErrors) ?? readInteger(job.consecutiveErrors) ?? 0,
    lastError: truncate(readString(state.lastError) ?? readString(job.lastRunError), 2000),
    runningAt: readTime(state.runningAtMs),
    raw: job,
  };
}

/** A cron.runs entry or a `cron` event with action "finished". */
export function readCronRun(value: unknown): MirroredCronRun | null {
  const entry = asRecord(value);
  const jobId = readString(entry.jobId);
  const runId = readString(entry.runId);
  const runAt = readTime(entry.runAtMs) ?? readTime(entry.ts);
  if (jobId === null || runId === null || runAt === null) return null;
  const usage = asRecord(entry.usage);
  return {
    jobId,
    runId,
    status: readString(entry.status) ?? 'unknown',
    runAt,
    durationMs: readInteger(entry.durationMs),
    summary: truncate(readString(entry.summary), 2000),
    error: truncate(readString(entry.error), 2000),
    model: readString(entry.model),
    provider: readString(entry.provider),
    sessionKey: readString(entry.sessionKey),
    inputTokens: readInteger(usage.input_tokens) ?? readInteger(usage.input),
    outputTokens: readInteger(usage.output_tokens) ?? readInteger(usage.output),
    jobName: readString(entry.jobName) ?? readString(asRecord(entry.job).name),
  };
}

/** "every 5 min", "cron 0 9 * * * (Europe/Paris)", "at 2026-12-01 09:00 UTC". */
export function describeSchedule(value: unknown): string {
  const schedule = asRecord(value);
  const kind = readString(schedule.kind);
  if (kind === 'every') {
    const everyMs = readInteger(schedule.everyMs);
    return everyMs === null || everyMs === 0 ? 'every ?' : `every ${describeDuration(everyMs)}`;
  }
  if (kind === 'cron') {
    const expr = readString(schedule.expr) ?? '?';
    const tz = readString(schedule.tz);
    return tz ? `cron ${expr} (${tz})` : `cron ${expr}`;
  }
  if (kind === 'at') {
    const at = readTime(schedule.at) ?? readTime(schedule.atMs);
    return at === null ? 'at ?' : `at ${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  }
  return kind ?? 'unknown schedule';
}

const UNITS: ReadonlyArray<readonly [number, string, string]> = [
  [86_400_000, 'day', 'days'], [3_600_000, 'h', 'h'], [60_000, 'min', 'min'], [1000, 's', 's'],
];

function describeDuration(ms: number): string {
  for (const [size, one, many] of UNITS) {
    if (ms % size === 0) {
      const count = ms / size;
      return `${count} ${count === 1 ? one : many}`;
    }
  }
  return `${ms} ms`;
}
