// Just enough of the process table for the hooks keepalive: which process is the Claude Code session a
// hook runs under (the nearest ancestor that is neither a shell nor a node/npm launcher), whether a PID is
// alive, and whose command line it has. Linux reads /proc; macOS (and the BSDs) ask `ps`; elsewhere the
// lookups return null and callers fall back to what they can do without them.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export type ProcessInfo = { ppid: number; comm: string };
/** The parent and command name of a PID, or null when it does not exist or cannot be read. */
export type ProcessLookup = (pid: number) => ProcessInfo | null;
export type WatchedProcess = { pid: number; comm: string };

/** Shells Claude Code runs hook commands in (and `env` of a `#!/usr/bin/env node` line). */
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'pdksh', 'ash', 'busybox', 'fish', 'tcsh', 'csh', 'nu', 'xonsh', 'env', 'pwsh', 'powershell', 'cmd']);
/** What may start `mc-agent hook` on its way: node itself, package-manager shims and runners. */
const LAUNCHERS = new Set(['node', 'nodejs', 'mc-agent', 'npm', 'npx', 'pnpm', 'pnpx', 'yarn', 'bun', 'bunx', 'tsx', 'corepack']);

/** `/usr/bin/zsh` → zsh, `-bash` (a login shell) → bash, `npm exec mc-age` (npm's title) → npm. */
export function commandName(comm: string): string {
  const base = comm.trim().split('/').pop() ?? '';
  return (base.split(/\s+/)[0] ?? '').replace(/^-/, '').replace(/\.exe$/i, '').toLowerCase();
}

/** The nearest ancestor of `pid` (not `pid` itself) that is not a shell or a launcher; null when the chain
 *  cannot be read, reaches init (PID 1) first, or is implausibly long. */
export function findWatchedAncestor(pid: number, lookup: ProcessLookup, maxDepth = 32): WatchedProcess | null {
  let current = lookup(pid);
  const seen = new Set([pid]);
  for (let depth = 0; current !== null && depth < maxDepth; depth++) {
    const parent = current.ppid;
    if (!Number.isInteger(parent) || parent <= 1 || seen.has(parent)) return null;
    seen.add(parent);
    const info = lookup(parent);
    if (info === null) return null;
    const name = commandName(info.comm);
    if (name !== '' && !SHELLS.has(name) && !LAUNCHERS.has(name)) return { pid: parent, comm: info.comm };
    current = info;
  }
  return null;
}

export type ProcStat = ProcessInfo & { state: string };

/** `/proc/<pid>/stat`: `pid (comm) state ppid …`; comm may itself contain spaces and parentheses. */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open === -1 || close < open) return null;
  const [state, ppid] = text.slice(close + 1).trim().split(/\s+/);
  const parent = Number(ppid);
  if (state === undefined || !Number.isInteger(parent)) return null;
  return { ppid: parent, comm: text.slice(open + 1, close), state };
}

/** One line of `ps -o ppid=,comm= -p <pid>`: the parent PID, then the command (a path on macOS). */
export function parsePsLine(text: string): ProcessInfo | null {
  const match = /^\s*(\d+)\s+(.+?)\s*$/.exec(text.split('\n')[0] ?? '');
  if (!match) return null;
  return { ppid: Number(match[1]), comm: match[2] ?? '' };
}

export function readProcStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

function ps(fields: string, pid: number): string | null {
  try {
    const out = execFileSync('ps', ['-o', fields, '-p', String(pid)], { encoding: 'utf8', timeout: 1_000, stdio: ['ignore', 'pipe', 'ignore'] });
    return out.trim() === '' ? null : out;
  } catch {
    return null; // no such process (ps exits 1), or no ps
  }
}

const usesProc = (platform: NodeJS.Platform) => platform === 'linux' || platform === 'android';
const usesPs = (platform: NodeJS.Platform) => platform === 'darwin' || platform === 'freebsd' || platform === 'openbsd' || platform === 'netbsd';

/** Whether this platform's process table can be read (command lines, parents). */
export function canInspectProcesses(platform: NodeJS.Platform = process.platform): boolean {
  return usesProc(platform) || usesPs(platform);
}

/** This platform's process lookup, or null where there is none. */
export function platformProcessLookup(platform: NodeJS.Platform = process.platform): ProcessLookup | null {
  if (usesProc(platform)) return (pid) => readProcStat(pid);
  if (usesPs(platform)) {
    return (pid) => {
      const out = ps('ppid=,comm=', pid);
      return out === null ? null : parsePsLine(out);
    };
  }
  return null;
}

/** The PID's command line (arguments joined by spaces), or null when unknown on this platform or gone. */
export function commandLineOf(pid: number, platform: NodeJS.Platform = process.platform): string | null {
  if (usesProc(platform)) {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      return null;
    }
  }
  if (usesPs(platform)) return ps('command=', pid)?.trim() ?? null;
  return null;
}

/** process.kill(pid, 0): alive unless ESRCH (EPERM means it exists but is someone else's). On Linux a
 *  zombie (exited, not yet reaped by its parent) counts as gone. */
export function isAlive(pid: number, platform: NodeJS.Platform = process.platform): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !(usesProc(platform) && readProcStat(pid)?.state === 'Z');
}
