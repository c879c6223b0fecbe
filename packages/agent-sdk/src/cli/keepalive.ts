// The hooks path's keepalive: hooks only fire on events, so a session waiting at the prompt (or on a
// permission prompt) would miss the server's offline deadline (3 heartbeat intervals, 90 s by default).
// `mc-agent hook` starts one detached `mc-agent keepalive --session <key> --watch <pid|none>` per session;
// it re-sends the presence the hooks last stored (status and activity, needs_input included) every
// heartbeat interval (the server's next_heartbeat_s, else 30 s), and stops, sending nothing more, when
//  - the Claude Code process it watches exits (found by the hook: its nearest ancestor that is neither a
//    shell nor a node/npm launcher; see process-tree.ts), or, when there was none to find, 30 min after
//    the session's last hook event (the state file's mtime);
//  - SessionEnd: the hook marks the session ended in its state and sends SIGTERM;
//  - another keepalive took the session over (its PID file names someone else), or the state is gone;
//  - 24 h have passed.
// One PID file per session beside the hook state (state/hooks/<key>.keepalive.pid). Start and stop
// reasons go to the CLI log. Under `mc-agent claude` (MC_AGENT_STATUS_FILE) the wrapper heartbeats and no
// keepalive runs; MC_KEEPALIVE=off turns it off altogether.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createHttpApi } from '../agent/http-api.ts';
import type { AgentStatus } from '../agent/protocol.ts';
import type { CliEnv } from './cli-env.ts';
import { type ReportingConfig, resolveReportingConfig, UsageError } from './cli-options.ts';
import type { CliLog } from './log-file.ts';
import { type Presence, sendPresence } from './presence.ts';
import { canInspectProcesses, commandLineOf, findWatchedAncestor, isAlive, type ProcessLookup, platformProcessLookup, readProcStat } from './process-tree.ts';
import { type JsonRecord, readJsonFile, writeJsonFile } from './state-store.ts';

export const KEEPALIVE_DEFAULT_INTERVAL_MS = 30_000;
/** Without a Claude Code process to watch: stop this long after the session's last hook event. */
export const KEEPALIVE_IDLE_LIMIT_MS = 30 * 60_000;
export const KEEPALIVE_MAX_LIFETIME_MS = 24 * 60 * 60_000;
const REQUEST_TIMEOUT_MS = 10_000;
const STATUSES = new Set<AgentStatus>(['idle', 'busy', 'needs_input', 'error']);

/** The file-name key of a Claude Code session id. */
export function sessionKey(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex').slice(0, 24);
}
export const hookStateFile = (home: string, key: string) => join(home, 'state', 'hooks', `${key}.json`);
export const keepalivePidFile = (home: string, key: string) => join(home, 'state', 'hooks', `${key}.keepalive.pid`);

// ---- the hook state the keepalive reads ----------------------------------------------------------

export type StoredPresence = Presence & { at: number };

function lastPresenceOf(state: JsonRecord): StoredPresence | null {
  const value = state.lastPresence;
  if (typeof value !== 'object' || value === null) return null;
  const { status, activity, at } = value as Record<string, unknown>;
  if (typeof status !== 'string' || !STATUSES.has(status as AgentStatus) || typeof at !== 'number') return null;
  return { status: status as AgentStatus, activity: typeof activity === 'string' ? activity : null, at };
}

/** The presence the hooks last reported for the session; state written before the keepalive existed has
 *  only the dedupe key `status|activity`. */
export function storedPresence(state: JsonRecord): StoredPresence | null {
  const last = lastPresenceOf(state);
  if (last) return last;
  if (typeof state.presence !== 'string') return null;
  const bar = state.presence.indexOf('|');
  const status = (bar === -1 ? state.presence : state.presence.slice(0, bar)) as AgentStatus;
  if (!STATUSES.has(status)) return null;
  const activity = bar === -1 ? '' : state.presence.slice(bar + 1);
  return { status, activity: activity === '' ? null : activity, at: 0 };
}

/** SessionEnd came after the last status (a resumed session reports again and is live again). */
export function sessionEnded(state: JsonRecord): boolean {
  return typeof state.endedAt === 'number' && state.endedAt >= (storedPresence(state)?.at ?? 0);
}

