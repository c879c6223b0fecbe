// `mc-agent claude-hooks [--install|--uninstall] [--settings <file>] [--command <cmd>]`: the Claude Code
// hooks configuration that runs `mc-agent hook` on lifecycle events. --install merges it into the
// settings file: other keys and other hooks stay as they are, an earlier mc-agent entry is replaced.

import { accessSync, constants, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { UsageError } from './cli-options.ts';
import { writeJsonFile } from './state-store.ts';

/** Lifecycle events → what the hook does with them (see hook.ts). */
export const HOOK_EVENTS = ['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'Notification', 'Stop', 'SubagentStop', 'SessionEnd'] as const;
/** Claude Code's hook timeout, seconds; the hook itself finishes within ~3 s even with the server down. */
const HOOK_TIMEOUT_S = 10;

type HookCommand = { type: 'command'; command: string; timeout?: number };
type HookMatcher = { matcher?: string; hooks: HookCommand[] };
type JsonObject = Record<string, unknown>;

export function hooksConfiguration(command: string): { hooks: Record<string, HookMatcher[]> } {
  const entry = (matcher?: string): HookMatcher => ({ ...(matcher === undefined ? {} : { matcher }), hooks: [{ type: 'command', command, timeout: HOOK_TIMEOUT_S }] });
  return { hooks: Object.fromEntries(HOOK_EVENTS.map((event) => [event, [entry(event === 'PreToolUse' ? '*' : undefined)]])) };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `mc-agent hook` when mc-agent is on PATH, else this very script by absolute path. */
export function defaultHookCommand(pathVariable: string | undefined, scriptPath: string | undefined): string {
  const onPath = (pathVariable ?? '').split(delimiter).some((directory) => directory !== '' && isExecutable(join(directory, 'mc-agent')));
  if (onPath || scriptPath === undefined) return 'mc-agent hook';
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  return `${quote(process.execPath)} ${quote(realpathSync(scriptPath))} hook`;
}

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** An entry this tool wrote earlier: its command runs `… hook` of mc-agent. */
function isOurs(matcher: unknown): boolean {
  if (!isObject(matcher) || !Array.isArray(matcher.hooks)) return false;
  return matcher.hooks.some((hook) => isObject(hook) && typeof hook.command === 'string' && /mc-agent(\.m?js)?['"]? hook$|\/cli\/main\.js['"]? hook$/.test(hook.command.trim()));
}

/** Settings with our hooks merged in (or removed), everything else kept in place. */
export function mergeHooks(settings: JsonObject, command: string | null): JsonObject {
  const existing = isObject(settings.hooks) ? settings.hooks : {};
  const merged: JsonObject = { ...existing };
  const ours = command === null ? null : hooksConfiguration(command).hooks;
  for (const event of HOOK_EVENTS) {
    const current = Array.isArray(existing[event]) ? (existing[event] as unknown[]) : [];
    const kept = current.filter((matcher) => !isOurs(matcher));
    const next = ours ? [...kept, ...(ours[event] ?? [])] : kept;
    if (next.length > 0) merged[event] = next;
    else delete merged[event];
  }
  const result: JsonObject = { ...settings, hooks: merged };
  if (Object.keys(merged).length === 0) delete result.hooks;
  return result;
}

export type ClaudeHooksOptions = { install: boolean; uninstall: boolean; settingsFile: string; command: string | null };

export function parseClaudeHooksOptions(args: string[]): ClaudeHooksOptions {
  const options: ClaudeHooksOptions = { install: false, uninstall: false, settingsFile: join(homedir(), '.claude', 'settings.json'), command: null };
  for (let i = 0; i < args.length; i++) {
    const token = args[i];
    if (token === '--install') options.install = true;
    else if (token === '--uninstall') options.uninstall = true;
    else if (token === '--settings' || token === '--command') {
      const value = args[i + 1];
      if (value === undefined) throw new UsageError(`${token} needs a value`);
      if (token === '--settings') options.settingsFile = value;
      else options.command = value;
      i += 1;
    } else {
      throw new UsageError(`unknown option ${token}; usage: mc-agent claude-hooks [--install | --uninstall] [--settings <file>] [--command <cmd>]`);
    }
  }
  if (options.install && options.uninstall) throw new UsageError('choose one of --install and --uninstall');
  return options;
}

/** Prints the configuration, or merges it into the settings file; returns the text to print. */
export function runClaudeHooks(options: ClaudeHooksOptions, command: string): string {
  const configuration = hooksConfiguration(options.command ?? command);
  if (!options.install && !options.uninstall) return `${JSON.stringify(configuration, null, 2)}\n`;
  let settings: JsonObject = {};
  let mode = 0o600;
  if (existsSync(options.settingsFile)) {
    mode = statSync(options.settingsFile).mode & 0o777;
    const text = readFileSync(options.settingsFile, 'utf8');
    let parsed: unknown;
    try {
      parsed = text.trim() === '' ? {} : JSON.parse(text);
    } catch (error) {
      throw new UsageError(`${options.settingsFile} is not valid JSON (${(error as Error).message}); fix it first, nothing was changed`);
    }
    if (!isObject(parsed)) throw new UsageError(`${options.settingsFile} is not a JSON object; nothing was changed`);
    settings = parsed;
  }
  writeJsonFile(options.settingsFile, mergeHooks(settings, options.uninstall ? null : (options.command ?? command)), mode);
  return options.uninstall
    ? `Removed the mc-agent hooks from ${options.settingsFile}\n`
    : `Installed mc-agent hooks for ${HOOK_EVENTS.join(', ')} in ${options.settingsFile}\nClaude Code sessions report to Mission Control when MC_URL and MC_API_KEY are set in their environment (MC_AGENT_NAME names the agent).\n`;
}
