// `mc-agent claude [--name n] -- <claude args>`. Print mode (-p) without --output-format: we add
// `--output-format stream-json --verbose`, read usage from the stream and print what `claude -p` prints
// (the final result text). A format the user chose is left alone (stream-json is still read). Interactive
// sessions are not touched: liveness here, status and usage from the hooks (mc-agent claude-hooks).

import { type FSWatcher, mkdirSync, mkdtempSync, rmSync, watch } from 'node:fs';
import { join } from 'node:path';
import type { AgentStatus } from '../agent/protocol.ts';
import { type ClaudeStreamBaseline, parseClaudeCodeStream } from '../telemetry/claude-stream.ts';
import type { CliEnv } from './cli-env.ts';
import type { WrapperOptions } from './cli-options.ts';
import type { CliLog } from './log-file.ts';
import { startReporter } from './reporter.ts';
import { keepNewest, readJsonFile, writeJsonFile } from './state-store.ts';
import { type ExitOutcome, runWrapped } from './wrap-process.ts';

export type ClaudePlan = {
  args: string[];
  /** render: we added stream-json and print the result text; parse: user's stream-json, bytes untouched; none. */
  mode: 'render' | 'parse' | 'none';
  interactive: boolean;
  resumeSessionId: string | null;
  resumed: boolean;
};

/** The value of `--flag v` or `--flag=v` among the options (before a `--`). */
export function optionValue(options: string[], names: string[]): string | undefined {
  for (let i = 0; i < options.length; i++) {
    const token = options[i] ?? '';
    for (const name of names) {
      if (token === name) return options[i + 1];
      if (token.startsWith(`${name}=`)) return token.slice(name.length + 1);
    }
  }
  return undefined;
}

export function planClaudeArgs(args: string[]): ClaudePlan {
  const terminator = args.indexOf('--');
  const options = terminator === -1 ? args : args.slice(0, terminator);
  const print = options.includes('-p') || options.includes('--print');
  const resumeValue = optionValue(options, ['-r', '--resume']);
  const resumeSessionId = resumeValue !== undefined && !resumeValue.startsWith('-') ? resumeValue : null;
  const resumed = resumeSessionId !== null || options.some((token) => ['-r', '--resume', '-c', '--continue'].includes(token) || token.startsWith('--resume='));
  const base = { interactive: !print, resumeSessionId, resumed };
  if (!print) return { ...base, args, mode: 'none' };
  const format = optionValue(options, ['--output-format']);
  if (format === 'stream-json') return { ...base, args, mode: 'parse' };
  if (format !== undefined) return { ...base, args, mode: 'none' };
  const added = ['--output-format', 'stream-json', ...(options.includes('--verbose') ? [] : ['--verbose'])];
  // Before a `--`, or the flags would become part of the prompt.
  const planned = terminator === -1 ? [...args, ...added] : [...args.slice(0, terminator), ...added, ...args.slice(terminator)];
  return { ...base, args: planned, mode: 'render' };
}

type JsonObject = Record<string, unknown>;
const parseObject = (line: string): JsonObject | null => {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : null;
  } catch {
    return null;
  }
};

/** What `claude -p` (text) shows for a result line: its text on stdout, or an error line on stderr. */
function renderResult(line: JsonObject): void {
  if (typeof line.result === 'string') {
    process.stdout.write(`${line.result}\n`);
    return;
  }
  const errors = Array.isArray(line.errors) ? line.errors.filter((error): error is string => typeof error === 'string') : [];
  process.stderr.write(`Error: ${errors.length > 0 ? errors.join('; ') : String(line.subtype ?? 'unknown error')}\n`);
}

function rateLimitActivity(info: JsonObject): string {
  const type = typeof info.rateLimitType === 'string' ? ` (${info.rateLimitType})` : '';
  const resets = typeof info.resetsAt === 'number' ? ` until ${new Date(info.resetsAt * 1000).toISOString()}` : '';
  return `${info.status === 'rejected' ? 'rate limited' : 'near its rate limit'}${type}${resets}`;
}

