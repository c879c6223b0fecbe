// Stand-in for `claude` and `codex` in the CLI tests: replays a telemetry fixture the way the real tool
// prints it, and does what the test asks through STANDIN_* variables. Not a test itself.
//   STANDIN_FIXTURE      case in test/fixtures/telemetry whose input.jsonl is the tool's output
//   STANDIN_ARGS_FILE    write the received arguments here (JSON)
//   STANDIN_STDERR       text to write on stderr
//   STANDIN_EXIT         exit code (default 0)
//   STANDIN_CRASH=1      throw after half of the lines (an uncaught error: exit 1, stack on stderr)
//   STANDIN_STDIN=echo   after the output, copy stdin to stderr as "stdin:<text>" and wait for its end
//   STANDIN_SIGNAL_FILE  append "ready", then wait; on SIGINT/SIGTERM/SIGHUP append its name and die by it
//   STANDIN_HOOK_COMMAND + STANDIN_HOOK_INPUT  run a hook command with that JSON on stdin, as Claude Code does
import { execSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';

export function runStandin(tool) {
  const args = process.argv.slice(2);
  const env = process.env;
  if (env.STANDIN_ARGS_FILE) writeFileSync(env.STANDIN_ARGS_FILE, JSON.stringify(args));
  const fixtures = new URL('../../../../test/fixtures/telemetry/', import.meta.url);
  const input = env.STANDIN_FIXTURE ? readFileSync(new URL(`${env.STANDIN_FIXTURE}/input.jsonl`, fixtures), 'utf8') : '';
  const lines = input.split('\n').filter((line, i, all) => i < all.length - 1 || line !== '');

  if (env.STANDIN_STDERR) process.stderr.write(env.STANDIN_STDERR);
  const wantsStream =
    tool === 'claude'
      ? args.some((arg, i) => arg === '--output-format=stream-json' || (arg === '--output-format' && args[i + 1] === 'stream-json'))
      : args.includes('--json');
  const objects = lines.flatMap((line) => {
    try {
      return [JSON.parse(line)];
    } catch {
      return [];
    }
  });

  if (wantsStream) {
    const crashAt = env.STANDIN_CRASH === '1' ? Math.floor(lines.length / 2) : -1;
    lines.forEach((line, i) => {
      if (i === crashAt) throw new Error('stand-in crashed mid-stream');
      process.stdout.write(`${line}\n`);
    });
  } else if (tool === 'claude' && args.some((arg, i) => arg === '--output-format' && args[i + 1] === 'json')) {
    const result = objects.filter((object) => object.type === 'result').at(-1);
    process.stdout.write(`${JSON.stringify(result ?? { type: 'result' })}\n`);
  } else if (tool === 'claude' && (args.includes('-p') || args.includes('--print'))) {
    const result = objects.filter((object) => object.type === 'result').at(-1);
    process.stdout.write(`${result?.result ?? ''}\n`);
  } else {
    process.stdout.write(`${tool} stand-in: interactive\n`);
  }
  if (env.STANDIN_HOOK_COMMAND && env.STANDIN_HOOK_INPUT) execSync(env.STANDIN_HOOK_COMMAND, { input: env.STANDIN_HOOK_INPUT, stdio: ['pipe', 'inherit', 'inherit'] });

  const finish = () => process.exit(Number(env.STANDIN_EXIT ?? 0));
  if (env.STANDIN_SIGNAL_FILE) {
    const file = env.STANDIN_SIGNAL_FILE;
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
      process.on(signal, () => {
        appendFileSync(file, `${signal}\n`);
        process.removeAllListeners(signal);
        process.kill(process.pid, signal);
      });
    }
    appendFileSync(file, 'ready\n');
    setInterval(() => {}, 1 << 30);
    return;
  }
  if (env.STANDIN_STDIN === 'echo') {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk) => {
      text += chunk;
    });
    process.stdin.on('end', () => {
      process.stderr.write(`stdin:${text}`);
      finish();
    });
    return;
  }
  finish();
}
