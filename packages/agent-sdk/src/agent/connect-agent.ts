// The agent a process runs: connection + heartbeats, status, batched usage (optionally spooled to disk),
// the task queue (PROTOCOL.md §6) and work notifications. createAgent never blocks and never throws on
// network trouble (wrappers use it); connectAgent waits for the first connect and throws typed errors.

import { hostname } from 'node:os';
import type { RetryPolicy } from './backoff.ts';
import { ConfigurationError, isFatal, MissionControlError, RateLimitedError, ServerError, ServerUnreachableError } from './errors.ts';
import { createHeartbeatLoop, type ConnectionState } from './heartbeat-loop.ts';
import { createHttpApi, type FetchLike } from './http-api.ts';
import type { AgentStatus, QueueResult, Task, TaskUpdate, TokensResponse, UsageRecordInput, WireUsageRecord, WorkItemGroup } from './protocol.ts';
import { toWireRecords } from './usage-input.ts';
import { createUsageQueue, type UsageQueueStats } from './usage-queue.ts';
import { createUsageSpool } from './usage-spool.ts';

export const AGENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export type AgentOptions = {
  /** Server address, e.g. http://127.0.0.1:3200 (MC_URL). */
  url: string;
  /** An operator key (mc_…) or this agent's own key (mca_…) (MC_API_KEY). */
  apiKey: string;
  /** Agent name: ^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$ (MC_AGENT_NAME). */
  name: string;
  role?: string;
  /** The tool this agent runs, e.g. `{ name: 'claude-code', version: '2.1.3' }`. */
  tool?: { name: string; version?: string };
  metadata?: Record<string, unknown>;
  /** Initial status (default idle). */
  status?: AgentStatus;
  activity?: string;
  /** Keep queued usage on disk here, so a crash or an outage loses nothing. Default: memory only. */
  spoolDir?: string | null;
  /** Records kept in memory before the oldest are dropped (they stay in the spool). Default 20,000. */
  maxQueuedRecords?: number;
  /** How long a record waits for company before its batch is sent. Default 250 ms. */
  batchDelayMs?: number;
  /** Overrides the server's heartbeat interval. */
  heartbeatIntervalMs?: number;
  retry?: RetryPolicy;
  /** Per-request timeout (default 10 s). */
  requestTimeoutMs?: number;
  fetch?: FetchLike;
};

export type ConnectAgentOptions = AgentOptions & {
  /** How long connectAgent waits for an unreachable server before throwing (default 15 s). */
  connectTimeoutMs?: number;
};

export type AgentStats = {
  state: ConnectionState;
  usage: UsageQueueStats;
  heartbeats: number;
  failedHeartbeats: number;
  connects: number;
};

export type AgentEvents = {
  /** Work items of a heartbeat response (assigned tasks, notifications), on every beat that has any. */
  work: (groups: WorkItemGroup[]) => void;
  /** Every failure, retryable ones included (`error.retryable`); fatal ones also stop the agent. */
  error: (error: MissionControlError) => void;
  /** Each successful (re)connect. */
  connected: (info: { agentId: string; connectionId: string }) => void;
};

export type Agent = {
  readonly name: string;
  readonly state: ConnectionState;
  readonly agentId: string | null;
  readonly connectionId: string | null;
  /** Resolves at the first connect; rejects with the fatal error if the agent stops before that. */
  ready(): Promise<void>;
  /** Sets status (and activity) and sends a heartbeat now; resolves after that attempt, never rejects. */
  setStatus(status: AgentStatus, activity?: string | null): Promise<void>;
  /** The task this agent works on: sent with heartbeats and stamped on usage records. */
  setTask(taskId: string | number | null): void;
  /** Queues usage (batched, retried, deduplicated by id). Throws ValidationError for a malformed record. */
  reportUsage(records: UsageRecordInput | UsageRecordInput[]): void;
  /** Sends queued usage now; resolves when the queue is empty or after `timeoutMs` (default 10 s). */
  flush(timeoutMs?: number): Promise<UsageQueueStats>;
  /** Claims the next task (PROTOCOL.md §6) and makes it the current task. */
  nextTask(options?: { maxCapacity?: number }): Promise<QueueResult>;
  /** Moves the task and/or comments on it; a move away from in_progress ends it as the current task. */
  updateTask(taskId: string | number, update: TaskUpdate): Promise<{ task: Task }>;
  comment(taskId: string | number, body: string): Promise<unknown>;
  on<E extends keyof AgentEvents>(event: E, listener: AgentEvents[E]): () => void;
  stats(): AgentStats;
  /** Flushes usage (up to `timeoutMs`, default 5 s), disconnects, stops timers. Unsent spooled usage stays on disk. */
  close(options?: { timeoutMs?: number }): Promise<AgentStats>;
};

