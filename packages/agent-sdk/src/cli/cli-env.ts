// The CLI's one reader of process.env: MC_* settings and the few tool variables it looks at, read once
// in main.ts and passed down (hooks, wrappers and tests get an explicit object).
import { homedir } from 'node:os';
import { join } from 'node:path';

export type CliEnv = {
  url: string | undefined;
  apiKey: string | undefined;
  agentName: string | undefined;
  role: string | undefined;
  /** State, spool and logs (MC_HOME, default ~/.mission-control). */
  home: string;
  /** Usage spool root (MC_SPOOL_DIR, default <home>/spool); "off" disables it. */
  spoolRoot: string | null;
  /** MC_LOG_FILE, default <home>/logs/mc-agent.log. */
  logFile: string;
  /** MC_DEBUG=1: SDK problems are also printed on stderr. */
  debug: boolean;
  /** Set by `mc-agent claude` for the hooks of the session it wraps: they write status here instead. */
  statusFile: string | undefined;
  /** MC_BILLING: how Claude transcript usage is paid when hooks cannot tell (api | subscription). */
  billing: string | undefined;
  /** MC_FLUSH_TIMEOUT_MS: how long a wrapper waits for usage delivery after the tool exits (default 3 s). */
  flushTimeoutMs: number;
  /** MC_HOOK_TIMEOUT_MS: the most a hook spends on the network (default 4 s; Claude Code stops hooks at 10 s). */
  hookTimeoutMs: number;
  /** MC_KEEPALIVE=off: hooks start no background keepalive (see keepalive.ts). */
  keepalive: boolean;
  /** MC_KEEPALIVE_INTERVAL_MS: a fixed keepalive interval instead of the server's next_heartbeat_s (tests). */
  keepaliveIntervalMs: number | undefined;
  codexHome: string;
  codexApiKeySet: boolean;
  openaiApiKeySet: boolean;
  /** The full environment, for the wrapped tool. */
  raw: NodeJS.ProcessEnv;
};

const nonEmpty = (value: string | undefined) => (value !== undefined && value.trim() !== '' ? value.trim() : undefined);

export function readCliEnv(env: NodeJS.ProcessEnv): CliEnv {
  const home = nonEmpty(env.MC_HOME) ?? join(homedir(), '.mission-control');
  const spool = nonEmpty(env.MC_SPOOL_DIR);
  const flushTimeoutMs = Number(env.MC_FLUSH_TIMEOUT_MS);
  const hookTimeoutMs = Number(env.MC_HOOK_TIMEOUT_MS);
  const keepaliveIntervalMs = Number(env.MC_KEEPALIVE_INTERVAL_MS);
  return {
    url: nonEmpty(env.MC_URL),
    apiKey: nonEmpty(env.MC_API_KEY),
    agentName: nonEmpty(env.MC_AGENT_NAME),
    role: nonEmpty(env.MC_AGENT_ROLE),
    home,
    spoolRoot: spool === 'off' ? null : (spool ?? join(home, 'spool')),
    logFile: nonEmpty(env.MC_LOG_FILE) ?? join(home, 'logs', 'mc-agent.log'),
    debug: /^(1|true|yes)$/i.test(env.MC_DEBUG ?? ''),
    statusFile: nonEmpty(env.MC_AGENT_STATUS_FILE),
    billing: nonEmpty(env.MC_BILLING),
    flushTimeoutMs: Number.isFinite(flushTimeoutMs) && flushTimeoutMs >= 0 ? flushTimeoutMs : 3_000,
    hookTimeoutMs: Number.isFinite(hookTimeoutMs) && hookTimeoutMs > 0 ? Math.min(hookTimeoutMs, 9_000) : 4_000,
    keepalive: !/^(0|off|false|no)$/i.test(env.MC_KEEPALIVE?.trim() ?? ''),
    keepaliveIntervalMs: Number.isFinite(keepaliveIntervalMs) && keepaliveIntervalMs > 0 ? Math.max(50, keepaliveIntervalMs) : undefined,
    codexHome: nonEmpty(env.CODEX_HOME) ?? join(homedir(), '.codex'),
    codexApiKeySet: nonEmpty(env.CODEX_API_KEY) !== undefined,
    openaiApiKeySet: nonEmpty(env.OPENAI_API_KEY) !== undefined,
    raw: env,
  };
}
