// Runs the wrapped tool as a child process that behaves as if run directly: stdin and stderr are the
// terminal's own (inherited), stdout too unless we must read it; signals are forwarded; the wrapper
// then ends the way the child did (same exit code, or killed by the same signal).

import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';

export type StdoutTap = {
  /** Each complete stdout line (without `\n`), and a final unterminated one at the end. */
  onLine(line: string): void;
  /** Copy the child's stdout bytes to ours unchanged (the user chose the format); false = we render. */
  passthrough: boolean;
};

export type WrapOptions = {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** null: stdout is inherited too (nothing to parse). */
  tap: StdoutTap | null;
  /** Whether our stdin is a terminal: then a Ctrl-C already reached the child (same process group). */
  stdinIsTerminal: boolean;
};

export type ExitOutcome =
  | { kind: 'exited'; code: number }
  | { kind: 'signaled'; signal: NodeJS.Signals }
  | { kind: 'spawn-failed'; code: number; message: string };

const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];

function splitLines(onLine: (line: string) => void) {
  let pending: Buffer = Buffer.alloc(0);
  return {
    push(chunk: Buffer) {
      let data = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      for (let newline = data.indexOf(0x0a); newline !== -1; newline = data.indexOf(0x0a)) {
        onLine(data.toString('utf8', 0, newline));
        data = data.subarray(newline + 1);
      }
      pending = Buffer.from(data);
    },
    end() {
      if (pending.length > 0) onLine(pending.toString('utf8'));
      pending = Buffer.alloc(0);
    },
  };
}

export function runWrapped(options: WrapOptions): Promise<ExitOutcome> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    const stdio: ['inherit', 'pipe' | 'inherit', 'inherit'] = ['inherit', options.tap ? 'pipe' : 'inherit', 'inherit'];
    try {
      child = spawn(options.command, options.args, { stdio, env: options.env });
    } catch (error) {
      resolve({ kind: 'spawn-failed', code: 126, message: (error as Error).message });
      return;
    }

    const forward = (signal: NodeJS.Signals) => {
      // A terminal's Ctrl-C goes to the whole foreground process group, child included: do not double it.
      if (signal === 'SIGINT' && options.stdinIsTerminal) return;
      child.kill(signal);
    };
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
    const stopForwarding = () => {
      for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
    };

    if (options.tap && child.stdout) {
      const tap = options.tap;
      const lines = splitLines((line) => tap.onLine(line));
      // Our reader is gone (`| head`): stop reading, so the child meets the closed pipe as it would alone
      // (and a write of ours never crashes the wrapper while the tool runs).
      process.stdout.on('error', () => child.stdout?.destroy());
      if (tap.passthrough) child.stdout.pipe(process.stdout, { end: false });
      child.stdout.on('data', (chunk: Buffer) => lines.push(chunk));
      child.stdout.on('end', () => lines.end());
    }

    child.once('error', (error: NodeJS.ErrnoException) => {
      stopForwarding();
      // What a shell answers: 127 not found, 126 found but not runnable.
      const code = error.code === 'ENOENT' ? 127 : 126;
      const reason = error.code === 'ENOENT' ? 'command not found' : error.message;
      resolve({ kind: 'spawn-failed', code, message: `${options.command}: ${reason}` });
    });
    child.once('close', (code, signal) => {
      stopForwarding();
      if (signal) resolve({ kind: 'signaled', signal });
      else resolve({ kind: 'exited', code: code ?? 0 });
    });
  });
}

/** Ends this process the way the child ended. Call after reporting is done. */
export function exitLike(outcome: ExitOutcome): void {
  if (outcome.kind === 'signaled') {
    const signalNumber = constants.signals[outcome.signal] ?? 15;
    // Re-raise with the default action so our parent sees "killed by <signal>", as with the tool alone.
    process.removeAllListeners(outcome.signal);
    process.kill(process.pid, outcome.signal);
    setTimeout(() => process.exit(128 + signalNumber), 1_000).unref();
    return;
  }
  const code = outcome.code;
  // Let buffered stdout drain before exiting (a pipe reader may be slow); a closed pipe calls back too.
  process.stdout.write('', () => process.exit(code));
}
