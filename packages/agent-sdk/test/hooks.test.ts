// Claude Code hooks: the configuration (printed and merged into settings), and `mc-agent hook` fed hook
// events on stdin with transcripts from test/fixtures/telemetry/claude-transcript-offset.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, it, vi } from 'vitest';
import { asRecorded, bundleCli, CLI_SERVER, expectedRecorded, FIXTURES, reportingEnv, runCli, startCli } from './support/cli.ts';
import { stopKeepalives } from './support/keepalives.ts';
import { agentRow, createTempDir, freePort, type SdkTestServer, startSdkTestServer, usageRows } from './support/server.ts';

// Each test spawns a few CLI processes; a loaded 2-core machine needs more than the default 20 s.
vi.setConfig({ testTimeout: 60_000 });

let server: SdkTestServer;
let cli: string;
beforeAll(async () => {
  [server, cli] = await Promise.all([startSdkTestServer(CLI_SERVER), bundleCli()]);
});
afterAll(async () => {
  await server.close();
  rmSync(dirname(cli), { recursive: true, force: true });
});

/** A private MC_HOME; the keepalives its hooks start are stopped (by PID) before it is removed. */
function tempHome(onTestFinished: (fn: () => Promise<void>) => void): string {
  const home = createTempDir('mc-home-');
  onTestFinished(async () => {
    await stopKeepalives(home.dir);
    home.remove();
  });
  return home.dir;
}

const TRANSCRIPT = join(FIXTURES, 'claude-transcript-offset', 'input.jsonl');
const FIXTURE_OFFSET = 1132; // args.json: where the fixture's expected part starts
const hookEvent = (event: string, fields: Record<string, unknown> = {}) =>
  JSON.stringify({ session_id: 'f9e1734c-5f1e-43b4-a872-3d59ce50e9b7', transcript_path: '/nonexistent', cwd: '/srv/repo', hook_event_name: event, ...fields });

