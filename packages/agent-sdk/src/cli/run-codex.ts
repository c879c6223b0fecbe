// `mc-agent codex -- <codex args>`. `codex exec` without --json: we add --json right after `exec`, read
// usage from the events and print what plain `codex exec` prints on stdout (the final agent message).
// With the user's own --json the bytes pass untouched and are read. Other codex commands: liveness only.
import { join } from 'node:path';
import type { AgentStatus } from '../agent/protocol.ts';
import { type CodexUsageTotals, parseCodexJsonl } from '../telemetry/codex-jsonl.ts';
import type { CliEnv } from './cli-env.ts';
import type { WrapperOptions } from './cli-options.ts';
import { resolveCodexBilling, resolveCodexModel } from './codex-settings.ts';
import type { CliLog } from './log-file.ts';
import { startReporter } from './reporter.ts';
import { keepNewest, readJsonFile, writeJsonFile } from './state-store.ts';
import { type ExitOutcome, runWrapped } from './wrap-process.ts';

const VALUE_FLAGS = new Set(['-m', '--model', '-c', '--config', '-p', '--profile', '-s', '--sandbox', '-a', '--ask-for-approval', '-C', '--cd', '-i', '--image', '--color', '-o', '--output-last-message', '--output-schema', '--local-provider']);

export type CodexPlan = { args: string[]; mode: 'render' | 'parse' | 'none'; exec: boolean; resumed: boolean };

export function planCodexArgs(args: string[]): CodexPlan {
  const terminator = args.indexOf('--');
  const options = terminator === -1 ? args : args.slice(0, terminator);
  let execIndex = -1;
  for (let i = 0; i < options.length; i++) {
    const token = options[i] ?? '';
    if (VALUE_FLAGS.has(token)) {
      i += 1;
      continue;
    }
    if (token.startsWith('-')) continue;
    if (token === 'exec' || token === 'e') execIndex = i;
    break; // the first positional is the subcommand (or an interactive prompt)
  }
  if (execIndex === -1) return { args, mode: 'none', exec: false, resumed: false };
  const afterExec = options.slice(execIndex + 1);
  const resumed = afterExec.find((token) => !token.startsWith('-')) === 'resume';
  if (options.includes('--json') || options.includes('--experimental-json')) return { args, mode: 'parse', exec: true, resumed };
  return { args: [...args.slice(0, execIndex + 1), '--json', ...args.slice(execIndex + 1)], mode: 'render', exec: true, resumed };
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
const objectField = (object: JsonObject, key: string): JsonObject | null => {
  const value = object[key];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : null;
};

export async function runCodex(options: WrapperOptions, env: CliEnv, log: CliLog): Promise<ExitOutcome> {
  const plan = planCodexArgs(options.rest);
  const terminator = options.rest.indexOf('--');
  const toolOptions = terminator === -1 ? options.rest : options.rest.slice(0, terminator);
  const baselinesFile = join(env.home, 'state', 'codex-baselines.json');
  const reporter = startReporter({
    env, options, log, kind: 'codex', tool: { name: 'codex' }, noticeOnStderr: true,
    status: plan.exec ? 'busy' : 'idle',
    activity: plan.exec ? 'codex exec' : 'interactive session',
  });
  const parser = parseCodexJsonl({
    model: resolveCodexModel(toolOptions, env),
    billing: resolveCodexBilling(env),
    clock: () => new Date(),
    ...(plan.resumed ? { resumed: true } : {}),
    baselines: readJsonFile(baselinesFile) as Record<string, Partial<CodexUsageTotals>>,
  });
  let lastMessage: string | null = null;
  let finalStatus: { status: AgentStatus; activity: string | null } = { status: 'idle', activity: null };

  function onLine(line: string): void {
    reporter.report(parser.push(line));
    const event = parseObject(line);
    if (event === null) return;
    const item = objectField(event, 'item');
    if (event.type === 'item.completed' && item?.type === 'agent_message' && typeof item.text === 'string') lastMessage = item.text;
    if (event.type === 'turn.completed') {
      if (plan.mode === 'render' && lastMessage !== null) process.stdout.write(`${lastMessage}\n`);
      lastMessage = null;
      finalStatus = { status: 'idle', activity: null };
    }
    if (event.type === 'turn.failed') {
      const message = typeof objectField(event, 'error')?.message === 'string' ? String(objectField(event, 'error')?.message) : 'turn failed';
      if (plan.mode === 'render') process.stderr.write(`ERROR: ${message}\n`);
      finalStatus = { status: 'error', activity: `codex: ${message}`.slice(0, 200) };
    }
  }

  const outcome = await runWrapped({
    command: 'codex',
    args: plan.args,
    env: env.raw,
    tap: plan.mode === 'none' ? null : { passthrough: plan.mode === 'parse', onLine },
    stdinIsTerminal: process.stdin.isTTY === true,
  });
  reporter.report(parser.end());
  const lastTotals = parser.summary().lastTotals;
  if (Object.keys(lastTotals).length > 0) {
    try {
      writeJsonFile(baselinesFile, keepNewest({ ...readJsonFile(baselinesFile), ...lastTotals }, 200));
    } catch (error) {
      log.warn(`could not store codex baselines: ${(error as Error).message}`);
    }
  }
  await reporter.finish(finalStatus.status, finalStatus.activity);
  return outcome;
}
