// The hooks keepalive's pure parts: which process it watches (synthetic process tables), when it stops,
// and which presence it re-sends. The processes themselves: test/keepalive.test.ts.
import { describe, expect, it } from 'vitest';
import { KEEPALIVE_IDLE_LIMIT_MS, KEEPALIVE_MAX_LIFETIME_MS, keepaliveStopReason, mergeHookState, parseKeepaliveArgs, sessionEnded, type StopCheck, storedPresence } from './keepalive.ts';
import { commandName, findWatchedAncestor, type ProcessInfo, parseProcStat, parsePsLine, platformProcessLookup } from './process-tree.ts';

/** A process table: pid → [ppid, comm]. */
const table = (rows: Record<number, [number, string]>) => (pid: number): ProcessInfo | null => {
  const row = rows[pid];
  return row ? { ppid: row[0], comm: row[1] } : null;
};

describe('the Claude Code process a hook runs under', () => {
  it('is the nearest ancestor past the shell Claude Code runs the hook command in', () => {
    const lookup = table({ 500: [400, 'node'], 400: [300, 'sh'], 300: [200, 'claude'], 200: [1, 'zsh'] });
    expect(findWatchedAncestor(500, lookup)).toEqual({ pid: 300, comm: 'claude' });
  });

  it('skips node and package-manager launchers and login shells in between', () => {
    // claude → bash -c → npm exec (npx) → sh (pnpm shim) → node launcher → the hook itself
    const lookup = table({
      900: [800, 'node'], 800: [700, 'node'], 700: [600, 'sh'], 600: [550, 'npm exec mc-age'], 550: [500, '-bash'], 500: [42, 'claude'], 42: [1, 'tmux: server'],
    });
    expect(findWatchedAncestor(900, lookup)).toEqual({ pid: 500, comm: 'claude' });
    // macOS ps prints paths
    const mac = table({ 70: [60, '/usr/local/bin/node'], 60: [50, '/bin/zsh'], 50: [10, '/Users/me/.local/bin/claude'], 10: [1, 'login'] });
    expect(findWatchedAncestor(70, mac)).toEqual({ pid: 50, comm: '/Users/me/.local/bin/claude' });
  });

  it('is none when only shells and launchers lead up to init, the table cannot be read, or it loops', () => {
    expect(findWatchedAncestor(30, table({ 30: [20, 'node'], 20: [10, 'bash'], 10: [1, 'sh'] }))).toBeNull();
    expect(findWatchedAncestor(30, table({ 30: [20, 'node'], 20: [10, 'bash'] }))).toBeNull(); // 10 vanished
    expect(findWatchedAncestor(30, table({}))).toBeNull();
    expect(findWatchedAncestor(30, table({ 30: [20, 'node'], 20: [21, 'sh'], 21: [20, 'bash'] }))).toBeNull();
    expect(findWatchedAncestor(30, table({ 30: [1, 'node'] }))).toBeNull();
  });

  it('names commands the way shells, npm and macOS spell them', () => {
    expect(['/bin/zsh', '-bash', 'npm exec mc-age', 'NODE.EXE', 'claude'].map(commandName)).toEqual(['zsh', 'bash', 'npm', 'node', 'claude']);
  });

  it('reads /proc/<pid>/stat and ps lines, whatever the command name holds', () => {
    expect(parseProcStat('4242 (tmux: server) S 1 4242 4242 0 -1 4194560 1 0 0 0')).toEqual({ ppid: 1, comm: 'tmux: server', state: 'S' });
    expect(parseProcStat('77 (a) b) (c) Z 76 77')).toEqual({ ppid: 76, comm: 'a) b) (c', state: 'Z' });
    expect(parseProcStat('garbage')).toBeNull();
    expect(parsePsLine('  812 /Applications/Visual Studio Code.app/Contents/MacOS/Electron\n')).toEqual({ ppid: 812, comm: '/Applications/Visual Studio Code.app/Contents/MacOS/Electron' });
    expect(parsePsLine('')).toBeNull();
  });

  it("reads this platform's process table (Linux /proc, macOS ps)", () => {
    const lookup = platformProcessLookup();
    if (lookup === null) return; // no reader on this platform: the keepalive falls back to the idle limit
    expect(lookup(process.pid)).toMatchObject({ ppid: process.ppid });
    expect(lookup(process.ppid)?.comm).toMatch(/\S/);
    expect(lookup(2 ** 22 + 17)).toBeNull(); // above Linux's pid_max
  });
});

