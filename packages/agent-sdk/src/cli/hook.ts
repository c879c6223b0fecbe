// `mc-agent hook`: run by Claude Code on lifecycle events (mc-agent claude-hooks), JSON on stdin. Status:
// busy on prompt submit and tool use, needs_input on permission/idle notifications, idle on Stop. Usage:
// on Stop / SubagentStop / SessionEnd the transcript is parsed from the offset stored for it and the new
// records are spooled, then sent. Never writes stdout (Claude Code would read it), never fails the
// session: every error is logged, the exit code is always 0, and the whole run is bounded (MC_HOOK_TIMEOUT_MS).
// Between events a detached keepalive (keepalive.ts), started by the first hook of a session, re-sends the
// presence stored here; SessionEnd stops it. Not under `mc-agent claude`, whose wrapper heartbeats itself.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isFatal, ServerUnreachableError } from '../agent/errors.ts';
import { createHttpApi, type HttpApi } from '../agent/http-api.ts';
import { createUsageQueue } from '../agent/usage-queue.ts';
import { createUsageSpool } from '../agent/usage-spool.ts';
import { toWireRecords } from '../agent/usage-input.ts';
import { parseClaudeTranscript } from '../telemetry/claude-transcript.ts';
import { toBilling, type UsageRecord } from '../telemetry/usage-record.ts';
import type { CliEnv } from './cli-env.ts';
import { type ReportingConfig, resolveReportingConfig, spoolDirFor } from './cli-options.ts';
import { ensureKeepalive, hookStateFile, saveHookState, sessionEnded, sessionKey, stopKeepalive } from './keepalive.ts';
import type { CliLog } from './log-file.ts';
import { connectBody, type Presence, sendPresence } from './presence.ts';
import { readJsonFile, writeJsonFile } from './state-store.ts';

type HookInput = Record<string, unknown>;

/** Time left of the hook's budget (MC_HOOK_TIMEOUT_MS, default 4 s; Claude Code's own limit is 10 s). */
type Budget = () => number;
/** A repeated identical status is re-sent at most this often (PreToolUse fires per tool call). */
const PRESENCE_REFRESH_MS = 20_000;
const NEEDS_INPUT_NOTIFICATIONS = new Set(['permission_prompt', 'idle_prompt', 'elicitation_dialog']);

const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/** The status an event means, or null for events that only carry usage (or nothing). */
export function presenceFor(input: HookInput): Presence | null {
  switch (input.hook_event_name) {
    case 'SessionStart':
      return { status: 'idle', activity: 'session started' };
    case 'UserPromptSubmit':
      return { status: 'busy', activity: 'working on a prompt' };
    case 'PreToolUse':
      return { status: 'busy', activity: text(input.tool_name) ? `using ${text(input.tool_name)}` : 'using a tool' };
    case 'Notification': {
      const type = text(input.notification_type);
      // Older Claude Code sends no type: its notifications are permission and idle prompts.
      if (type !== undefined && !NEEDS_INPUT_NOTIFICATIONS.has(type)) return null;
      return { status: 'needs_input', activity: (text(input.message) ?? 'waiting for input').slice(0, 200) };
    }
    case 'Stop':
      return { status: 'idle', activity: null };
    case 'SessionEnd':
      return { status: 'idle', activity: 'session ended' };
    default:
      return null;
  }
}

/** The transcript whose new part this event reports, if any. */
export function transcriptFor(input: HookInput): string | undefined {
  switch (input.hook_event_name) {
    case 'Stop':
    case 'SessionEnd':
      return text(input.transcript_path);
    case 'SubagentStop':
      return text(input.agent_transcript_path) ?? text(input.transcript_path);
    default:
      return undefined;
  }
}

function hasSpooledUsage(directory: string): boolean {
  try {
    return readdirSync(directory).some((name) => name.endsWith('.jsonl'));
  } catch {
    return false;
  }
}

async function readStdin(limitBytes: number, timeoutMs: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise((resolve) => {
    const timer = setTimeout(finish, timeoutMs);
    timer.unref();
    function finish() {
      clearTimeout(timer);
      process.stdin.pause();
      resolve(Buffer.concat(chunks).toString('utf8'));
    }
    process.stdin.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) chunks.push(chunk);
    });
    process.stdin.on('end', finish);
    process.stdin.on('error', finish);
  });
}

/** Spools the records, then sends them (and earlier undelivered ones) until the deadline. An unreachable
 *  server ends the attempt at once: the records wait in the spool for the next hook or wrapper. */
async function deliverUsage(api: HttpApi, env: CliEnv, config: ReportingConfig, input: HookInput, records: UsageRecord[], log: CliLog, remaining: Budget) {
  const spoolDir = spoolDirFor(env, config);
  let gaveUp = false;
  const queue = createUsageQueue({
    send: (batch) => api.request('POST', '/api/tokens', { body: { records: batch }, notFound: 'agent', timeoutMs: remaining() }),
    spool: spoolDir ? createUsageSpool(spoolDir) : null,
    maxQueuedRecords: 20_000,
    batchDelayMs: 0,
    retry: { baseDelayMs: 100, maxDelayMs: 500 },
    onError: (error) => {
      log.warn(error.message, { error: error.name, code: error.code });
      if (error instanceof ServerUnreachableError || isFatal(error)) {
        gaveUp = true;
        queue.close();
      }
    },
    onUnknownAgent: () => {
      api.request('POST', '/api/connect', { body: connectBody(config, text(input.cwd)), timeoutMs: remaining() }).then(
        () => queue.resume(),
        (error: unknown) => log.warn(`connect failed: ${(error as Error).message}`),
      );
    },
  });
  queue.enqueue(toWireRecords(records, config.name, null));
  queue.resume();
  await queue.flush(remaining());
  const delivered = !gaveUp && queue.stats().queued === 0;
  queue.close(); // undelivered records stay in the spool for the next hook or wrapper
  return { delivered, spooled: spoolDir !== null };
}

