// Shared helpers for the benchmarks: start/stop the server bundle as a child process (loopback only),
// a small keep-alive HTTP client, /proc readers and percentile maths. Node built-ins only.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { setPriority, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The server bundle; BENCH_BUNDLE points at another build (e.g. to compare two builds). */
export const BUNDLE = process.env.BENCH_BUNDLE ? resolve(process.env.BENCH_BUNDLE) : join(ROOT, 'apps', 'server', 'dist', 'main.js');
export const HOST = '127.0.0.1';
export const ADMIN = { username: 'bench-admin', password: 'bench-horse-battery-42' } as const;
/** PROTOCOL.md §8: a benchmark that raises the limits says so. */
export const NO_AGENT_LIMITS = '{"heartbeatPerAgentPerMin":0,"connectPerAgentPerMin":0,"tokensPerKeyPerMin":0}';

export type Metric = { key: string; label: string; value: number | null; unit: string; target?: string; pass?: boolean };
export type BenchResult = { name: string; metrics: Metric[]; notes: string[] };

// ---------------------------------------------------------------- stats

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
export function summarize(samples: readonly number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? (sorted[sorted.length - 1] ?? Number.NaN) : Number.NaN,
  };
}
export const round = (value: number, digits = 1) => (Number.isFinite(value) ? Math.round(value * 10 ** digits) / 10 ** digits : Number.NaN);
export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

// ---------------------------------------------------------------- /proc

let clockTicks: number | null = null;
function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime + stime of a process, in seconds (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (14) is fields[11] and stime (15) is fields[12].
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
}

/** VmRSS in MB (MiB). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** CPU share of one process over a wall interval (1.0 = one full core). */
export class CpuMeter {
  private readonly startCpu: number;
  private readonly startWall = performance.now();
  constructor(private readonly pid: number) {
    this.startCpu = cpuSeconds(pid);
  }
  cores(): number {
    return (cpuSeconds(this.pid) - this.startCpu) / ((performance.now() - this.startWall) / 1000);
  }
}

/** CPU share of this (client) process. */
export class ClientCpuMeter {
  private readonly start = process.cpuUsage();
  private readonly startWall = performance.now();
  cores(): number {
    const used = process.cpuUsage(this.start);
    return (used.user + used.system) / 1e6 / ((performance.now() - this.startWall) / 1000);
  }
}

function machineJiffies() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const [user = 0, nice = 0, system = 0, _idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return { busy: user + nice + system + irq + softirq, iowait, steal };
}

/** Whole-machine CPU over an interval, in cores: busy (without steal), iowait and steal (time the hypervisor gave away). Other processes'
 *  share = busy − server − client; other engineers' test runs show up there. */