/** Hooks of a wrapped session write their status to this file; the wrapper is the one that reports it. */
function watchHookStatus(home: string, log: CliLog, apply: (status: AgentStatus, activity: string | null) => void): { directory: string | null; stop(): void } {
  let directory: string;
  try {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    directory = mkdtempSync(join(home, 'run-'));
  } catch (error) {
    log.warn(`hook status hand-over off: ${(error as Error).message}`);
    return { directory: null, stop() {} };
  }
  const file = join(directory, 'status.json');
  let last = '';
  let watcher: FSWatcher;
  try {
    watcher = watch(directory, () => {
      const value = readJsonFile(file);
      const key = JSON.stringify(value);
      if (key === last || typeof value.status !== 'string') return;
      last = key;
      apply(value.status as AgentStatus, typeof value.activity === 'string' ? value.activity : null);
    });
    watcher.on('error', () => {});
  } catch (error) {
    log.warn(`hook status hand-over off: ${(error as Error).message}`);
    rmSync(directory, { recursive: true, force: true });
    return { directory: null, stop() {} };
  }
  return {
    directory,
    stop() {
      watcher.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

export async function runClaude(options: WrapperOptions, env: CliEnv, log: CliLog): Promise<ExitOutcome> {
  const plan = planClaudeArgs(options.rest);
  const baselinesFile = join(env.home, 'state', 'claude-baselines.json');
  const baselines = readJsonFile(baselinesFile);
  const storedBaseline = plan.resumeSessionId ? baselines[plan.resumeSessionId] : undefined;
  const reporter = startReporter({
    env, options, log, kind: 'claude', tool: { name: 'claude-code' }, noticeOnStderr: true,
    status: plan.interactive ? 'idle' : 'busy',
    activity: plan.interactive ? 'interactive session' : 'claude -p',
  });

  const parser = parseClaudeCodeStream({
    clock: () => new Date(),
    ...(plan.resumed ? { resumed: true } : {}),
    ...(storedBaseline && typeof storedBaseline === 'object' ? { baseline: storedBaseline as ClaudeStreamBaseline } : {}),
  });
  let finalStatus: { status: AgentStatus; activity: string | null } = { status: 'idle', activity: null };

  function onLine(line: string): void {
    reporter.report(parser.push(line));
    const object = parseObject(line);
    if (object === null) return;
    if (object.type === 'result') {
      if (plan.mode === 'render') renderResult(object);
      const failed = object.subtype !== 'success' || object.is_error === true;
      finalStatus = failed ? { status: 'error', activity: `claude: ${String(object.subtype)}${object.is_error === true ? ' (error)' : ''}` } : { status: 'idle', activity: null };
    } else if (object.type === 'rate_limit_event' && typeof object.rate_limit_info === 'object' && object.rate_limit_info !== null) {
      const info = object.rate_limit_info as JsonObject;
      if (info.status === 'rejected') reporter.setStatus('error', rateLimitActivity(info));
      else if (info.status === 'allowed_warning') reporter.setStatus('busy', rateLimitActivity(info));
    }
  }

  const hookStatus = reporter.agent ? watchHookStatus(env.home, log, (status, activity) => reporter.setStatus(status, activity)) : { directory: null, stop() {} };
  const statusDirectory = hookStatus.directory;
  const childEnv: NodeJS.ProcessEnv = {
    ...env.raw,
    ...(statusDirectory && reporter.config
      ? { MC_AGENT_STATUS_FILE: join(statusDirectory, 'status.json'), MC_AGENT_NAME: reporter.config.name, MC_URL: reporter.config.url }
      : {}),
  };
  const outcome = await runWrapped({
    command: 'claude',
    args: plan.args,
    env: childEnv,
    tap: plan.mode === 'none' ? null : { passthrough: plan.mode === 'parse', onLine },
    stdinIsTerminal: process.stdin.isTTY === true,
  });
  hookStatus.stop();
  reporter.report(parser.end());

  const baseline = parser.nextBaseline();
  const sessionId = parser.summary().sessionIds.at(-1);
  if (baseline && sessionId) {
    try {
      writeJsonFile(baselinesFile, keepNewest({ ...readJsonFile(baselinesFile), [sessionId]: baseline }, 200));
    } catch (error) {
      log.warn(`could not store the resume baseline: ${(error as Error).message}`);
    }
  }
  if (outcome.kind !== 'exited' || outcome.code !== 0) {
    if (finalStatus.status !== 'error') finalStatus = { status: 'idle', activity: outcome.kind === 'exited' ? `claude exited with ${outcome.code}` : outcome.kind === 'signaled' ? `claude ended by ${outcome.signal}` : outcome.message };
  }
  await reporter.finish(finalStatus.status, finalStatus.activity);
  return outcome;
}
