// Starts and stops a real OpenClaw gateway (GATEWAY.md §14.2) for the integration test: its own state
// folder, a fake model server on loopback, free ports, readiness via wait-ready.mjs. Processes are
// spawned directly (no shell, no detach) and stopped by PID only.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(new URL('.', import.meta.url).pathname, '..', '..');
export const OPENCLAW_DIR = join(REPO_ROOT, '.cache', 'openclaw-gw');
export const OPENCLAW_BIN = join(OPENCLAW_DIR, 'node_modules', '.bin', 'openclaw');
const NODE24 = join(OPENCLAW_DIR, 'node_modules', '.bin', 'node');
const OPENCLAW_ENTRY = join(OPENCLAW_DIR, 'node_modules', 'openclaw', 'openclaw.mjs');
const HARNESS = join(REPO_ROOT, 'test', 'openclaw');
/** 10–17 s on an idle 2-core machine (GATEWAY.md §14.1); much more when the machine is busy. */
const READY_LIMIT_MS = 240_000;

export const openclawInstalled = () => existsSync(OPENCLAW_BIN) && existsSync(NODE24);

/**
 * A V8 compile cache shared by every test gateway (the rest of TMPDIR stays per run): startup compiles
 * several hundred MB of JS, which dominates a cold start on a busy 2-core machine. It must be exactly
 * the directory openclaw.mjs derives for this install, or the launcher respawns itself to get it (and
 * the PID we hold would no longer be the gateway's).
 */
function compileCacheDir(): string {
  const packageJson = join(OPENCLAW_DIR, 'node_modules', 'openclaw', 'package.json');
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
  const stat = statSync(packageJson);
  return join(OPENCLAW_DIR, 'compile-cache', 'openclaw', version, `${Math.trunc(stat.mtimeMs)}-${stat.size}`);
}

export type RealGatewayOptions = {
  /**
   * `loopback` (default): only 127.0.0.1, and loopback backend clients are trusted without pairing.
   * `lan`: also on this machine's network address; a client connecting through `remoteUrl` is a
   * remote device to the gateway, so it goes through the real pairing flow (GATEWAY.md §5).
   */
  bind: 'loopback' | 'lan';
};

export type RealGateway = {
  name: string;
  url: string;
  /** ws://<this machine's first non-loopback IPv4>:port; only with `bind: 'lan'` */
  remoteUrl: string | null;
  port: number;
  token: string;
  runDir: string;
  pid(): number | undefined;
  /** SIGTERM by PID (children too), SIGKILL after 10 s */
  kill(): Promise<void>;
  /** starts the gateway again on the same port and state folder, resolves when it answers hello-ok */
  restart(): Promise<void>;
  /** an `openclaw …` CLI call against this gateway over loopback (2–4 s each); resolves to stdout + stderr */
  cli(args: string[]): Promise<string>;
  logTail(): string;
  stop(): Promise<void>;
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((done) => child.once('exit', (code) => done(code)));
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function killByPid(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const children = childPids(pid);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited(child);
  clearTimeout(timer);
  for (const childPid of children) {
    try {
      process.kill(childPid, 'SIGKILL');
    } catch {
      // already gone with its parent
    }
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; stdout: string }> {
  return new Promise((done) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    // the CLI prints its results to stderr as well (e.g. `devices approve`): callers get both
    child.stderr.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    // 'close', not 'exit': output can still be in the pipes when the process exits
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout });
    });
  });
}

/**
 * openclaw checks VITEST* itself (and goes quiet, e.g. `devices approve` prints nothing): run it as a
 * user would, without the variables of the test runner that spawns it.
 */
function withoutTestRunnerVars(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('VITEST') && name !== 'NODE_ENV' && name !== 'TEST'));
}

/**
 * An IPv4 address of this machine outside 127/8: what makes a connection "remote" to a gateway (it
 * judges by the peer address). A network interface's address first, else one added to `lo`.
 */
export function lanAddress(): string | null {
  const addresses = Object.values(networkInterfaces()).flatMap((entries) => entries ?? []).filter((entry) => entry.family === 'IPv4' && !entry.address.startsWith('127.'));
  return (addresses.find((entry) => !entry.internal) ?? addresses[0])?.address ?? null;
}

