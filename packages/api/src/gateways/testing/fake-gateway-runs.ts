// Stateful parts of the fake gateway's method table: chat runs (replay of chat-run-sequence.json,
// abort, idempotency) and cron jobs (mutations emit `cron`/`task` events, runs land in cron.runs).
import { randomUUID } from 'node:crypto';
import { asArray, asJsonObject, type FakeGatewayFixtures, type JsonObject, rewriteIds } from './fake-gateway-fixtures.ts';
import { FakeMethodError } from './fake-method-error.ts';

export type Broadcast = (event: string, payload: unknown) => void;

const CHAT_RUN_ID = 'it-run-1';
const CHAT_SESSION_KEY = 'agent:main:main';
const ABORT_RUN_ID = 'mc-abort-1';
const ABORT_SESSION_KEY = 'agent:dev:abort1';
const CRON_JOB_ID = '10721ed9-39be-4ef4-bd13-3734818e4a9a';

function agentOf(sessionKey: string): string {
  return sessionKey.split(':')[1] ?? 'main';
}

function schedule(frames: { event: string; payload: unknown }[], broadcast: Broadcast, delayMs: number, onDone?: () => void) {
  let index = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const step = () => {
    const frame = frames[index++];
    if (frame === undefined) {
      timer = null;
      onDone?.();
      return;
    }
    broadcast(frame.event, frame.payload);
    timer = setTimeout(step, delayMs);
  };
  timer = setTimeout(step, delayMs);
  return { cancel: () => (timer === null ? undefined : clearTimeout(timer)) };
}

export function createChatRuns(deps: { fixtures: FakeGatewayFixtures; broadcast: Broadcast; frameDelayMs: () => number }) {
  const byKey = new Map<string, { sessionKey: string; message: string }>();
  const active = new Map<string, { sessionKey: string; cancel: () => void }>();

  function send(params: JsonObject): JsonObject {
    const sessionKey = String(params.sessionKey);
    const message = String(params.message);
    const runId = String(params.idempotencyKey);
    const previous = byKey.get(runId);
    if (previous !== undefined) {
      if (previous.sessionKey !== sessionKey || previous.message !== message) {
        throw new FakeMethodError(deps.fixtures.methodErrors.idempotency_conflict?.error ?? { code: 'INVALID_REQUEST', message: 'conflict' });
      }
      return { runId, status: 'started' };
    }
    byKey.set(runId, { sessionKey, message });
    const agent = [agentOf(CHAT_SESSION_KEY), agentOf(sessionKey)] as const;
    // The captured tick inside the run is the gateway's global timer, not part of the run.
    const frames = deps.fixtures.chatRunFrames
      .filter((frame) => frame.event !== 'tick')
      .map((frame) => ({ event: frame.event, payload: rewriteIds(frame.payload, [[CHAT_SESSION_KEY, sessionKey], [CHAT_RUN_ID, runId], ['Hello mission control', message]], agent) }));
    const run = schedule(frames, deps.broadcast, deps.frameDelayMs(), () => active.delete(runId));
    active.set(runId, { sessionKey, cancel: run.cancel });
    return { runId, status: 'started' };
  }

  function abortRuns(match: (runId: string, sessionKey: string) => boolean): string[] {
    const aborted: string[] = [];
    for (const [runId, run] of active) {
      if (!match(runId, run.sessionKey)) continue;
      run.cancel();
      active.delete(runId);
      aborted.push(runId);
      const agent = [agentOf(ABORT_SESSION_KEY), agentOf(run.sessionKey)] as const;
      for (const entry of deps.fixtures.eventGroups.abortRun ?? []) {
        deps.broadcast(entry.frame.event, rewriteIds(entry.frame.payload, [[ABORT_SESSION_KEY, run.sessionKey], [ABORT_RUN_ID, runId]], agent));
      }
    }
    return aborted;
  }

  return {
    send,
    /** chat.abort {sessionKey, runId?} */
    abort(params: JsonObject): JsonObject {
      const runIds = abortRuns((runId, key) => key === params.sessionKey && (params.runId === undefined || params.runId === runId));
      return { ok: true, aborted: runIds.length > 0, runIds };
    },
    /** sessions.abort {key} or {runId} */
    abortSession(params: JsonObject): JsonObject {
      const [runId] = abortRuns((id, key) => key === params.key || id === params.runId);
      return runId === undefined ? { ok: true, abortedRunId: null, status: 'no-active-run' } : { ok: true, abortedRunId: runId, status: 'aborted' };
    },
    activeRunIds: () => [...active.keys()],
    stopAll() {
      for (const run of active.values()) run.cancel();
      active.clear();
    },
  };
}

