#!/usr/bin/env node
// mc-agent: wraps Claude Code / Codex / any command so it reports to Mission Control, installs the Claude
// Code hooks, and checks the setup. Exit codes: the wrapped tool's own; 2 for a mistake in mc-agent's
// own arguments; `doctor` 1 when a check fails.

import { SDK_VERSION } from '../agent/http-api.ts';
import { readCliEnv } from './cli-env.ts';
import { parseWrapperOptions, UsageError } from './cli-options.ts';
import { defaultHookCommand, parseClaudeHooksOptions, runClaudeHooks } from './claude-hooks.ts';
import { formatChecks, runDoctor } from './doctor.ts';
import { runHook } from './hook.ts';
import { parseKeepaliveArgs, runKeepalive } from './keepalive.ts';
import { createCliLog } from './log-file.ts';
import { runClaude } from './run-claude.ts';
import { runCodex } from './run-codex.ts';
import { runCommand } from './run-command.ts';
import { type ExitOutcome, exitLike } from './wrap-process.ts';

const HELP = `mc-agent ${SDK_VERSION}: report AI coding agents to Mission Control

  mc-agent claude [--name n] -- <claude args>   wrap Claude Code (usage from -p runs, status, liveness)
  mc-agent codex [--name n] -- <codex args>     wrap Codex (usage from codex exec)
  mc-agent run [--name n] -- <command> [args]   any command: liveness and busy/idle only
  mc-agent claude-hooks [--install|--uninstall] [--settings <file>] [--command <cmd>]
                                                Claude Code hooks: interactive sessions show up live
  mc-agent doctor                               check URL, key and clock
  mc-agent hook                                 (run by Claude Code hooks; reads the event on stdin)

Options of the wrappers: --name <agent> (MC_AGENT_NAME), --url <server> (MC_URL),
--api-key <key> (MC_API_KEY; prefer the variable: arguments show up in ps), --role <role>.
Other settings: MC_AGENT_ROLE, MC_HOME (~/.mission-control), MC_SPOOL_DIR (or "off"), MC_LOG_FILE,
MC_DEBUG=1, MC_FLUSH_TIMEOUT_MS (3000), MC_HOOK_TIMEOUT_MS (4000), MC_BILLING (api|subscription, for
hook-reported Claude usage), MC_KEEPALIVE (off: hooks start no keepalive between events). Docs:
README.md of @mc/agent-sdk.
`;

async function main(argv: string[]): Promise<void> {
  const env = readCliEnv(process.env);
  const [command, ...args] = argv;
  const log = createCliLog(env.logFile, { debug: env.debug, component: command ?? 'main' });
  let outcome: ExitOutcome;
  switch (command) {
    case 'claude':
      outcome = await runClaude(parseWrapperOptions(args), env, log);
      break;
    case 'codex':
      outcome = await runCodex(parseWrapperOptions(args), env, log);
      break;
    case 'run':
      outcome = await runCommand(parseWrapperOptions(args), env, log);
      break;
    case 'hook':
      try {
        await runHook(env, log);
      } catch (error) {
        log.warn(`hook failed: ${(error as Error).stack ?? String(error)}`);
      }
      process.exit(0); // never keep Claude Code waiting on a socket or a timer
      return;
    case 'keepalive': {
      // Hidden: started detached by `mc-agent hook` (keepalive.ts); stdio is /dev/null.
      const options = parseKeepaliveArgs(args);
      try {
        await runKeepalive(options, env, log);
      } catch (error) {
        log.warn(`keepalive failed: ${(error as Error).stack ?? String(error)}`, { session: options.session });
      }
      process.exit(0); // an aborted beat must not outlive the decision to stop
      return;
    }
    case 'claude-hooks':
      process.stdout.write(runClaudeHooks(parseClaudeHooksOptions(args), defaultHookCommand(process.env.PATH, process.argv[1])));
      return;
    case 'doctor': {
      const checks = await runDoctor(parseWrapperOptions(args), env);
      process.stdout.write(formatChecks(checks));
      process.exitCode = checks.every((check) => check.ok) ? 0 : 1;
      return;
    }
    case '--version':
    case '-v':
      process.stdout.write(`${SDK_VERSION}\n`);
      return;
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(HELP);
      return;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
  if (outcome.kind === 'spawn-failed') process.stderr.write(`mc-agent: ${outcome.message}\n`);
  exitLike(outcome);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`mc-agent: ${error.message}\n\n${HELP}`);
    process.exit(2);
  }
  process.stderr.write(`mc-agent: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
