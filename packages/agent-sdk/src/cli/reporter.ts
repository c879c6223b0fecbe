// The wrappers' link to Mission Control: an agent that never blocks or fails the wrapped tool. Without
// configuration it is a no-op (one notice on stderr); SDK errors go to the log file; finish() is bounded.
import { basename } from 'node:path';
import { type Agent, createAgent } from '../agent/connect-agent.ts';
import { type MissionControlError, ServerUnreachableError } from '../agent/errors.ts';
import type { AgentStatus, UsageRecordInput } from '../agent/protocol.ts';
import type { CliEnv } from './cli-env.ts';
import { type ReportingConfig, resolveReportingConfig, spoolDirFor, type WrapperOptions } from './cli-options.ts';
import type { CliLog } from './log-file.ts';

export type Reporter = {
  readonly agent: Agent | null;
  readonly config: ReportingConfig | null;
  setStatus(status: AgentStatus, activity?: string | null): void;
  report(records: UsageRecordInput[]): void;
  /** After the tool ended: last status, usage flush (bounded by MC_FLUSH_TIMEOUT_MS), disconnect. */
  finish(status: AgentStatus, activity?: string | null): Promise<void>;
};

export type ReporterOptions = {
  env: CliEnv;
  options: WrapperOptions;
  tool: { name: string; version?: string };
  /** Default agent name prefix (`claude`, `codex`, `run`). */
  kind: string;
  status: AgentStatus;
  activity: string | null;
  log: CliLog;
  /** Print the missing-configuration notice on stderr (wrappers: yes; hooks: no). */
  noticeOnStderr: boolean;
};

/** Waits for `promise` at most `ms`. The timer is deliberately not unref'd: the agent's own timers are, so
 *  while finish() waits for a reconnect nothing else may keep the process alive, and an empty event loop
 *  would end the wrapper with exit code 0 before it exits with the tool's code. */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export function startReporter(options: ReporterOptions): Reporter {
  const { env, log } = options;
  const { config, problem } = resolveReportingConfig(options.options, env, options.kind);
  if (config === null) {
    log.warn(`not reporting: ${problem}`);
    if (options.noticeOnStderr) process.stderr.write(`mc-agent: ${problem}; running without reporting to Mission Control (see mc-agent doctor)\n`);
    return { agent: null, config: null, setStatus() {}, report() {}, async finish() {} };
  }
  let agent: Agent;
  try {
    agent = createAgent({
      url: config.url,
      apiKey: config.apiKey,
      name: config.name,
      role: config.role,
      tool: options.tool,
      metadata: { cwd: basename(process.cwd()) },
      status: options.status,
      ...(options.activity ? { activity: options.activity } : {}),
      spoolDir: spoolDirFor(env, config),
      requestTimeoutMs: 5_000,
    });
  } catch (error) {
    log.warn(`not reporting: ${(error as Error).message}`);
    if (options.noticeOnStderr) process.stderr.write(`mc-agent: ${(error as Error).message}; running without reporting\n`);
    return { agent: null, config: null, setStatus() {}, report() {}, async finish() {} };
  }
  let lastLogged = '';
  let lastError: MissionControlError | null = null;
  const unreachableWaiters = new Set<() => void>();
  agent.on('error', (error) => {
    lastError = error;
    if (error instanceof ServerUnreachableError && error.code === 'UNREACHABLE') for (const wake of unreachableWaiters) wake();
    // An outage retries for a while: one line per distinct problem, not one per attempt.
    if (error.message === lastLogged) return;
    lastLogged = error.message;
    log.warn(error.message, { error: error.name, code: error.code, retryable: error.retryable, agent: config.name });
  });
  /** Resolves at the first connect, or as soon as the server proves unreachable (no point waiting). */
  const connectedOrUnreachable = () =>
    new Promise<void>((resolve) => {
      const wake = () => {
        unreachableWaiters.delete(wake);
        resolve();
      };
      unreachableWaiters.add(wake);
      agent.ready().then(wake, wake);
    });
  // Refused or unresolvable, not merely slow (a timeout still gets the final status within the budget).
  const serverDown = () => agent.state !== 'connected' && lastError instanceof ServerUnreachableError && lastError.code === 'UNREACHABLE';

  return {
    agent,
    config,
    setStatus(status, activity) {
      void agent.setStatus(status, activity);
    },
    report(records) {
      if (records.length === 0) return;
      try {
        agent.reportUsage(records);
      } catch (error) {
        log.warn(`usage not reported: ${(error as Error).message}`);
      }
    },
    async finish(status, activity) {
      const started = Date.now();
      const left = () => Math.max(0, env.flushTimeoutMs - (Date.now() - started));
      if (agent.stats().heartbeats === 0 && !serverDown()) {
        // A run shorter than the connect: still record that it was busy, then what it is now.
        await withDeadline(connectedOrUnreachable(), left());
        if (agent.state === 'connected') await withDeadline(agent.setStatus(options.status, options.activity), left());
      }
      // Server down: the spool keeps the usage, and waiting would only delay the tool's exit.
      if (!serverDown()) await withDeadline(agent.setStatus(status, activity), left());
      const stats = await agent.close({ timeoutMs: serverDown() ? 0 : left() });
      if (stats.usage.queued > 0) log.info(`${stats.usage.queued} usage records not delivered yet; they wait in the spool for the next run`, { agent: config.name });
    },
  };
}
