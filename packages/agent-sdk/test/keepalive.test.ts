// The hooks path's keepalive, with real processes: `mc-agent hook` run by a fake Claude Code (node under
// the name `claude`, running hook commands through `sh -c` as Claude Code does) starts a detached
// `mc-agent keepalive`, which beats against a recording server until Claude Code exits or SessionEnd.
// Every process a test starts (fake Claude Code, keepalives) is stopped by PID when it ends.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, it, vi } from 'vitest';
import { isKeepaliveProcess, keepalivePidFile, sessionKey } from '../src/cli/keepalive.ts';
import { isAlive } from '../src/cli/process-tree.ts';
import { bundleCli, runCli } from './support/cli.ts';
import { stopKeepalives, waitUntilGone } from './support/keepalives.ts';
import { type RecordingServer, startRecordingServer, unusedPort } from './support/recording-server.ts';

// Each test spawns a few node processes; a loaded 2-core machine needs more than the default 20 s.
vi.setConfig({ testTimeout: 60_000 });

let cli: string;
beforeAll(async () => {
  cli = await bundleCli();
});
afterAll(() => {
  rmSync(dirname(cli), { recursive: true, force: true });
});

type TestContext = { onTestFinished: (fn: () => void | Promise<void>) => void };

const SESSION = '5b0d3c1e-8f2a-4c4e-9a57-0c2b9f6d1e11';
const KEY = sessionKey(SESSION);
const hookEvent = (event: string, fields: Record<string, unknown> = {}) =>
  JSON.stringify({ session_id: SESSION, transcript_path: '/nonexistent', cwd: '/srv/repo', hook_event_name: event, ...fields });
const PERMISSION = { notification_type: 'permission_prompt', message: 'Claude needs your permission to use Bash' };

const logOf = (home: string) => {
  try {
    return readFileSync(join(home, 'logs', 'mc-agent.log'), 'utf8');
  } catch {
    return '';
  }
};
const startedPids = (home: string) => [...logOf(home).matchAll(/started keepalive pid (\d+)/g)].map((match) => Number(match[1]));
const pidFileOf = (home: string) => keepalivePidFile(home, KEY);
const registeredPid = (home: string): number | null => {
  try {
    return (JSON.parse(readFileSync(pidFileOf(home), 'utf8')) as { pid: number }).pid;
  } catch {
    return null;
  }
};

/** A private MC_HOME; when the test ends, every keepalive its hooks started is stopped (by PID), then it is removed. */
function tempHome({ onTestFinished }: TestContext): string {
  const home = mkdtempSync(join(tmpdir(), 'mc-keepalive-'));
  onTestFinished(async () => {
    await stopKeepalives(home);
    rmSync(home, { recursive: true, force: true });
  });
  return home;
}

async function recordingServer({ onTestFinished }: TestContext, options: { port?: number; nextHeartbeatS?: number } = {}): Promise<RecordingServer> {
  const server = await startRecordingServer(options);
  onTestFinished(() => server.close());
  return server;
}

const reporting = (url: string, name: string, home: string, extra: Record<string, string> = {}): Record<string, string> => ({
  MC_URL: url, MC_API_KEY: 'mc_test_key', MC_AGENT_NAME: name, MC_HOME: home, MC_HOOK_TIMEOUT_MS: '9000', MC_KEEPALIVE_INTERVAL_MS: '300', ...extra,
});

// Claude Code as the hook sees it: a process named `claude` that runs each hook command with `sh -c`,
// the event on stdin. One line in = one hook run; one line out = its exit code and output.
const FAKE_CLAUDE = `
const { spawn } = require('node:child_process');
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const hook = spawn('/bin/sh', ['-c', process.env.FAKE_HOOK_COMMAND], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  hook.stdout.on('data', (chunk) => { output += chunk; });
  hook.stderr.on('data', (chunk) => { output += chunk; });
  hook.on('close', (code) => process.stdout.write(JSON.stringify({ code, output }) + '\\n'));
  hook.stdin.end(line);
});
`;

type FakeClaude = { pid: number; child: ChildProcess; hook(input: string): Promise<{ code: number; output: string }> };