/** This hook's state merged with what a concurrent hook wrote meanwhile: the newer presence wins (a
 *  slower PreToolUse hook must not put needs_input back to busy), a SessionEnd is never lost. */
export function mergeHookState(mine: JsonRecord, onDisk: JsonRecord): JsonRecord {
  const merged: JsonRecord = { ...mine };
  const theirs = lastPresenceOf(onDisk);
  if (theirs && theirs.at > (lastPresenceOf(mine)?.at ?? -1)) merged.lastPresence = onDisk.lastPresence;
  const ended = [mine.endedAt, onDisk.endedAt].filter((value): value is number => typeof value === 'number');
  if (ended.length > 0) merged.endedAt = Math.max(...ended);
  return merged;
}

/** Writes the hook state merged with the file's current content; returns what was written. */
export function saveHookState(file: string, state: JsonRecord): JsonRecord {
  const merged = mergeHookState(state, readJsonFile(file));
  writeJsonFile(file, merged);
  return merged;
}

// ---- PID file ------------------------------------------------------------------------------------

type PidFile = { pid: number; session: string; watch: number | null; startedAt: number };

function readPidFile(file: string): PidFile | null {
  const value = readJsonFile(file);
  if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0) return null;
  return {
    pid: value.pid,
    session: typeof value.session === 'string' ? value.session : '',
    watch: typeof value.watch === 'number' ? value.watch : null,
    startedAt: typeof value.startedAt === 'number' ? value.startedAt : 0,
  };
}

/** Alive, and (where command lines can be read) really `mc-agent keepalive` of this session, not a
 *  process that got the PID of a dead keepalive. */
export function isKeepaliveProcess(pid: number, key: string): boolean {
  if (!isAlive(pid)) return false;
  if (!canInspectProcesses()) return true;
  const command = commandLineOf(pid);
  return command !== null && / keepalive /.test(` ${command} `) && command.includes(key);
}

// ---- the hook's side -----------------------------------------------------------------------------

export type KeepaliveLaunch = { execPath: string; execArgv: string[]; script: string; env: NodeJS.ProcessEnv };

/** Starts a keepalive for the session unless a live one is registered. Fast (a few file reads and one
 *  spawn), never throws, never writes stdout. */
export function ensureKeepalive(home: string, key: string, log: CliLog, launch: KeepaliveLaunch, lookup: ProcessLookup | null = platformProcessLookup()): void {
  const pidFile = keepalivePidFile(home, key);
  try {
    const existing = readPidFile(pidFile);
    if (existing && isKeepaliveProcess(existing.pid, key)) return;
    const watch = lookup ? findWatchedAncestor(process.pid, lookup) : null;
    const child = spawn(launch.execPath, [...launch.execArgv, launch.script, 'keepalive', '--session', key, '--watch', watch ? String(watch.pid) : 'none'], {
      detached: true,
      stdio: 'ignore',
      env: launch.env,
      windowsHide: true,
    });
    child.on('error', (error) => log.warn(`keepalive could not start: ${error.message}`));
    if (child.pid === undefined) return;
    child.unref();
    // Registered at once, so the next hook (maybe a few ms away) finds it before it has even booted.
    writeJsonFile(pidFile, { pid: child.pid, session: key, watch: watch?.pid ?? null, startedAt: Date.now() });
    log.info(
      watch
        ? `started keepalive pid ${child.pid}, watching pid ${watch.pid} (${watch.comm}) as the Claude Code process`
        : `started keepalive pid ${child.pid}; no Claude Code process found, it stops 30 min after the last hook event`,
      { session: key },
    );
  } catch (error) {
    log.warn(`keepalive not started: ${(error as Error).message}`, { session: key });
  }
}