export class MachineCpuMeter {
  private readonly start = machineJiffies();
  private readonly startWall = performance.now();
  read() {
    const end = machineJiffies();
    const seconds = (performance.now() - this.startWall) / 1000;
    const cores = (jiffies: number) => jiffies / ticksPerSecond() / seconds;
    return { busy: cores(end.busy - this.start.busy), iowait: cores(end.iowait - this.start.iowait), steal: cores(end.steal - this.start.steal) };
  }
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** Samples RSS every `everyMs` until stopped; reports the max and last. */
export function sampleRss(pid: number, everyMs = 250) {
  let max = 0;
  let last = 0;
  const take = () => {
    try {
      last = rssMb(pid);
      max = Math.max(max, last);
    } catch {
      // process gone
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { maxMb: max, lastMb: last };
    },
  };
}

// ---------------------------------------------------------------- HTTP

export type HttpResponse = { status: number; headers: http.IncomingHttpHeaders; body: string };

export function request(
  options: { port: number; method: string; path: string; headers?: Record<string, string>; body?: unknown; agent?: http.Agent | false; timeoutMs?: number },
): Promise<HttpResponse> {
  const payload = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers: Record<string, string> = { ...options.headers };
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolvePromise, reject) => {
    const req = http.request(
      { host: HOST, port: options.port, method: options.method, path: options.path, headers, agent: options.agent ?? false, timeout: options.timeoutMs ?? 30_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${options.method} ${options.path}`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export function keepAliveAgent(maxSockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'fifo' });
}

// ---------------------------------------------------------------- server process

export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePromise(port));
    });
  });
}

export function tempDataDir(prefix = 'mc-bench-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export type ServerProcess = {
  pid: number;
  port: number;
  child: ChildProcess;
  /** ms from spawn to the first 200 on /readyz. */
  readyMs: number;
  /** server CPU seconds (utime+stime) consumed by then: less sensitive to a busy machine than readyMs. */
  readyCpuS: number;
  output(): string;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
};

/** BENCH_NICE=-10 raises the scheduling priority of this client and of the servers it starts (their
 *  PIDs only; negative values need root), so a machine busy with other work distorts less. */
const NICE = process.env.BENCH_NICE ? Number(process.env.BENCH_NICE) : null;
function applyNice(pid: number): void {
  if (NICE === null || !Number.isInteger(NICE)) return;
  try {
    setPriority(pid, NICE);
  } catch (error) {
    process.stderr.write(`bench: could not set priority ${NICE} on ${pid}: ${(error as Error).message}\n`);
  }
}
applyNice(process.pid);
export const niceSetting = (): number | null => NICE;

const live = new Set<ChildProcess>();
process.on('exit', () => {
  // Only the children this harness spawned, by PID.
  for (const child of live) if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
});

/** A minimal environment: no MC_* / DATABASE_URL leaking in from the caller's shell. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return { ...env, ...extra };
}

export async function startServer(options: {
  dataDir: string;
  env?: Record<string, string>;
  nodeArgs?: string[];
  pollMs?: number;
  readyTimeoutMs?: number;
}): Promise<ServerProcess> {
  const port = await freePort();
  const env = childEnv({
    PORT: String(port),
    HOST,
    MC_DATA_DIR: options.dataDir,
    MC_ADMIN_USERNAME: ADMIN.username,
    MC_ADMIN_PASSWORD: ADMIN.password,
    // A bundle elsewhere cannot find apps/web/dist relative to itself.
    ...(process.env.BENCH_BUNDLE ? { MC_WEB_DIST: join(ROOT, 'apps', 'web', 'dist') } : {}),
    ...options.env,
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  const spawnedAt = performance.now();
  // BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=bench/results/profiles") profiles the server.
  const extraArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...extraArgs, ...(options.nodeArgs ?? []), BUNDLE], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      done({ code, signal });
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn the server');
  applyNice(pid);

  const pollMs = options.pollMs ?? 5;
  const deadline = spawnedAt + (options.readyTimeoutMs ?? 60_000);
  let readyMs = Number.NaN;
  let readyCpuS = Number.NaN;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode} before it was ready:\n${output}`);
    const res = await request({ port, method: 'GET', path: '/readyz', timeoutMs: 2_000 }).catch(() => null);
    if (res?.status === 200) {
      readyMs = performance.now() - spawnedAt;
      readyCpuS = cpuSeconds(pid);
      break;
    }
    await sleep(pollMs);
  }
  if (Number.isNaN(readyMs)) {
    process.kill(pid, 'SIGKILL');
    throw new Error(`server not ready within ${options.readyTimeoutMs ?? 60_000} ms:\n${output}`);
  }

  return {
    pid,
    port,
    child,
    readyMs,
    readyCpuS,
    output: () => output,
    async stop() {
      const started = performance.now();
      if (child.exitCode !== null) return { ...(await exited), ms: 0 };
      process.kill(pid, 'SIGTERM');
      const timeout = sleep(15_000).then(() => 'timeout' as const);
      const result = await Promise.race([exited, timeout]);
      if (result === 'timeout') {
        process.kill(pid, 'SIGKILL');
        const killed = await exited;
        return { ...killed, ms: performance.now() - started };
      }
      return { ...result, ms: performance.now() - started };
    },
  };
}

// ---------------------------------------------------------------- auth

/** POST /trpc/auth.login; returns the Cookie header value (name=value). */
export async function login(port: number, agent?: http.Agent): Promise<string> {
  const res = await request({ port, method: 'POST', path: '/trpc/auth.login', body: { username: ADMIN.username, password: ADMIN.password }, agent: agent ?? false });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.body}`);
  const setCookie = res.headers['set-cookie']?.[0] ?? '';
  const cookie = setCookie.split(';')[0] ?? '';
  if (!cookie) throw new Error('login returned no session cookie');
  return cookie;
}

/** Signs in as the seeded admin and creates an API key over HTTP (POST /trpc/apiKeys.create). */
export async function createApiKey(port: number, role: 'viewer' | 'operator' | 'admin' = 'operator'): Promise<string> {
  const cookie = await login(port);
  const res = await request({ port, method: 'POST', path: '/trpc/apiKeys.create', headers: { cookie }, body: { name: 'bench', role } });
  if (res.status !== 200) throw new Error(`apiKeys.create failed: ${res.status} ${res.body}`);
  const parsed = JSON.parse(res.body) as { result?: { data?: { secret?: unknown } } };
  const secret = parsed.result?.data?.secret;
  if (typeof secret !== 'string') throw new Error(`apiKeys.create returned no secret: ${res.body.slice(0, 200)}`);
  return secret;
}

export function isMain(url: string): boolean {
  return process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(url);
}

export function printResult(result: BenchResult): void {
  for (const m of result.metrics) {
    const value = m.value === null || Number.isNaN(m.value) ? 'n/a' : String(m.value);
    const verdict = m.pass === undefined ? '' : m.pass ? '  PASS' : '  MISS';
    process.stdout.write(`  ${m.label.padEnd(52)} ${`${value} ${m.unit}`.padEnd(16)} ${m.target ?? ''}${verdict}\n`);
  }
  for (const note of result.notes) process.stdout.write(`  note: ${note}\n`);
}