/** `cliScript`: this CLI's script, which the keepalive runs (process.argv[1]). */
export async function runHook(env: CliEnv, log: CliLog, cliScript: string | undefined = process.argv[1]): Promise<void> {
  const raw = await readStdin(1024 * 1024, 2_000);
  let input: HookInput;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    input = parsed as HookInput;
  } catch (error) {
    log.warn(`hook input is not JSON: ${(error as Error).message}`);
    return;
  }
  const event = text(input.hook_event_name) ?? 'unknown';
  const sessionId = text(input.session_id) ?? 'unknown';
  const key = sessionKey(sessionId);
  const stateFile = hookStateFile(env.home, key);
  let state = readJsonFile(stateFile);
  const eventAt = Date.now();
  const presence = presenceFor(input);
  const transcript = transcriptFor(input);
  const { config, problem } = resolveReportingConfig({ name: undefined, url: undefined, apiKey: undefined, role: undefined, rest: [] }, env, 'claude');

  // Under `mc-agent claude`, the wrapper owns the agent's status: hand it over through its file.
  if (presence && env.statusFile && existsSync(dirname(env.statusFile))) {
    writeJsonFile(env.statusFile, { ...presence, event, at: new Date().toISOString() });
  }
  if (config === null) {
    log.warn(`hook ${event}: not reporting: ${problem}`);
    return;
  }
  if (!env.statusFile) {
    // Stored before anything is sent, so a keepalive beat racing this hook re-sends the new status.
    if (presence) state.lastPresence = { ...presence, at: eventAt };
    if (event === 'SessionEnd') state.endedAt = eventAt;
    if (text(input.cwd)) state.cwd = text(input.cwd);
    try {
      state = saveHookState(stateFile, state);
    } catch (error) {
      log.warn(`hook ${event}: cannot store the session state: ${(error as Error).message}`);
    }
    if (event === 'SessionEnd') stopKeepalive(env.home, key, log);
    else if (env.keepalive && cliScript !== undefined && text(input.session_id) !== undefined && !sessionEnded(state)) {
      ensureKeepalive(env.home, key, log, { execPath: process.execPath, execArgv: process.execArgv, script: cliScript, env: env.raw });
    }
  }
  const deadline = Date.now() + env.hookTimeoutMs;
  const remaining: Budget = () => Math.max(1, deadline - Date.now());
  const api = createHttpApi({ url: config.url, apiKey: config.apiKey, timeoutMs: env.hookTimeoutMs });
  const tasks: Array<Promise<void>> = [];

  if (presence && !env.statusFile) {
    const presenceKey = `${presence.status}|${presence.activity ?? ''}`;
    const lastSentAt = typeof state.presenceSentAt === 'number' ? state.presenceSentAt : 0;
    if (state.presence !== presenceKey || Date.now() - lastSentAt > PRESENCE_REFRESH_MS) {
      tasks.push(
        sendPresence(api, config, text(input.cwd), presence, remaining).then(
          (nextHeartbeatS) => {
            state.presence = presenceKey;
            state.presenceSentAt = Date.now();
            if (nextHeartbeatS !== undefined) state.nextHeartbeatS = nextHeartbeatS;
          },
          (error: unknown) => log.warn(`hook ${event}: status not sent: ${(error as Error).message}`),
        ),
      );
    }
  }

  const spoolDir = spoolDirFor(env, config);
  if (transcript) {
    const offsets = typeof state.offsets === 'object' && state.offsets !== null ? (state.offsets as Record<string, number>) : {};
    let bytes: Buffer | null = null;
    try {
      bytes = readFileSync(transcript);
    } catch (error) {
      log.warn(`hook ${event}: cannot read the transcript ${transcript}: ${(error as Error).message}`);
    }
    if (bytes) {
      const { records, summary } = parseClaudeTranscript(bytes, { startOffset: offsets[transcript] ?? 0, billing: toBilling(env.billing) });
      tasks.push(
        deliverUsage(api, env, config, input, records, log, remaining).then(
          ({ delivered, spooled }) => {
            // Safe to move on once the records are on disk, or delivered when there is no spool.
            if (spooled || delivered) state.offsets = { ...offsets, [transcript]: summary.endOffset };
          },
          (error: unknown) => log.warn(`hook ${event}: usage not reported: ${(error as Error).message}`),
        ),
      );
    }
  } else if (spoolDir && hasSpooledUsage(spoolDir)) {
    // Earlier hooks could not deliver (server down): any event retries, within the same deadline.
    tasks.push(deliverUsage(api, env, config, input, [], log, remaining).then(() => {}, (error: unknown) => log.warn(`hook ${event}: ${(error as Error).message}`)));
  }
  await Promise.all(tasks);
  if (env.statusFile) writeJsonFile(stateFile, state);
  else saveHookState(stateFile, state);
}