export async function startRealGateway(name: string, options: RealGatewayOptions = { bind: 'loopback' }): Promise<RealGateway> {
  const lan = options.bind === 'lan' ? lanAddress() : null;
  if (options.bind === 'lan' && lan === null) throw new Error('bind: lan needs an IPv4 address outside 127/8 on this machine (none found); as root: ip addr add 10.213.0.1/32 dev lo');
  const runDir = mkdtempSync(join(tmpdir(), `mc-oc-${name}-`));
  const [port, modelPort] = [await freePort(), await freePort()];
  const token = `it-${name}-${Math.random().toString(36).slice(2)}`;
  for (const dir of ['home/.openclaw', 'tmp', 'logs']) mkdirSync(join(runDir, dir), { recursive: true });
  writeFileSync(join(runDir, 'home/.openclaw/openclaw.json'), JSON.stringify({
    gateway: { mode: 'local', bind: options.bind },
    logging: { file: join(runDir, 'logs/openclaw.log') },
    models: { mode: 'merge', providers: { mock: {
      baseUrl: `http://127.0.0.1:${modelPort}/v1`, apiKey: 'mock-key', api: 'openai-completions',
      models: [{ id: 'mock-1', name: 'Mock One', reasoning: false, input: ['text'], cost: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 }, contextWindow: 200000, maxTokens: 8192 }],
    } } },
    agents: { defaults: { model: { primary: 'mock/mock-1' }, skipBootstrap: true } },
  }, null, 2));
  const env: NodeJS.ProcessEnv = {
    ...withoutTestRunnerVars(process.env),
    HOME: join(runDir, 'home'), OPENCLAW_HOME: join(runDir, 'home'), TMPDIR: join(runDir, 'tmp'),
    PATH: `${join(OPENCLAW_DIR, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
    NODE_COMPILE_CACHE: compileCacheDir(),
  };
  const url = `ws://127.0.0.1:${port}`;
  const model = spawn(process.execPath, [join(HARNESS, 'fake-openai.mjs'), String(modelPort)], { stdio: ['ignore', openSync(join(runDir, 'model.log'), 'a'), 'inherit'] });
  let gateway: ChildProcess | null = null;

  async function launch(): Promise<void> {
    const log = openSync(join(runDir, 'gateway.log'), 'a');
    gateway = spawn(NODE24, [OPENCLAW_ENTRY, 'gateway', '--dev', '--allow-unconfigured', '--bind', options.bind, '--port', String(port), '--auth', 'token', '--token', token], {
      env, stdio: ['ignore', log, log],
    });
    const ready = await run(process.execPath, [join(HARNESS, 'wait-ready.mjs'), url, token, String(READY_LIMIT_MS)], env, READY_LIMIT_MS + 5_000);
    if (ready.code !== 0) throw new Error(`gateway ${name} did not become ready within ${READY_LIMIT_MS / 1000} s; log tail:\n${tail()}`);
  }

  function tail(): string {
    return ['gateway.log', 'logs/openclaw.log'].map((file) => {
      try {
        return `${file}:\n${readFileSync(join(runDir, file), 'utf8').split('\n').slice(-20).join('\n')}`;
      } catch {
        return `${file}: (none)`;
      }
    }).join('\n');
  }

  async function kill(): Promise<void> {
    if (gateway !== null) await killByPid(gateway);
  }

  try {
    await launch();
  } catch (error) {
    await kill();
    await killByPid(model);
    throw error;
  }

  return {
    name, url, port, token, runDir,
    remoteUrl: lan === null ? null : `ws://${lan}:${port}`,
    pid: () => gateway?.pid,
    kill,
    restart: launch,
    async cli(args) {
      const result = await run(NODE24, [OPENCLAW_ENTRY, ...args, '--url', url, '--token', token], env, 60_000);
      if (result.code !== 0) throw new Error(`openclaw ${args.join(' ')} exited ${result.code}: ${result.stdout}`);
      return result.stdout;
    },
    logTail: tail,
    async stop() {
      await kill();
      await killByPid(model);
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}