/** SessionEnd: the state already says so; SIGTERM stops the keepalive now instead of at its next check. */
export function stopKeepalive(home: string, key: string, log: CliLog): void {
  const pidFile = keepalivePidFile(home, key);
  const existing = readPidFile(pidFile);
  if (existing === null) return;
  try {
    if (!isAlive(existing.pid)) {
      rmSync(pidFile, { force: true }); // stale: its keepalive is long gone
    } else if (canInspectProcesses() && isKeepaliveProcess(existing.pid, key)) {
      process.kill(existing.pid, 'SIGTERM');
      log.info(`SessionEnd: stopping keepalive pid ${existing.pid}`, { session: key });
    }
    // Otherwise the PID may belong to another program now (or cannot be checked here): no signal; a
    // keepalive still running sees the ended session in the state at its next check.
  } catch (error) {
    log.warn(`SessionEnd: could not stop keepalive pid ${existing.pid}: ${(error as Error).message}`, { session: key });
  }
}

// ---- the keepalive process -----------------------------------------------------------------------

export type KeepaliveOptions = { session: string; watch: number | null };

export function parseKeepaliveArgs(args: string[]): KeepaliveOptions {
  let session: string | undefined;
  let watch: number | null = null;
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    if (flag === '--session') session = value;
    else if (flag === '--watch') {
      watch = value === 'none' ? null : Number(value);
      if (watch !== null && !(Number.isInteger(watch) && watch > 1)) throw new UsageError(`--watch: "${value}" is not a PID`);
    } else throw new UsageError(`unknown option ${flag}; usage: mc-agent keepalive --session <key> [--watch <pid>|none]`);
  }
  if (session === undefined || !/^[0-9a-f]{24}$/.test(session)) throw new UsageError('--session needs the session key (24 hex digits)');
  return { session, watch };
}

export type StopCheck = {
  now: number;
  startedAt: number;
  ended: boolean;
  ownsPidFile: boolean;
  /** null: no process to watch. */
  watchAlive: boolean | null;
  /** The state file's mtime (the session's last hook event); null when the file is gone. */
  lastHookEventAt: number | null;
};

export type StopLimits = { idleMs: number; maxLifetimeMs: number };

/** Why the keepalive must stop now, or null to go on. */
export function keepaliveStopReason(check: StopCheck, limits: StopLimits = { idleMs: KEEPALIVE_IDLE_LIMIT_MS, maxLifetimeMs: KEEPALIVE_MAX_LIFETIME_MS }): string | null {
  if (check.ended) return 'SessionEnd';
  if (!check.ownsPidFile) return 'another keepalive took the session over';
  if (check.lastHookEventAt === null) return 'the session state is gone';
  if (check.watchAlive === false) return 'Claude Code exited';
  if (check.watchAlive === null && check.now - check.lastHookEventAt >= limits.idleMs) {
    return `no hook event for ${Math.round(limits.idleMs / 60_000)} min and no Claude Code process to watch`;
  }
  if (check.now - check.startedAt >= limits.maxLifetimeMs) return `reached the ${Math.round(limits.maxLifetimeMs / 3_600_000)} h cap`;
  return null;
}

