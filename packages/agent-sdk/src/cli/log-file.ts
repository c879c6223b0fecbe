// SDK troubles of the CLI go to a log file (JSON lines), never into the wrapped tool's output; MC_DEBUG=1
// also prints them on stderr. Logging never throws.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type CliLog = {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
};

export function createCliLog(file: string, options: { debug: boolean; component: string }): CliLog {
  let directoryReady = false;
  function write(level: 'info' | 'warn', message: string, fields: Record<string, unknown> = {}) {
    const line = JSON.stringify({ time: new Date().toISOString(), level, pid: process.pid, component: options.component, msg: message, ...fields });
    try {
      if (!directoryReady) {
        mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
        directoryReady = true;
      }
      appendFileSync(file, `${line}\n`, { mode: 0o600 });
    } catch {
      // a read-only home must not break the tool
    }
    if (options.debug) process.stderr.write(`mc-agent: ${message}\n`);
  }
  return { info: (message, fields) => write('info', message, fields), warn: (message, fields) => write('warn', message, fields) };
}
