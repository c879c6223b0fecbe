// `mc-agent run -- <command>`: liveness only. The agent is busy while the command runs, idle after; no
// output is read (all three streams are the command's own).
import type { CliEnv } from './cli-env.ts';
import { UsageError, type WrapperOptions } from './cli-options.ts';
import type { CliLog } from './log-file.ts';
import { startReporter } from './reporter.ts';
import { type ExitOutcome, runWrapped } from './wrap-process.ts';

export async function runCommand(options: WrapperOptions, env: CliEnv, log: CliLog): Promise<ExitOutcome> {
  const [command, ...args] = options.rest;
  if (command === undefined) throw new UsageError('mc-agent run needs a command: mc-agent run [--name n] -- <command> [args...]');
  const reporter = startReporter({
    env, options, log, kind: 'run', tool: { name: command.split('/').pop() ?? command }, noticeOnStderr: true,
    status: 'busy', activity: [command, ...args].join(' ').slice(0, 200),
  });
  const outcome = await runWrapped({ command, args, env: env.raw, tap: null, stdinIsTerminal: process.stdin.isTTY === true });
  const ended = outcome.kind === 'exited' ? (outcome.code === 0 ? null : `exited with ${outcome.code}`) : outcome.kind === 'signaled' ? `ended by ${outcome.signal}` : outcome.message;
  await reporter.finish('idle', ended);
  return outcome;
}