function startFakeClaude(context: TestContext, home: string, env: Record<string, string>): FakeClaude {
  const executable = join(home, 'bin', 'claude');
  if (!existsSync(executable)) {
    mkdirSync(dirname(executable), { recursive: true });
    symlinkSync(process.execPath, executable); // comm is the name it was started by: claude
  }
  const child = spawn(executable, ['-e', FAKE_CLAUDE], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...env, FAKE_HOOK_COMMAND: `'${process.execPath}' '${cli}' hook` },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('fake claude did not start');
  context.onTestFinished(async () => {
    if (isAlive(pid)) {
      process.kill(pid, 'SIGKILL');
      await waitUntilGone(pid);
    }
  });
  const waiting: Array<(result: { code: number; output: string }) => void> = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => waiting.shift()?.(JSON.parse(line)));
  return {
    pid,
    child,
    hook: (input) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        child.stdin?.write(`${input}\n`);
      }),
  };
}

const keepaliveBeats = (server: RecordingServer, name: string, after: number) => server.heartbeats(name).slice(after).filter((beat) => beat.status === 200);

describe('mc-agent hook keepalive', () => {
  it('keeps the agent online between hook events, re-sending the stored presence: needs_input stays needs_input', async ({ expect, onTestFinished }) => {
    const context = { onTestFinished };
    const home = tempHome(context);
    const server = await recordingServer(context);
    const claude = startFakeClaude(context, home, reporting(server.url, 'ka-needs-input', home));

    expect(await claude.hook(hookEvent('Notification', PERMISSION))).toEqual({ code: 0, output: '' });
    const afterHook = server.heartbeats('ka-needs-input').length;
    // The permission prompt waits; the keepalive beats on (interval 300 ms here, the server's next_heartbeat_s normally).
    await expect.poll(() => keepaliveBeats(server, 'ka-needs-input', afterHook).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    const bodies = server.heartbeats('ka-needs-input').filter((beat) => beat.status === 200).map((beat) => beat.body);
    expect(new Set(bodies.map((body) => JSON.stringify(body)))).toEqual(new Set([JSON.stringify({ status: 'needs_input', activity: PERMISSION.message })]));
    // The agent was new: the hook connected it first; the keepalive watches the fake Claude Code.
    expect(server.requests.filter((request) => request.path === '/api/connect')).toHaveLength(1);
    expect(logOf(home)).toContain(`watching pid ${claude.pid} (claude) as the Claude Code process`);
  });

  it('stops once the Claude Code process it watches has exited', async ({ expect, onTestFinished }) => {
    const context = { onTestFinished };
    const home = tempHome(context);
    const server = await recordingServer(context);
    const claude = startFakeClaude(context, home, reporting(server.url, 'ka-exit', home));

    await claude.hook(hookEvent('UserPromptSubmit', { prompt: 'run the slow tests' }));
    const afterHook = server.heartbeats('ka-exit').length;
    const keepalive = registeredPid(home);
    expect(keepalive).not.toBeNull();
    await expect.poll(() => keepaliveBeats(server, 'ka-exit', afterHook).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    expect(server.heartbeats('ka-exit').at(-1)?.body).toEqual({ status: 'busy', activity: 'working on a prompt' });

    process.kill(claude.pid, 'SIGKILL'); // Claude Code crashes: no SessionEnd
    await expect.poll(() => isAlive(keepalive ?? 0), { timeout: 15_000 }).toBe(false);
    expect(logOf(home)).toMatch(/keepalive stopped: Claude Code exited/);
    expect(existsSync(pidFileOf(home))).toBe(false);
  });

  it('stops on SessionEnd through the hook, while Claude Code still runs', async ({ expect, onTestFinished }) => {
    const context = { onTestFinished };
    const home = tempHome(context);
    const server = await recordingServer(context);
    const claude = startFakeClaude(context, home, reporting(server.url, 'ka-session-end', home));

    await claude.hook(hookEvent('SessionStart', { source: 'startup' }));
    const afterHook = server.heartbeats('ka-session-end').length;
    const keepalive = registeredPid(home) ?? 0;
    await expect.poll(() => keepaliveBeats(server, 'ka-session-end', afterHook).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);

    expect(await claude.hook(hookEvent('SessionEnd', { reason: 'exit' }))).toEqual({ code: 0, output: '' });
    await expect.poll(() => isAlive(keepalive), { timeout: 15_000 }).toBe(false);
    expect(logOf(home)).toMatch(/"msg":"keepalive stopped: SessionEnd"/);
    expect(existsSync(pidFileOf(home))).toBe(false);
    expect(isAlive(claude.pid)).toBe(true);
    // The last word is the hook's own "session ended"; the keepalive sent nothing after it.
    expect(server.heartbeats('ka-session-end').at(-1)?.body).toEqual({ status: 'idle', activity: 'session ended' });
  });

  it('starts no second keepalive while the first one lives', async ({ expect, onTestFinished }) => {
    const context = { onTestFinished };
    const home = tempHome(context);
    const server = await recordingServer(context);
    const env = reporting(server.url, 'ka-once', home);
    for (const [event, fields] of [['SessionStart', {}], ['UserPromptSubmit', {}], ['PreToolUse', { tool_name: 'Bash' }], ['Stop', {}]] as const) {
      expect(await runCli(cli, ['hook'], env, hookEvent(event, fields)), event).toEqual({ code: 0, signal: null, stdout: '', stderr: '' });
    }
    const pids = startedPids(home);
    expect(pids).toHaveLength(1);
    expect(registeredPid(home)).toBe(pids[0]);
    expect(isKeepaliveProcess(pids[0] ?? 0, KEY)).toBe(true);
    await expect.poll(() => (logOf(home).match(/"msg":"keepalive started/g) ?? []).length, { timeout: 10_000 }).toBe(1);
    await expect.poll(() => server.heartbeats('ka-once').at(-1)?.body, { timeout: 20_000 }).toEqual({ status: 'idle' });
  });

  it('starts none under mc-agent claude (MC_AGENT_STATUS_FILE): the wrapper heartbeats', async ({ expect, onTestFinished }) => {
    const context = { onTestFinished };
    const home = tempHome(context);
    const server = await recordingServer(context);
    mkdirSync(join(home, 'run-1'));
    const statusFile = join(home, 'run-1', 'status.json');
    const env = reporting(server.url, 'ka-wrapped', home, { MC_AGENT_STATUS_FILE: statusFile });
    await runCli(cli, ['hook'], env, hookEvent('SessionStart'));
    await runCli(cli, ['hook'], env, hookEvent('Notification', PERMISSION));
    expect(JSON.parse(readFileSync(statusFile, 'utf8'))).toMatchObject({ status: 'needs_input', activity: PERMISSION.message });
    expect(startedPids(home)).toEqual([]);
    expect(readdirSync(join(home, 'state', 'hooks')).filter((name) => name.endsWith('.pid'))).toEqual([]);
    expect(logOf(home)).not.toMatch(/keepalive/);
    expect(server.requests).toEqual([]);
  });

  it('rides out a server that is down, then connects the agent it does not know and beats', async ({ expect, onTestFinished }) => {
    const context = { onTestFinished };
    const home = tempHome(context);
    const port = await unusedPort();
    const env = reporting(`http://127.0.0.1:${port}`, 'ka-outage', home);
    expect(await runCli(cli, ['hook'], env, hookEvent('Notification', PERMISSION))).toEqual({ code: 0, signal: null, stdout: '', stderr: '' });
    const keepalive = registeredPid(home) ?? 0;
    await expect.poll(() => logOf(home), { timeout: 15_000 }).toMatch(/keepalive: heartbeat not sent, retrying every interval: Cannot reach/);
    expect(isKeepaliveProcess(keepalive, KEY)).toBe(true);

    const server = await recordingServer(context, { port });
    await expect.poll(() => keepaliveBeats(server, 'ka-outage', 0).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    expect(server.requests.slice(0, 3).map((request) => [request.path, request.status])).toEqual([
      ['/api/agents/ka-outage/heartbeat', 404],
      ['/api/connect', 200],
      ['/api/agents/ka-outage/heartbeat', 200],
    ]);
    expect(server.requests[1]?.body).toMatchObject({ agent_name: 'ka-outage', tool_name: 'claude-code', metadata: { cwd: 'repo', via: 'hooks' } });
    expect(keepaliveBeats(server, 'ka-outage', 0).map((beat) => beat.body)).toContainEqual({ status: 'needs_input', activity: PERMISSION.message });
    expect(logOf(home)).toMatch(/keepalive: heartbeats are delivered again/);
  });

  it("beats at the server's next_heartbeat_s when no interval is set", async ({ expect, onTestFinished }) => {
    const context = { onTestFinished };
    const home = tempHome(context);
    const server = await recordingServer(context, { nextHeartbeatS: 1 });
    const env = reporting(server.url, 'ka-server-interval', home, { MC_KEEPALIVE_INTERVAL_MS: '' });
    await runCli(cli, ['hook'], env, hookEvent('PreToolUse', { tool_name: 'Bash' }));
    const afterHook = server.heartbeats('ka-server-interval').length;
    // The default would be 30 s; the test's 60 s timeout only fits the server's 1 s.
    await expect.poll(() => keepaliveBeats(server, 'ka-server-interval', afterHook).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    expect(server.heartbeats('ka-server-interval').at(-1)?.body).toEqual({ status: 'busy', activity: 'using Bash' });
  });
});
