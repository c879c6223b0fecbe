// Cron job and run rows as clients see them (cron.list, cron.runs, cron.* event payloads).
export type CronJobItem = {
  id: string;
  gatewayId: string;
  gatewayName: string;
  jobId: string;
  name: string;
  /** the gateway's agent id the job runs as, when it names one */
  agentId: string | null;
  enabled: boolean;
  schedule: string;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastStatus: string | null;
  lastDurationMs: number | null;
  consecutiveErrors: number;
  lastError: string | null;
  running: boolean;
};

export type CronRunItem = {
  runId: string;
  jobId: string;
  status: string;
  runAt: string;
  durationMs: number | null;
  summary: string | null;
  error: string | null;
  model: string | null;
  provider: string | null;
  sessionKey: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
};

type DateLike = Date | string | null;
const iso = (value: DateLike): string | null => (value === null ? null : new Date(value).toISOString());
const num = (value: number | bigint | null): number | null => (value === null ? null : Number(value));

export type CronJobRowLike = {
  id: string; gatewayId: string; gatewayName: string; jobId: string; name: string; gatewayAgentId: string | null; enabled: boolean | number | bigint;
  schedule: string; nextRunAt: DateLike; lastRunAt: DateLike; lastStatus: string | null; lastDurationMs: number | bigint | null;
  consecutiveErrors: number | bigint; lastError: string | null; runningAt: DateLike;
};

export function toCronJobItem(row: CronJobRowLike): CronJobItem {
  return {
    id: row.id,
    gatewayId: row.gatewayId,
    gatewayName: row.gatewayName,
    jobId: row.jobId,
    name: row.name,
    agentId: row.gatewayAgentId,
    enabled: Boolean(Number(row.enabled)),
    schedule: row.schedule,
    nextRunAt: iso(row.nextRunAt),
    lastRunAt: iso(row.lastRunAt),
    lastStatus: row.lastStatus,
    lastDurationMs: num(row.lastDurationMs),
    consecutiveErrors: Number(row.consecutiveErrors),
    lastError: row.lastError,
    running: row.runningAt !== null,
  };
}

export type CronRunRowLike = {
  runId: string; jobId: string; status: string; runAt: Date | string; durationMs: number | bigint | null; summary: string | null; error: string | null;
  model: string | null; provider: string | null; sessionKey: string | null; inputTokens: number | bigint | null; outputTokens: number | bigint | null;
};

export function toCronRunItem(row: CronRunRowLike): CronRunItem {
  return {
    runId: row.runId,
    jobId: row.jobId,
    status: row.status,
    runAt: new Date(row.runAt).toISOString(),
    durationMs: num(row.durationMs),
    summary: row.summary,
    error: row.error,
    model: row.model,
    provider: row.provider,
    sessionKey: row.sessionKey,
    inputTokens: num(row.inputTokens),
    outputTokens: num(row.outputTokens),
  };
}
