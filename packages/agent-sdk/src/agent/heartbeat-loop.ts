// Connection and heartbeats (PROTOCOL.md §3–4): connect, then beat on the server's interval (±10 % jitter)
// carrying the current status. A failed beat means the server may have restarted: back off and connect
// again (a new connection_id; a server with a fresh database re-creates the agent). 429 waits Retry-After;
// a bad key or a refused agent stops the loop for good (fatal).

import { createBackoff, jitter, type RetryPolicy } from './backoff.ts';
import { isFatal, MissionControlError, RateLimitedError, UnknownAgentError, ValidationError } from './errors.ts';
import type { HttpApi } from './http-api.ts';
import type { AgentStatus, ConnectResponse, HeartbeatResponse, WorkItemGroup } from './protocol.ts';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

export type Presence = { status: AgentStatus; activity: string | null; taskId: string | null };

export type HeartbeatLoopOptions = {
  api: HttpApi;
  name: string;
  connectBody: Record<string, unknown>;
  /** Overrides the server's interval (tests, or agents that want fewer beats). */
  intervalMs?: number;
  retry?: RetryPolicy;
  presence(): Presence;
  onConnected(response: ConnectResponse): void;
  onWork(groups: WorkItemGroup[]): void;
  onError(error: MissionControlError): void;
  onFatal(error: MissionControlError): void;
};

export type HeartbeatLoop = {
  start(): void;
  /** Sends the current presence now (coalesced with a beat in flight); resolves after that attempt. */
  beatNow(): Promise<void>;
  /** Ends the connection on the server (DELETE /api/connect) and stops; never throws. */
  stop(timeoutMs: number): Promise<void>;
  readonly state: ConnectionState;
  readonly connectionId: string | null;
  readonly agentId: string | null;
  readonly stats: { heartbeats: number; failedHeartbeats: number; connects: number };
};

function samePresence(a: Presence | null, b: Presence): boolean {
  return a !== null && a.status === b.status && a.activity === b.activity && a.taskId === b.taskId;
}

function toMissionControlError(error: unknown): MissionControlError {
  return error instanceof MissionControlError ? error : new MissionControlError(String(error), { cause: error });
}

export function createHeartbeatLoop(options: HeartbeatLoopOptions): HeartbeatLoop {
  const { api } = options;
  const backoff = createBackoff(options.retry);
  const heartbeatPath = `/api/agents/${encodeURIComponent(options.name)}/heartbeat`;
  const stats = { heartbeats: 0, failedHeartbeats: 0, connects: 0 };
  let state: ConnectionState = 'connecting';
  let connectionId: string | null = null;
  let agentId: string | null = null;
  let intervalMs = options.intervalMs ?? 30_000;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> | null = null;
  /** What the beat in flight carries (null while connecting): an identical request need not follow it. */
  let inFlightPresence: Presence | null = null;
  let again = false; // a beat was requested while one was in flight
  let afterAttempt: Array<() => void> = [];

  const stopped = () => state === 'failed' || state === 'closed';

  function schedule(delayMs: number): void {
    if (stopped()) return;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void step();
    }, delayMs);
    timer.unref();
  }

  function fail(error: MissionControlError): void {
    state = 'failed';
    if (timer !== null) clearTimeout(timer);
    timer = null;
    options.onFatal(error);
  }

  function retryAfterFailure(error: MissionControlError): void {
    if (error instanceof RateLimitedError) schedule(Math.max(1, error.retryAfterMs));
    else schedule(Math.min(backoff.next(), Math.max(intervalMs, 1_000)));
  }

  async function connect(): Promise<void> {
    try {
      const response = await api.request<ConnectResponse>('POST', '/api/connect', { body: options.connectBody, notFound: 'agent' });
      stats.connects += 1;
      connectionId = response.connection_id;
      agentId = response.agent_id;
      if (options.intervalMs === undefined && response.heartbeat_interval_s > 0) intervalMs = response.heartbeat_interval_s * 1000;
      state = 'connected';
      backoff.reset();
      options.onConnected(response);
      again = true; // connect marks the agent `online`: send our real status right away
    } catch (error) {
      const failure = toMissionControlError(error);
      options.onError(failure);
      // A refused name, a removed agent (agent key) or a bad key: no retry fixes these.
      if (isFatal(failure) || failure instanceof ValidationError || failure instanceof UnknownAgentError) fail(failure);
      else retryAfterFailure(failure);
    }
  }

  async function heartbeat(): Promise<void> {
    const presence = options.presence();
    inFlightPresence = presence;
    try {
      const response = await api.request<HeartbeatResponse>('POST', heartbeatPath, {
        body: {
          ...(connectionId ? { connection_id: connectionId } : {}),
          status: presence.status,
          ...(presence.activity ? { activity: presence.activity } : {}),
          ...(presence.taskId ? { task_id: presence.taskId } : {}),
        },
        notFound: 'agent',
      });
      stats.heartbeats += 1;
      backoff.reset();
      if (options.intervalMs === undefined && response.next_heartbeat_s > 0) intervalMs = response.next_heartbeat_s * 1000;
      if (Array.isArray(response.work_items) && response.work_items.length > 0) options.onWork(response.work_items);
      schedule(jitter(intervalMs));
    } catch (error) {
      const failure = toMissionControlError(error);
      stats.failedHeartbeats += 1;
      options.onError(failure);
      if (isFatal(failure)) return fail(failure);
      if (failure instanceof RateLimitedError) return retryAfterFailure(failure);
      // Unknown agent, 5xx or no answer: the server may be a new one; connect again once it answers.
      state = 'reconnecting';
      connectionId = null;
      if (failure instanceof UnknownAgentError) schedule(0);
      else retryAfterFailure(failure);
    }
  }

  async function step(): Promise<void> {
    if (stopped()) return;
    if (inFlight) {
      if (!samePresence(inFlightPresence, options.presence())) again = true;
      return inFlight;
    }
    const attempt = (async () => {
      if (state === 'connected') await heartbeat();
      else await connect();
    })();
    inFlight = attempt;
    await attempt;
    inFlight = null;
    inFlightPresence = null;
    if (again && state === 'connected') {
      again = false;
      return step();
    }
    const waiting = afterAttempt;
    afterAttempt = [];
    for (const resolve of waiting) resolve();
  }

  function beatNow(): Promise<void> {
    if (stopped()) return Promise.resolve();
    return new Promise((resolve) => {
      afterAttempt.push(resolve);
      if (state === 'connected') {
        if (timer !== null) clearTimeout(timer);
        timer = null;
        void step();
      } else if (!inFlight) {
        // Not connected: the presence goes out right after the next successful connect.
        resolve();
      }
    });
  }

  async function stop(timeoutMs: number): Promise<void> {
    if (state === 'closed') return;
    const wasConnected = state === 'connected' ? connectionId : null;
    state = 'closed';
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const waiting = afterAttempt;
    afterAttempt = [];
    for (const resolve of waiting) resolve();
    if (wasConnected === null) return;
    // A beat still in flight could land after the disconnect and show the agent alive again: let it finish.
    if (inFlight) await Promise.race([inFlight, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    try {
      await api.request('DELETE', '/api/connect', { body: { connection_id: wasConnected }, timeoutMs });
    } catch (error) {
      options.onError(toMissionControlError(error));
    }
  }

  return {
    start: () => schedule(0),
    beatNow,
    stop,
    get state() {
      return state;
    },
    get connectionId() {
      return connectionId;
    },
    get agentId() {
      return agentId;
    },
    stats,
  };
}