function checkOptions(options: AgentOptions): void {
  if (!options.url) throw new ConfigurationError('No server URL: set MC_URL (or the url option), e.g. http://127.0.0.1:3200');
  if (typeof options.name !== 'string' || !AGENT_NAME_PATTERN.test(options.name)) {
    throw new ConfigurationError(`Agent name "${String(options.name)}" is invalid: use letters, digits, ".", "_" or "-" (1–63 chars, starting with a letter or digit)`);
  }
}

export function createAgent(options: AgentOptions): Agent {
  checkOptions(options);
  const api = createHttpApi({ url: options.url, apiKey: options.apiKey, timeoutMs: options.requestTimeoutMs, fetch: options.fetch });
  const listeners: { [E in keyof AgentEvents]: Set<AgentEvents[E]> } = { work: new Set(), error: new Set(), connected: new Set() };
  let status: AgentStatus = options.status ?? 'idle';
  let activity: string | null = options.activity ?? null;
  let taskId: string | null = null;
  let closing: Promise<AgentStats> | null = null;

  function emitError(error: MissionControlError): void {
    for (const listener of listeners.error) listener(error);
  }

  let resolveReady: () => void = () => {};
  let rejectReady: (error: MissionControlError) => void = () => {};
  const readyPromise = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  readyPromise.catch(() => {}); // observed through ready(); never an unhandled rejection

  const usage = createUsageQueue({
    send: (records: WireUsageRecord[]) => api.request<TokensResponse>('POST', '/api/tokens', { body: { records }, notFound: 'agent' }),
    spool: options.spoolDir ? createUsageSpool(options.spoolDir) : null,
    maxQueuedRecords: options.maxQueuedRecords ?? 20_000,
    batchDelayMs: options.batchDelayMs ?? 250,
    retry: options.retry,
    onError: emitError,
    onUnknownAgent: () => void loop.beatNow(),
  });

  const loop = createHeartbeatLoop({
    api,
    name: options.name,
    connectBody: {
      agent_name: options.name,
      ...(options.role ? { agent_role: options.role } : {}),
      ...(options.tool ? { tool_name: options.tool.name, ...(options.tool.version ? { tool_version: options.tool.version } : {}) } : {}),
      metadata: { host: hostname(), pid: process.pid, ...options.metadata },
    },
    intervalMs: options.heartbeatIntervalMs,
    retry: options.retry,
    presence: () => ({ status, activity, taskId }),
    onConnected(response) {
      resolveReady();
      usage.resume();
      for (const listener of listeners.connected) listener({ agentId: response.agent_id, connectionId: response.connection_id });
    },
    onWork(groups) {
      for (const listener of listeners.work) listener(groups);
    },
    onError: emitError,
    onFatal(error) {
      rejectReady(error);
    },
  });
  loop.start();

  /** One-shot calls: retried only when the request surely did not run (refused connection, 429, 503). */
  async function callOnce<T>(method: string, path: string, request: Parameters<typeof api.request>[2]): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await api.request<T>(method, path, request);
      } catch (error) {
        const retryable =
          (error instanceof RateLimitedError && error.retryAfterMs <= 30_000) ||
          (error instanceof ServerUnreachableError && error.code === 'UNREACHABLE') ||
          (error instanceof ServerError && error.status === 503);
        if (!retryable || attempt >= 3) throw error;
        const waitMs = error instanceof RateLimitedError ? error.retryAfterMs : 250 * attempt;
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }

  const agent: Agent = {
    name: options.name,
    get state() {
      return loop.state;
    },
    get agentId() {
      return loop.agentId;
    },
    get connectionId() {
      return loop.connectionId;
    },
    ready: () => readyPromise,
    setStatus(next, nextActivity) {
      status = next;
      if (nextActivity !== undefined) activity = nextActivity === null ? null : nextActivity.slice(0, 200);
      return loop.beatNow();
    },
    setTask(next) {
      taskId = next === null ? null : String(next);
    },
    reportUsage(records) {
      if (closing) throw new MissionControlError('reportUsage after close(): create a new agent', { code: 'CLOSED' });
      usage.enqueue(toWireRecords(records, options.name, taskId));
    },
    async flush(timeoutMs = 10_000) {
      await usage.flush(timeoutMs);
      return usage.stats();
    },
    async nextTask(queueOptions = {}) {
      const result = await callOnce<QueueResult>('GET', '/api/tasks/queue', {
        query: { agent: options.name, max_capacity: queueOptions.maxCapacity ?? 1 },
        notFound: 'agent',
      });
      if (result.task && (result.reason === 'assigned' || result.reason === 'continue_current')) taskId = String(result.task.id);
      return result;
    },
    async updateTask(id, update) {
      const { expectedVersion, ...rest } = update;
      const body = { ...rest, ...(expectedVersion !== undefined ? { expected_version: expectedVersion } : {}) };
      const result = await callOnce<{ task: Task }>('PATCH', `/api/tasks/${encodeURIComponent(String(id))}`, { body });
      if (String(id) === taskId && update.status !== undefined && update.status !== 'in_progress') taskId = null;
      return result;
    },
    comment(id, body) {
      return callOnce<unknown>('POST', `/api/tasks/${encodeURIComponent(String(id))}/comments`, { body: { body } });
    },
    on(event, listener) {
      const set = listeners[event] as Set<typeof listener>;
      set.add(listener);
      return () => set.delete(listener);
    },
    stats: () => ({ state: loop.state, usage: usage.stats(), ...loop.stats }),
    close(closeOptions = {}) {
      closing ??= (async () => {
        const timeoutMs = closeOptions.timeoutMs ?? 5_000;
        const started = Date.now();
        if (usage.fatalError === null && loop.state !== 'failed') await usage.flush(timeoutMs);
        await loop.stop(Math.max(500, Math.min(2_000, timeoutMs - (Date.now() - started))));
        const stats = { state: loop.state, usage: usage.stats(), ...loop.stats };
        usage.close();
        return stats;
      })();
      return closing;
    },
  };
  return agent;
}

