// mc-agent's own options, before the wrapped tool's arguments: `mc-agent claude [--name n] [--] <args>`.
// Parsing stops at `--` or at the first token that is not ours, so `mc-agent claude -p hi` works too.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AGENT_NAME_PATTERN } from '../agent/connect-agent.ts';
import { normalizeServerUrl } from '../agent/http-api.ts';
import type { CliEnv } from './cli-env.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export type WrapperOptions = {
  name: string | undefined;
  url: string | undefined;
  apiKey: string | undefined;
  role: string | undefined;
  /** The wrapped tool's arguments, untouched. */
  rest: string[];
};

const VALUE_OPTIONS = { '--name': 'name', '--url': 'url', '--api-key': 'apiKey', '--role': 'role' } as const;

export function parseWrapperOptions(args: string[]): WrapperOptions {
  const options: WrapperOptions = { name: undefined, url: undefined, apiKey: undefined, role: undefined, rest: [] };
  let index = 0;
  while (index < args.length) {
    const token = args[index] ?? '';
    if (token === '--') {
      index += 1;
      break;
    }
    const [flag, inline] = token.startsWith('--') && token.includes('=') ? [token.slice(0, token.indexOf('=')), token.slice(token.indexOf('=') + 1)] : [token, undefined];
    if (!(flag in VALUE_OPTIONS)) break;
    const value = inline ?? args[index + 1];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    options[VALUE_OPTIONS[flag as keyof typeof VALUE_OPTIONS]] = value;
    index += inline === undefined ? 2 : 1;
  }
  options.rest = args.slice(index);
  return options;
}

/** `<tool>-<host>`, reduced to the agent-name alphabet. */
export function defaultAgentName(tool: string, host: string = hostname()): string {
  const cleaned = `${tool}-${host}`.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 63);
  return AGENT_NAME_PATTERN.test(cleaned) ? cleaned : tool;
}

export type ReportingConfig = { url: string; apiKey: string; name: string; role: string | undefined };

/** Flags win over the environment; null (with the reason) when there is not enough to report. */
export function resolveReportingConfig(options: WrapperOptions, env: CliEnv, tool: string): { config: ReportingConfig | null; problem: string | null } {
  const url = options.url ?? env.url;
  const apiKey = options.apiKey ?? env.apiKey;
  const name = options.name ?? env.agentName ?? defaultAgentName(tool);
  const role = options.role ?? env.role;
  if (!url) return { config: null, problem: 'MC_URL is not set' };
  if (!apiKey) return { config: null, problem: 'MC_API_KEY is not set' };
  if (!AGENT_NAME_PATTERN.test(name)) return { config: null, problem: `agent name "${name}" is invalid (letters, digits, ".", "_", "-"; 1–63 chars)` };
  return { config: { url, apiKey, name, role }, problem: null };
}

/** One spool directory per server and agent, so keys and agents never mix. */
export function spoolDirFor(env: CliEnv, config: ReportingConfig): string | null {
  if (env.spoolRoot === null) return null;
  let url = config.url;
  try {
    url = normalizeServerUrl(config.url); // http://h:3200/ and http://h:3200 share one spool
  } catch {
    // an invalid URL reports nothing anyway
  }
  const server = createHash('sha256').update(url).digest('hex').slice(0, 12);
  return join(env.spoolRoot, `${server}-${config.name}`);
}
