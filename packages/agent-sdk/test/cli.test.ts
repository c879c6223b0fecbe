// The mc-agent wrappers end to end: the stand-in claude/codex (test/bin) replay telemetry fixtures; the
// wrapper must pass stdin/stdout/stderr, signals and exit codes through and report exact usage.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, it, vi } from 'vitest';
import { asRecorded, bundleCli, CLI_SERVER, expectedRecorded, readFixtureInput, reportingEnv, runCli, startCli } from './support/cli.ts';
import { agentRow, createTempDir, freePort, revokeKey, type SdkTestServer, startSdkTestServer, usageRows } from './support/server.ts';

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

function tempHome(onTestFinished: (fn: () => void) => void): string {
  const home = createTempDir('mc-home-');
  onTestFinished(() => home.remove());
  return home.dir;
}

const argsOf = (file: string): string[] => JSON.parse(readFileSync(file, 'utf8')) as string[];
const statusesOf = async (name: string) => {
  const agent = await agentRow(server, name);
  const rows = await server.db.prisma.agentActivity.findMany({ where: { agentId: agent?.id ?? '' }, orderBy: { id: 'asc' } });
  return rows.map((row) => row.toStatus);
};

describe.concurrent('mc-agent claude', () => {
  it('adds stream-json to a -p run, prints only the result text, and reports the exact usage', async ({ expect, onTestFinished }) => {
    const home = tempHome(onTestFinished);
    const argsFile = join(home, 'args.json');
    const result = await runCli(cli, ['claude', '--', '-p', 'fix the counter'], {
      ...reportingEnv(server, 'cli-claude-p', home), STANDIN_FIXTURE: 'claude-stream-repeated-usage', STANDIN_ARGS_FILE: argsFile,
    });
    expect(result).toEqual({ code: 0, signal: null, stdout: 'Fixed: usage is now counted once per message id.\n', stderr: '' });
    expect(argsOf(argsFile)).toEqual(['-p', 'fix the counter', '--output-format', 'stream-json', '--verbose']);
    expect(asRecorded(await usageRows(server, 'cli-claude-p'))).toEqual(expectedRecorded('claude-stream-repeated-usage'));
    expect(await statusesOf('cli-claude-p')).toEqual(['online', 'busy', 'idle', 'offline']);
  });

  it('leaves a stream-json format the user chose byte for byte, and still reports from it', async ({ expect, onTestFinished }) => {
    const home = tempHome(onTestFinished);
    const argsFile = join(home, 'args.json');
    const args = ['-p', 'go', '--output-format', 'stream-json', '--verbose'];
    const result = await runCli(cli, ['claude', '--name', 'cli-claude-stream', '--', ...args], {
      ...reportingEnv(server, 'ignored-by-flag', home), STANDIN_FIXTURE: 'claude-stream-subagent-1h-cache', STANDIN_ARGS_FILE: argsFile,
    });
    expect(result.stdout).toBe(readFixtureInput('claude-stream-subagent-1h-cache'));
    expect(argsOf(argsFile)).toEqual(args);
    expect(asRecorded(await usageRows(server, 'cli-claude-stream'))).toEqual(expectedRecorded('claude-stream-subagent-1h-cache'));
  });

  it('does not touch other formats or interactive sessions (liveness only)', async ({ expect, onTestFinished }) => {
    const home = tempHome(onTestFinished);
    const argsFile = join(home, 'args.json');
    const env = { ...reportingEnv(server, 'cli-claude-json', home), STANDIN_FIXTURE: 'claude-stream-repeated-usage', STANDIN_ARGS_FILE: argsFile };
    const json = await runCli(cli, ['claude', '--', '-p', 'go', '--output-format', 'json'], env);
    expect(argsOf(argsFile)).toEqual(['-p', 'go', '--output-format', 'json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ type: 'result', subtype: 'success' });
    const interactive = await runCli(cli, ['claude', '--', '--model', 'opus'], env);
    expect(argsOf(argsFile)).toEqual(['--model', 'opus']);
    expect(interactive).toEqual({ code: 0, signal: null, stdout: 'claude stand-in: interactive\n', stderr: '' });
    expect(await usageRows(server, 'cli-claude-json')).toEqual([]);
    expect(await agentRow(server, 'cli-claude-json')).toMatchObject({ toolName: 'claude-code' });
  });

  it("passes the tool's exit code and stderr through, prints an error result like claude -p, and skips malformed lines", async ({ expect, onTestFinished }) => {
    const home = tempHome(onTestFinished);
    const result = await runCli(cli, ['claude', '--', '-p', 'go'], {
      ...reportingEnv(server, 'cli-claude-exit', home), STANDIN_FIXTURE: 'claude-stream-error-max-turns', STANDIN_EXIT: '3', STANDIN_STDERR: 'warning: low disk\n',
    });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('warning: low disk\nError: Reached maximum number of turns (2)\n');
    expect(asRecorded(await usageRows(server, 'cli-claude-exit'))).toEqual(expectedRecorded('claude-stream-error-max-turns'));
    expect((await agentRow(server, 'cli-claude-exit'))?.status).toBe('offline');
    expect(await statusesOf('cli-claude-exit')).toContain('error'); // the error_max_turns result
  });

  it('keeps the exit code and stack of a tool that crashes mid-stream, reporting what it printed', async ({ expect, onTestFinished }) => {
    const home = tempHome(onTestFinished);
    const result = await runCli(cli, ['claude', '--', '-p', 'go'], { ...reportingEnv(server, 'cli-claude-crash', home), STANDIN_FIXTURE: 'claude-stream-multi-turn', STANDIN_CRASH: '1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Error: stand-in crashed mid-stream/);
    expect(result.stderr).not.toMatch(/mc-agent/);
    expect((await usageRows(server, 'cli-claude-crash')).length).toBeGreaterThan(0);
  });

  it('is busy while the tool runs, passes stdin through, and is idle when it ends', async ({ expect, onTestFinished }) => {
    const home = tempHome(onTestFinished);
    const run = startCli(cli, ['claude', '--', '-p', 'go'], { ...reportingEnv(server, 'cli-claude-busy', home), STANDIN_FIXTURE: 'claude-stream-long-context', STANDIN_STDIN: 'echo' }, { stdin: 'pipe' });
    await expect.poll(async () => (await agentRow(server, 'cli-claude-busy'))?.status, { timeout: 10_000 }).toBe('busy');
    await expect.poll(async () => (await usageRows(server, 'cli-claude-busy')).length, { timeout: 10_000 }).toBe(expectedRecorded('claude-stream-long-context').length);
    run.child.stdin?.end('approve\n');
    const result = await run.result;
    expect(result).toMatchObject({ code: 0, stderr: 'stdin:approve\n' });
    expect(await statusesOf('cli-claude-busy')).toEqual(['online', 'busy', 'idle', 'offline']);
  });

  it('forwards SIGTERM to the tool and dies by the same signal', async ({ expect, onTestFinished }) => {
    const home = tempHome(onTestFinished);
    const signalFile = join(home, 'signals.txt');
    writeFileSync(signalFile, '');
    const run = startCli(cli, ['claude', '--', '-p', 'go'], { ...reportingEnv(server, 'cli-claude-signal', home), STANDIN_SIGNAL_FILE: signalFile });
    await expect.poll(() => readFileSync(signalFile, 'utf8'), { timeout: 10_000 }).toBe('ready\n');
    run.child.kill('SIGTERM');
    expect(await run.result).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(readFileSync(signalFile, 'utf8')).toBe('ready\nSIGTERM\n');
  });

  it('forwards SIGINT when stdin is not a terminal', async ({ expect, onTestFinished }) => {
    const home = tempHome(onTestFinished);
    const signalFile = join(home, 'signals.txt');
    writeFileSync(signalFile, '');
    const run = startCli(cli, ['run', '--', 'claude', '-p'], { ...reportingEnv(server, 'cli-run-sigint', home), STANDIN_SIGNAL_FILE: signalFile });
    await expect.poll(() => readFileSync(signalFile, 'utf8'), { timeout: 10_000 }).toBe('ready\n');
    run.child.kill('SIGINT');
    expect(await run.result).toMatchObject({ signal: 'SIGINT' });
    expect(readFileSync(signalFile, 'utf8')).toBe('ready\nSIGINT\n');
  });
});

describe.concurrent('trouble on the Mission Control side never changes the tool run', () => {
  it('runs unchanged with the server down, and the next run delivers that usage once', async ({ expect, onTestFinished }) => {
    const home = tempHome(onTestFinished);
    const port = await freePort();
    const env = { ...reportingEnv({ url: `http://127.0.0.1:${port}`, operatorKey: server.operatorKey }, 'cli-outage', home), STANDIN_FIXTURE: 'claude-stream-repeated-usage' };
    const down = await runCli(cli, ['claude', '--', '-p', 'go'], env);
    expect(down).toEqual({ code: 0, signal: null, stdout: 'Fixed: usage is now counted once per message id.\n', stderr: '' });

    const revived = await startSdkTestServer({ ...CLI_SERVER, port });
    onTestFinished(() => revived.close());
    const next = await runCli(cli, ['run', '--', process.execPath, '-e', ''], { ...env, MC_API_KEY: revived.operatorKey });
    expect(next.code).toBe(0);
    expect(asRecorded(await usageRows(revived, 'cli-outage'))).toEqual(expectedRecorded('claude-stream-repeated-usage'));
  });

  it("keeps the tool's exit code while it waits out a connect retry after the tool ended", async ({ expect, onTestFinished }) => {
    // A proxy that answers the first connect with 503: the retry waits on a timer after the tool exited.
    let connects = 0;
    const proxy = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.url === '/api/connect' && req.method === 'POST' && connects++ === 0) {
          res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"INTERNAL","message":"starting"}}');
          return;
        }
        const headers = Object.fromEntries(Object.entries(req.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host'));
        fetch(`${server.url}${req.url ?? '/'}`, { method: req.method, headers, ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}) }).then(
          async (upstream) => res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text()),
          () => res.writeHead(502).end(),
        );
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => proxy.close(() => resolve())));
    const address = proxy.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const result = await runCli(cli, ['run', '--', process.execPath, '-e', 'process.exit(5)'], { ...reportingEnv({ url, operatorKey: server.operatorKey }, 'cli-retry-exit', tempHome(onTestFinished)) });
    expect(result).toEqual({ code: 5, signal: null, stdout: '', stderr: '' });
    expect(connects).toBe(2);
    expect(await statusesOf('cli-retry-exit')).toEqual(['online', 'busy', 'idle', 'offline']);
  });

  it('runs unchanged with a revoked key, logging what to fix', async ({ expect, onTestFinished }) => {
    const home = tempHome(onTestFinished);
    const key = await server.createApiKey('operator');
    await revokeKey(server, key);
    const result = await runCli(cli, ['claude', '--', '-p', 'go'], { ...reportingEnv(server, 'cli-revoked', home), MC_API_KEY: key, STANDIN_FIXTURE: 'claude-stream-repeated-usage', STANDIN_EXIT: '7' });
    expect(result).toEqual({ code: 7, signal: null, stdout: 'Fixed: usage is now counted once per message id.\n', stderr: '' });
    expect(readFileSync(join(home, 'logs', 'mc-agent.log'), 'utf8')).toMatch(/rejected the API key.*MC_API_KEY/);
  });

  it('runs the tool with a notice when MC_URL is missing', async ({ expect, onTestFinished }) => {
    const home = tempHome(onTestFinished);
    const result = await runCli(cli, ['claude', '--', '-p', 'go'], { MC_HOME: home, STANDIN_FIXTURE: 'claude-stream-repeated-usage', STANDIN_EXIT: '5' });
    expect(result.code).toBe(5);
    expect(result.stdout).toBe('Fixed: usage is now counted once per message id.\n');
    expect(result.stderr).toBe('mc-agent: MC_URL is not set; running without reporting to Mission Control (see mc-agent doctor)\n');
  });

  it('answers 127 like a shell when the tool is not installed', async ({ expect, onTestFinished }) => {
    const result = await runCli(cli, ['run', '--', 'no-such-tool-xyz'], { MC_HOME: tempHome(onTestFinished), MC_URL: server.url, MC_API_KEY: server.operatorKey, MC_AGENT_NAME: 'cli-missing' });
    expect(result).toMatchObject({ code: 127, stderr: 'mc-agent: no-such-tool-xyz: command not found\n' });
  });

  it('exits with code 2 and the usage for a mistake in its own arguments', async ({ expect, onTestFinished }) => {
    const result = await runCli(cli, ['claude', '--name'], { MC_HOME: tempHome(onTestFinished) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--name needs a value/);
  });
});