function mtimeOf(file: string): number | null {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

/** Runs until a stop condition; resolves with the reason. */
export async function runKeepalive(options: KeepaliveOptions, env: CliEnv, log: CliLog, lookup: ProcessLookup | null = platformProcessLookup()): Promise<string> {
  const key = options.session;
  const stateFile = hookStateFile(env.home, key);
  const pidFile = keepalivePidFile(env.home, key);
  const startedAt = Date.now();
  const fields = { session: key };

  const registered = readPidFile(pidFile);
  if (registered && registered.pid !== process.pid && isKeepaliveProcess(registered.pid, key)) {
    log.info(`keepalive not needed: pid ${registered.pid} already keeps the session alive`, fields);
    return 'another keepalive runs';
  }
  if (registered?.pid !== process.pid) writeJsonFile(pidFile, { pid: process.pid, session: key, watch: options.watch, startedAt });
  const removePidFile = () => {
    if (readPidFile(pidFile)?.pid === process.pid) rmSync(pidFile, { force: true });
  };

  const resolved = resolveReportingConfig({ name: undefined, url: undefined, apiKey: undefined, role: undefined, rest: [] }, env, 'claude');
  if (resolved.config === null) {
    removePidFile();
    log.warn(`keepalive stopped: not reporting: ${resolved.problem}`, fields);
    return 'not reporting';
  }
  const config: ReportingConfig = resolved.config;
  const api = createHttpApi({ url: config.url, apiKey: config.apiKey, timeoutMs: REQUEST_TIMEOUT_MS });
  // The comm of the watched PID now, to notice a PID reused by another program (Linux: one cheap read).
  const watchComm = options.watch === null ? null : (lookup?.(options.watch)?.comm ?? null);
  const watchAlive = (pid: number) => isAlive(pid) && (watchComm === null || process.platform !== 'linux' || readProcStat(pid)?.comm === watchComm);

  let lastBeatAt = startedAt; // the hook that started this has just reported
  let serverIntervalMs: number | undefined;
  let lastError: string | null = null;
  let beats = 0;
  let stopped = false;

  const intervalFor = (state: JsonRecord): number => {
    if (env.keepaliveIntervalMs !== undefined) return env.keepaliveIntervalMs;
    const fromState = typeof state.nextHeartbeatS === 'number' && state.nextHeartbeatS > 0 ? state.nextHeartbeatS * 1000 : undefined;
    const fromServer = serverIntervalMs ?? fromState;
    return fromServer === undefined ? KEEPALIVE_DEFAULT_INTERVAL_MS : Math.min(300_000, Math.max(1_000, fromServer));
  };

  async function beat(state: JsonRecord): Promise<void> {
    let presence: StoredPresence = storedPresence(state) ?? { status: 'idle', activity: null, at: 0 };
    const cwd = typeof state.cwd === 'string' ? state.cwd : undefined;
    // Twice at most: a hook that reported a newer status while this beat was on its way may have been
    // overtaken by it, so that status is sent again.
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const next = await sendPresence(api, config, cwd, presence, () => REQUEST_TIMEOUT_MS);
        if (next !== undefined) serverIntervalMs = next * 1000;
        beats += 1;
        if (lastError !== null) log.info('keepalive: heartbeats are delivered again', fields);
        lastError = null;
      } catch (error) {
        const message = (error as Error).message;
        if (message !== lastError) log.warn(`keepalive: heartbeat not sent, retrying every interval: ${message}`, fields);
        lastError = message;
        return;
      } finally {
        lastBeatAt = Date.now();
      }
      if (stopped) return;
      const now = readJsonFile(stateFile);
      const latest = storedPresence(now);
      if (latest === null || latest.at <= presence.at || sessionEnded(now)) return;
      presence = latest;
    }
  }

  log.info(`keepalive started${options.watch === null ? ', no process to watch' : `, watching pid ${options.watch} (${watchComm ?? 'unknown'})`}`, fields);
  return new Promise<string>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    function stop(reason: string) {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      try {
        removePidFile();
      } catch {
        // the home may be gone
      }
      log.info(`keepalive stopped: ${reason}`, { ...fields, beats });
      resolve(reason);
    }
    function onSignal(signal: NodeJS.Signals) {
      stop(sessionEnded(readJsonFile(stateFile)) ? 'SessionEnd' : `${signal}`);
    }
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);

    async function tick() {
      let interval = KEEPALIVE_DEFAULT_INTERVAL_MS;
      try {
        const state = readJsonFile(stateFile);
        const reason = keepaliveStopReason({
          now: Date.now(),
          startedAt,
          ended: sessionEnded(state),
          ownsPidFile: readPidFile(pidFile)?.pid === process.pid,
          watchAlive: options.watch === null ? null : watchAlive(options.watch),
          lastHookEventAt: mtimeOf(stateFile),
        });
        if (reason !== null) return stop(reason);
        interval = intervalFor(state);
        const hookSentAt = typeof state.presenceSentAt === 'number' ? state.presenceSentAt : 0;
        if (Date.now() - Math.max(lastBeatAt, hookSentAt) >= interval) {
          await beat(state);
          interval = intervalFor(readJsonFile(stateFile));
        }
      } catch (error) {
        log.warn(`keepalive: ${(error as Error).message}`, fields);
      }
      // Checks run at least every 2 s (a gone Claude Code is noticed quickly); beats every interval.
      if (!stopped) timer = setTimeout(tick, Math.min(2_000, Math.max(25, interval / 2)));
    }
    void tick();
  });
}
