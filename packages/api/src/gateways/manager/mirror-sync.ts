// Full resync of one gateway after every hello or seq gap (GATEWAY.md §10): agents.list, sessions
// (subscribe list form, then paged sessions.list), cron.list (paged), recent cron.runs. Reads only: the
// caller writes the snapshot in one transaction. A step that fails (scope, old gateway) is logged and
// skipped; its rows are then left as they were instead of being treated as deleted.
import type { Logger } from '../../logger.ts';
import { type MirroredCronJob, type MirroredCronRun, readCronJob, readCronRun } from './cron-row.ts';
import type { MirroredAgent } from './mirror-store.ts';
import { asList, asRecord, readInteger, readString } from './payload-readers.ts';
import { type MirroredSession, readSessionRow } from './session-row.ts';

export type GatewayCall = (method: string, params?: unknown) => Promise<unknown>;

export type GatewaySnapshot = {
  agents: MirroredAgent[] | null;
  /** null when the listing failed; `complete` false when it was cut at the cap */
  sessions: { rows: MirroredSession[]; complete: boolean } | null;
  cronJobs: { rows: MirroredCronJob[]; complete: boolean } | null;
  cronRuns: MirroredCronRun[] | null;
  defaultAgentId: string | null;
};

export const SESSION_PAGE_SIZE = 200;
export const MAX_MIRRORED_SESSIONS = 10_000;
const CRON_PAGE_SIZE = 200;
const MAX_MIRRORED_JOBS = 2_000;
export const RECENT_CRON_RUNS = 50;

export async function readGatewaySnapshot(call: GatewayCall, log: Logger): Promise<GatewaySnapshot> {
  const step = async <T>(name: string, run: () => Promise<T>): Promise<T | null> => {
    try {
      return await run();
    } catch (error) {
      log.warn({ step: name, err: error instanceof Error ? error.message : String(error) }, 'gateway resync step failed; keeping mirrored rows');
      return null;
    }
  };
  const agentsResult = await step('agents.list', async () => asRecord(await call('agents.list', {})));
  const agents = agentsResult === null ? null : asList(agentsResult.agents).map(readAgent).filter((agent): agent is MirroredAgent => agent !== null);
  const sessions = await step('sessions', () => readAllSessions(call));
  const cronJobs = await step('cron.list', () => readAllCronJobs(call));
  const cronRuns = await step('cron.runs', async () =>
    asList(asRecord(await call('cron.runs', { limit: RECENT_CRON_RUNS })).entries).map(readCronRun).filter((run): run is MirroredCronRun => run !== null));
  return { agents, sessions, cronJobs, cronRuns, defaultAgentId: agentsResult === null ? null : readString(agentsResult.defaultId) };
}

function readAgent(value: unknown): MirroredAgent | null {
  const agent = asRecord(value);
  const gatewayAgentId = readString(agent.id);
  if (gatewayAgentId === null) return null;
  const identity = asRecord(agent.identity);
  return {
    gatewayAgentId,
    displayName: readString(identity.name) ?? readString(agent.name),
    emoji: readString(identity.emoji),
    model: readString(asRecord(agent.model).primary),
  };
}

async function readAllSessions(call: GatewayCall): Promise<{ rows: MirroredSession[]; complete: boolean }> {
  // The list form subscribes and snapshots in one call, so no change falls between the two (§10).
  let page = asRecord(asRecord(await call('sessions.subscribe', { limit: SESSION_PAGE_SIZE })).list);
  const rows: MirroredSession[] = [];
  for (;;) {
    const batch = asList(page.sessions);
    for (const value of batch) {
      const row = readSessionRow(value);
      if (row !== null) rows.push(row);
    }
    const nextOffset = readInteger(page.nextOffset);
    if (page.hasMore !== true || nextOffset === null || batch.length === 0) return { rows, complete: true };
    if (rows.length >= MAX_MIRRORED_SESSIONS) return { rows, complete: false };
    page = asRecord(await call('sessions.list', { limit: SESSION_PAGE_SIZE, offset: nextOffset }));
  }
}

async function readAllCronJobs(call: GatewayCall): Promise<{ rows: MirroredCronJob[]; complete: boolean }> {
  const rows: MirroredCronJob[] = [];
  let offset = 0;
  for (;;) {
    const page = asRecord(await call('cron.list', { includeDisabled: true, limit: CRON_PAGE_SIZE, offset }));
    const batch = asList(page.jobs);
    for (const value of batch) {
      const job = readCronJob(value);
      if (job !== null) rows.push(job);
    }
    const nextOffset = readInteger(page.nextOffset);
    if (page.hasMore !== true || nextOffset === null || batch.length === 0) return { rows, complete: true };
    if (rows.length >= MAX_MIRRORED_JOBS) return { rows, complete: false };
    offset = nextOffset;
  }
}