/** createAgent + wait for the first connect and status. Throws AuthenticationError, PermissionError, UnknownAgentError,
 *  ConfigurationError at once, and ServerUnreachableError after `connectTimeoutMs` of trying. */
export async function connectAgent(options: ConnectAgentOptions): Promise<Agent> {
  const agent = createAgent(options);
  const last: { error: MissionControlError | null } = { error: null };
  const stopListening = agent.on('error', (error) => {
    last.error = error;
  });
  const timeoutMs = options.connectTimeoutMs ?? 15_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([agent.ready().then(() => 'ready' as const), timedOut]);
    if (outcome === 'ready') {
      // Connecting marks the agent `online`; return once its own status went out (the beat right after).
      await agent.setStatus(options.status ?? 'idle', options.activity ?? null);
      return agent;
    }
    await agent.close({ timeoutMs: 0 });
    const reason = last.error;
    throw reason !== null && !isFatal(reason)
      ? new ServerUnreachableError(`Gave up connecting after ${timeoutMs} ms: ${reason.message}`, { code: reason.code, cause: reason })
      : new ServerUnreachableError(`Gave up connecting to ${options.url} after ${timeoutMs} ms`, { code: 'TIMEOUT' });
  } catch (error) {
    if (!(error instanceof ServerUnreachableError)) await agent.close({ timeoutMs: 0 });
    throw error;
  } finally {
    clearTimeout(timer);
    stopListening();
  }
}