describe('when the keepalive stops', () => {
  const start = 1_000_000;
  const base: StopCheck = { now: start + 60_000, startedAt: start, ended: false, ownsPidFile: true, watchAlive: true, lastHookEventAt: start };

  it('goes on while the watched Claude Code lives, however long the prompt waits, up to the 24 h cap', () => {
    expect(keepaliveStopReason({ ...base, now: start + 5 * 3_600_000 })).toBeNull();
    expect(keepaliveStopReason({ ...base, now: start + KEEPALIVE_MAX_LIFETIME_MS })).toMatch(/24 h cap/);
  });

  it('stops when Claude Code exits, on SessionEnd, when superseded, when the state is gone', () => {
    expect(keepaliveStopReason({ ...base, watchAlive: false })).toBe('Claude Code exited');
    expect(keepaliveStopReason({ ...base, ended: true })).toBe('SessionEnd');
    expect(keepaliveStopReason({ ...base, ownsPidFile: false })).toMatch(/another keepalive/);
    expect(keepaliveStopReason({ ...base, lastHookEventAt: null })).toMatch(/state is gone/);
  });

  it('with no process to watch, stops 30 min after the last hook event', () => {
    const unwatched = { ...base, watchAlive: null };
    expect(keepaliveStopReason({ ...unwatched, now: start + KEEPALIVE_IDLE_LIMIT_MS - 1 })).toBeNull();
    expect(keepaliveStopReason({ ...unwatched, now: start + KEEPALIVE_IDLE_LIMIT_MS })).toMatch(/no hook event for 30 min/);
    expect(keepaliveStopReason({ ...unwatched, now: start + 2 * KEEPALIVE_IDLE_LIMIT_MS, lastHookEventAt: start + 2 * KEEPALIVE_IDLE_LIMIT_MS - 5_000 })).toBeNull();
  });

  it('takes only a session key and a PID', () => {
    expect(parseKeepaliveArgs(['--session', 'a'.repeat(24), '--watch', '4242'])).toEqual({ session: 'a'.repeat(24), watch: 4242 });
    expect(parseKeepaliveArgs(['--session', 'b'.repeat(24), '--watch', 'none'])).toEqual({ session: 'b'.repeat(24), watch: null });
    expect(() => parseKeepaliveArgs(['--session', '../../etc'])).toThrow(/session key/);
    expect(() => parseKeepaliveArgs(['--session', 'a'.repeat(24), '--watch', '1'])).toThrow(/not a PID/);
  });
});

describe('the presence the keepalive re-sends', () => {
  it('is the last one a hook stored; a slower concurrent hook does not put needs_input back', () => {
    const needsInput = { status: 'needs_input', activity: 'Allow Bash?', at: 200 };
    const busy = { status: 'busy', activity: 'using Bash', at: 100 };
    expect(storedPresence({ lastPresence: needsInput })).toEqual(needsInput);
    // the PreToolUse hook (event at 100) finishes after the Notification hook (at 200) wrote its state
    expect(mergeHookState({ lastPresence: busy, presence: 'busy|using Bash' }, { lastPresence: needsInput })).toMatchObject({ lastPresence: needsInput });
    expect(mergeHookState({ lastPresence: needsInput }, { lastPresence: busy })).toMatchObject({ lastPresence: needsInput });
  });

  it('falls back to the dedupe key of older state files', () => {
    expect(storedPresence({ presence: 'needs_input|Allow Edit?' })).toEqual({ status: 'needs_input', activity: 'Allow Edit?', at: 0 });
    expect(storedPresence({ presence: 'idle|' })).toEqual({ status: 'idle', activity: null, at: 0 });
    expect(storedPresence({ presence: 'bogus|x' })).toBeNull();
  });

  it('ends with SessionEnd until the session reports again (resumed)', () => {
    const ended = mergeHookState({ lastPresence: { status: 'busy', activity: null, at: 100 } }, { lastPresence: { status: 'idle', activity: 'session ended', at: 150 }, endedAt: 150 });
    expect(sessionEnded(ended)).toBe(true);
    expect(sessionEnded({ ...ended, lastPresence: { status: 'idle', activity: 'session started', at: 300 } })).toBe(false);
  });
});