export function createCronJobs(deps: { fixtures: FakeGatewayFixtures; broadcast: Broadcast; frameDelayMs: () => number; now: () => number }) {
  const jobs = new Map<string, JsonObject>();
  const runs: JsonObject[] = [];
  for (const job of asArray(asJsonObject(deps.fixtures.results['cron.list']).jobs)) {
    const row = asJsonObject(job);
    if (typeof row.id === 'string') jobs.set(row.id, row);
  }
  const cronGroup = deps.fixtures.eventGroups.cronRun ?? [];
  const groupFrame = (name: string) => cronGroup.find((entry) => entry.name === name)?.frame;

  function find(id: unknown): JsonObject {
    const job = typeof id === 'string' ? jobs.get(id) : undefined;
    if (job !== undefined) return job;
    const template = deps.fixtures.methodErrors.cron_job_not_found?.error ?? { code: 'INVALID_REQUEST', message: 'cron job not found' };
    throw new FakeMethodError(asJsonObject(rewriteIds(template, [['does-not-exist', String(id)]])));
  }

  function emit(action: string, job: JsonObject) {
    deps.broadcast('cron', { jobId: job.id, action, job });
  }

  return {
    list: () => ({ ...asJsonObject(deps.fixtures.results['cron.list']), jobs: [...jobs.values()], total: jobs.size, hasMore: false }),
    get: (params: JsonObject) => find(params.id),
    add(params: JsonObject): JsonObject {
      const at = deps.now();
      const job = { ...asJsonObject(deps.fixtures.results['cron.add']), ...params, id: randomUUID(), createdAtMs: at, updatedAtMs: at };
      jobs.set(job.id, job);
      emit('added', job);
      return job;
    },
    update(params: JsonObject): JsonObject {
      const job: JsonObject = { ...find(params.id), ...asJsonObject(params.patch), updatedAtMs: deps.now() };
      jobs.set(String(job.id), job);
      emit('updated', job);
      return job;
    },
    remove(params: JsonObject): JsonObject {
      const job = find(params.id);
      jobs.delete(String(job.id));
      emit('removed', job);
      return { ok: true, removed: true };
    },
    run(params: JsonObject): JsonObject {
      const job = find(params.id);
      const jobId = String(job.id);
      const runId = `manual:${jobId}:${deps.now()}:${runs.length + 1}`;
      const fixtureRunId = String(asJsonObject(deps.fixtures.results['cron.run']).runId);
      const swap = [[fixtureRunId, runId], [CRON_JOB_ID, jobId]] as const;
      const frames = ['cron / started', 'task / running', 'task / completed', 'cron / finished']
        .map(groupFrame)
        .filter((frame) => frame !== undefined)
        .map((frame) => ({ event: frame.event, payload: rewriteIds(frame.payload, swap) }));
      const [entry] = asArray(asJsonObject(deps.fixtures.results['cron.runs']).entries);
      schedule(frames, deps.broadcast, deps.frameDelayMs(), () => runs.push({ ...asJsonObject(rewriteIds(entry, swap)), runAtMs: deps.now() }));
      return { ok: true, enqueued: true, runId };
    },
    runs(params: JsonObject): JsonObject {
      const entries = runs.filter((entry) => (params.id === undefined || entry.jobId === params.id) && (params.runId === undefined || entry.runId === params.runId));
      return { entries, total: entries.length, hasMore: false, nextOffset: null };
    },
  };
}
