// Keepalives (`mc-agent keepalive`, started detached by `mc-agent hook`) outlive the hook that started
// them: tests that run hooks stop the ones their MC_HOME registered, by PID, before removing it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandLineOf, isAlive } from '../../src/cli/process-tree.ts';

/** PIDs of keepalives started with this MC_HOME: the hook's log lines and the PID files. */
export function keepalivePids(home: string): number[] {
  const pids = new Set<number>();
  try {
    for (const match of readFileSync(join(home, 'logs', 'mc-agent.log'), 'utf8').matchAll(/started keepalive pid (\d+)/g)) pids.add(Number(match[1]));
  } catch {
    // no log: no hook ran
  }
  const stateDir = join(home, 'state', 'hooks');
  try {
    for (const name of readdirSync(stateDir).filter((file) => file.endsWith('.keepalive.pid'))) {
      const pid = (JSON.parse(readFileSync(join(stateDir, name), 'utf8')) as { pid?: unknown }).pid;
      if (typeof pid === 'number') pids.add(pid);
    }
  } catch {
    // no state yet
  }
  return [...pids];
}

export async function waitUntilGone(pid: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** SIGTERM to each live keepalive of `home` (checked by its command line, so a reused PID is left alone). */
export async function stopKeepalives(home: string): Promise<void> {
  for (const pid of keepalivePids(home)) {
    const command = isAlive(pid) ? commandLineOf(pid) : null;
    if (command === null || !command.includes(' keepalive ')) continue;
    process.kill(pid, 'SIGTERM');
    await waitUntilGone(pid);
  }
}