describe.concurrent('mc-agent codex', () => {
  it('adds --json to codex exec, prints the final agent messages, and reports usage with the model from -m', async ({ expect, onTestFinished }) => {
    const home = tempHome(onTestFinished);
    const codexHome = join(home, 'codex');
    const argsFile = join(home, 'args.json');
    mkdirSync(codexHome);
    writeFileSync(join(codexHome, 'auth.json'), JSON.stringify({ tokens: { id_token: 'x' } })); // ChatGPT sign-in
    const result = await runCli(cli, ['codex', '--', 'exec', '-m', 'gpt-5-codex', 'add tests'], {
      ...reportingEnv(server, 'cli-codex', home), CODEX_HOME: codexHome, STANDIN_FIXTURE: 'codex-exec-two-runs', STANDIN_ARGS_FILE: argsFile,
    });
    expect(argsOf(argsFile)).toEqual(['exec', '--json', '-m', 'gpt-5-codex', 'add tests']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(2); // one final message per turn
    expect(asRecorded(await usageRows(server, 'cli-codex'))).toEqual(expectedRecorded('codex-exec-two-runs'));
  });

  it("reads the model from config.toml and billing from CODEX_API_KEY; the user's --json passes untouched", async ({ expect, onTestFinished }) => {
    const home = tempHome(onTestFinished);
    const codexHome = join(home, 'codex');
    mkdirSync(codexHome);
    writeFileSync(join(codexHome, 'config.toml'), 'model = "o3"\n\n[profiles.fast]\nmodel = "gpt-5.5" # the profile wins\n');
    const result = await runCli(cli, ['codex', '--', 'exec', '--json', '--profile', 'fast', 'migrate'], {
      ...reportingEnv(server, 'cli-codex-config', home), CODEX_HOME: codexHome, CODEX_API_KEY: 'sk-test', STANDIN_FIXTURE: 'codex-exec-cache-write-failed',
    });
    expect(result.stdout).toBe(readFixtureInput('codex-exec-cache-write-failed'));
    expect(asRecorded(await usageRows(server, 'cli-codex-config'))).toEqual(expectedRecorded('codex-exec-cache-write-failed'));
  });
});

describe.concurrent('mc-agent run', () => {
  it('is busy while the command runs and keeps its exit code', async ({ expect, onTestFinished }) => {
    const result = await runCli(cli, ['run', '--name', 'cli-run', '--', process.execPath, '-e', 'process.stdout.write("out"); process.exit(4)'], {
      MC_HOME: tempHome(onTestFinished), MC_URL: server.url, MC_API_KEY: server.operatorKey,
    });
    expect(result).toEqual({ code: 4, signal: null, stdout: 'out', stderr: '' });
    expect(await statusesOf('cli-run')).toEqual(['online', 'busy', 'idle', 'offline']);
  });
});

describe.concurrent('mc-agent doctor', () => {
  it('passes with a good URL and key, and names what to fix otherwise', async ({ expect, onTestFinished }) => {
    const good = await runCli(cli, ['doctor'], { MC_HOME: tempHome(onTestFinished), MC_URL: server.url, MC_API_KEY: server.operatorKey });
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/✓ server: .* answers/);
    expect(good.stdout).toMatch(/✓ api key: user key of admin \(operator\)/);
    expect(good.stdout).toMatch(/✓ clock: in sync/);

    const badKey = await runCli(cli, ['doctor'], { MC_HOME: tempHome(onTestFinished), MC_URL: server.url, MC_API_KEY: 'mc_wrong' });
    expect(badKey.code).toBe(1);
    expect(badKey.stdout).toMatch(/✗ api key: .*MC_API_KEY/);

    const down = await runCli(cli, ['doctor', '--url', `http://127.0.0.1:${await freePort()}`], { MC_HOME: tempHome(onTestFinished), MC_API_KEY: server.operatorKey });
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/✗ server: cannot reach .*ECONNREFUSED/);
  });
});