describe('mc-agent claude-hooks', () => {
  it('prints hooks that run mc-agent hook on the lifecycle events', async ({ expect, onTestFinished }) => {
    const result = await runCli(cli, ['claude-hooks', '--command', 'mc-agent hook'], { MC_HOME: tempHome(onTestFinished) });
    const config = JSON.parse(result.stdout) as { hooks: Record<string, Array<{ matcher?: string; hooks: Array<{ type: string; command: string }> }>> };
    expect(Object.keys(config.hooks)).toEqual(['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'Notification', 'Stop', 'SubagentStop', 'SessionEnd']);
    expect(config.hooks.PreToolUse).toEqual([{ matcher: '*', hooks: [{ type: 'command', command: 'mc-agent hook', timeout: 10 }] }]);
    const fallback = await runCli(cli, ['claude-hooks'], { MC_HOME: tempHome(onTestFinished), PATH: '/usr/bin:/bin' });
    expect(JSON.parse(fallback.stdout).hooks.Stop[0].hooks[0].command).toMatch(/^'.*node.*' '.*mc-agent\.mjs' hook$/);
  });

  it('--install merges into existing settings, keeps what is there, is idempotent, and --uninstall restores it', async ({ expect, onTestFinished }) => {
    const home = tempHome(onTestFinished);
    const settingsFile = join(home, '.claude', 'settings.json');
    mkdirSync(join(home, '.claude'));
    const original = {
      model: 'opus',
      permissions: { allow: ['Bash(ls:*)'] },
      hooks: {
        Stop: [{ hooks: [{ type: 'command', command: 'say done' }] }],
        PostToolUse: [{ matcher: 'Write', hooks: [{ type: 'command', command: 'prettier --write' }] }],
      },
    };
    writeFileSync(settingsFile, JSON.stringify(original), { mode: 0o644 });
    const install = () => runCli(cli, ['claude-hooks', '--install', '--settings', settingsFile, '--command', 'mc-agent hook'], { MC_HOME: home });
    expect((await install()).stdout).toMatch(/Installed mc-agent hooks/);
    await install();
    const settings = JSON.parse(readFileSync(settingsFile, 'utf8'));
    expect(settings).toMatchObject({ model: 'opus', permissions: { allow: ['Bash(ls:*)'] }, hooks: { PostToolUse: original.hooks.PostToolUse } });
    expect(settings.hooks.Stop).toEqual([original.hooks.Stop[0], { hooks: [{ type: 'command', command: 'mc-agent hook', timeout: 10 }] }]);
    for (const event of ['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'Notification', 'SubagentStop', 'SessionEnd']) expect(settings.hooks[event]).toHaveLength(1);
    expect(statSync(settingsFile).mode & 0o777).toBe(0o644);

    await runCli(cli, ['claude-hooks', '--uninstall', '--settings', settingsFile], { MC_HOME: home });
    expect(JSON.parse(readFileSync(settingsFile, 'utf8'))).toEqual(original);
  });

  it('leaves a settings file that is not JSON alone and says so', async ({ expect, onTestFinished }) => {
    const home = tempHome(onTestFinished);
    const settingsFile = join(home, 'settings.json');
    writeFileSync(settingsFile, '{ "model": "opus", ');
    const result = await runCli(cli, ['claude-hooks', '--install', '--settings', settingsFile], { MC_HOME: home });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is not valid JSON.*nothing was changed/);
    expect(readFileSync(settingsFile, 'utf8')).toBe('{ "model": "opus", ');
  });
});

describe('mc-agent hook', () => {
  it('shows the session live: busy on prompt and tool use, needs_input on a permission prompt, idle on Stop; prints nothing', async ({ expect, onTestFinished }) => {
    const env = reportingEnv(server, 'hook-live', tempHome(onTestFinished));
    const steps: Array<[string, Record<string, unknown>, { status: string; activity: string | null }]> = [
      ['SessionStart', { source: 'startup' }, { status: 'idle', activity: 'session started' }],
      ['UserPromptSubmit', { prompt: 'fix the bug' }, { status: 'busy', activity: 'working on a prompt' }],
      ['PreToolUse', { tool_name: 'Bash', tool_input: { command: 'ls' } }, { status: 'busy', activity: 'using Bash' }],
      ['Notification', { notification_type: 'permission_prompt', message: 'Claude needs your permission to use Bash' }, { status: 'needs_input', activity: 'Claude needs your permission to use Bash' }],
      ['PreToolUse', { tool_name: 'Bash', tool_input: { command: 'rm x' } }, { status: 'busy', activity: 'using Bash' }],
      ['Stop', { stop_hook_active: false }, { status: 'idle', activity: null }],
    ];
    for (const [event, fields, expected] of steps) {
      const result = await runCli(cli, ['hook'], env, hookEvent(event, fields));
      expect(result, event).toEqual({ code: 0, signal: null, stdout: '', stderr: '' });
      expect(await agentRow(server, 'hook-live'), event).toMatchObject(expected);
    }
  });

  it('reports the new part of the transcript from the offset it remembered, once', async ({ expect, onTestFinished }) => {
    const home = tempHome(onTestFinished);
    const env = reportingEnv(server, 'hook-usage', home);
    const transcript = join(home, 'session.jsonl');
    const bytes = readFileSync(TRANSCRIPT);
    writeFileSync(transcript, bytes.subarray(0, FIXTURE_OFFSET)); // the session so far
    await runCli(cli, ['hook'], env, hookEvent('Stop', { transcript_path: transcript }));
    const before = (await usageRows(server, 'hook-usage')).map((row) => row.idempotencyKey);
    expect(before).toEqual(['cc:msg_01xejX6X57xfGU5iBdHfXSwQ']);

    writeFileSync(transcript, bytes); // Claude appended more, ending in a partial line
    await runCli(cli, ['hook'], env, hookEvent('Stop', { transcript_path: transcript }));
    await runCli(cli, ['hook'], env, hookEvent('SessionEnd', { transcript_path: transcript, reason: 'exit' }));
    const rows = await usageRows(server, 'hook-usage');
    expect(rows).toHaveLength(1 + expectedRecorded('claude-transcript-offset').length);
    expect(asRecorded(rows.filter((row) => !before.includes(row.idempotencyKey)))).toEqual(expectedRecorded('claude-transcript-offset'));
  });

  it('under mc-agent claude, hands the status to the wrapper, which reports it', async ({ expect, onTestFinished }) => {
    const home = tempHome(onTestFinished);
    const run = startCli(cli, ['claude', '--', '--model', 'opus'], {
      ...reportingEnv(server, 'hook-wrapped', home),
      STANDIN_STDIN: 'echo',
      STANDIN_HOOK_COMMAND: `'${process.execPath}' '${cli}' hook`,
      STANDIN_HOOK_INPUT: hookEvent('Notification', { notification_type: 'permission_prompt', message: 'Allow Edit?' }),
    }, { stdin: 'pipe' });
    await expect.poll(async () => (await agentRow(server, 'hook-wrapped'))?.activity, { timeout: 10_000 }).toBe('Allow Edit?');
    expect((await agentRow(server, 'hook-wrapped'))?.status).toBe('needs_input');
    run.child.stdin?.end('');
    expect(await run.result).toMatchObject({ code: 0, stdout: 'claude stand-in: interactive\n' });
  });

  it('exits at once with the server down, keeping the usage on disk for a later hook', async ({ expect, onTestFinished }) => {
    const home = tempHome(onTestFinished);
    const port = await freePort();
    const env = reportingEnv({ url: `http://127.0.0.1:${port}`, operatorKey: 'mc_later' }, 'hook-outage', home);
    const transcript = join(home, 'session.jsonl');
    copyFileSync(TRANSCRIPT, transcript);
    const down = await runCli(cli, ['hook'], env, hookEvent('Stop', { transcript_path: transcript }));
    expect(down).toEqual({ code: 0, signal: null, stdout: '', stderr: '' });
    // It gave up at the refused connection instead of retrying until its 9 s budget ran out.
    expect(readFileSync(join(home, 'logs', 'mc-agent.log'), 'utf8').match(/Cannot reach .* \(ECONNREFUSED\)/g)).toHaveLength(2); // status + usage, once each
    const spoolRoot = join(home, 'spool');
    const spooled = readdirSync(spoolRoot).flatMap((dir) => readdirSync(join(spoolRoot, dir)));
    expect(spooled).toEqual([expect.stringMatching(/\.jsonl$/)]);

    const revived = await startSdkTestServer({ ...CLI_SERVER, port });
    onTestFinished(() => revived.close());
    await runCli(cli, ['hook'], { ...env, MC_API_KEY: revived.operatorKey }, hookEvent('UserPromptSubmit'));
    expect((await usageRows(revived, 'hook-outage')).length).toBe(4);
  });

  it('ignores input that is not a hook event, with exit code 0', async ({ expect, onTestFinished }) => {
    const home = tempHome(onTestFinished);
    const result = await runCli(cli, ['hook'], reportingEnv(server, 'hook-garbage', home), 'not json at all');
    expect(result).toEqual({ code: 0, signal: null, stdout: '', stderr: '' });
    expect(readFileSync(join(home, 'logs', 'mc-agent.log'), 'utf8')).toMatch(/hook input is not JSON/);
  });
});
