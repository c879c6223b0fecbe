// Runs the mc-agent CLI as users do: one bundle of src/cli/main.ts (esbuild, built once per test file),
// spawned with node, the stand-in claude/codex first on PATH, and a private MC_HOME.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { SdkTestServer } from './server.ts';

/** Wrapper runs need no fast heartbeats: the default liveness window, so a slow machine never turns an
 *  agent offline between its connect and its first beat. */
export const CLI_SERVER = { env: { MC_AGENT_OFFLINE_AFTER_S: '90' } };

export const STANDIN_BIN = fileURLToPath(new URL('../bin/', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/telemetry/', import.meta.url));

export async function bundleCli(): Promise<string> {
  const outfile = join(mkdtempSync(join(tmpdir(), 'mc-cli-')), 'mc-agent.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

export type CliResult = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };
export type CliRun = { child: ChildProcess; result: Promise<CliResult> };

export function startCli(cli: string, args: string[], env: Record<string, string | undefined>, options: { stdin?: 'pipe' | 'ignore' } = {}): CliRun {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { PATH: `${STANDIN_BIN}:${process.env.PATH ?? ''}`, HOME: env.MC_HOME ?? tmpdir(), ...env },
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const result = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, result };
}

export function runCli(cli: string, args: string[], env: Record<string, string | undefined>, stdinText?: string): Promise<CliResult> {
  const run = startCli(cli, args, env, { stdin: stdinText === undefined ? 'ignore' : 'pipe' });
  if (stdinText !== undefined) run.child.stdin?.end(stdinText);
  return run.result;
}

/** The environment of a reporting run against `server` as agent `name`. The delivery budgets are the
 *  maxima: they end as soon as the usage is delivered, and a loaded test machine can be slow. */
export function reportingEnv(server: Pick<SdkTestServer, 'url' | 'operatorKey'>, name: string, home: string): Record<string, string> {
  return { MC_URL: server.url, MC_API_KEY: server.operatorKey, MC_AGENT_NAME: name, MC_HOME: home, MC_FLUSH_TIMEOUT_MS: '20000', MC_HOOK_TIMEOUT_MS: '9000' };
}

export type ExpectedCase = {
  records: Array<{ id: string; model: string; inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheWriteTokens: number; billing: string }>;
  costs: Array<{ id: string; costNanos: number | null }>;
};

export function readExpected(fixture: string): ExpectedCase {
  return JSON.parse(readFileSync(join(FIXTURES, fixture, 'expected.json'), 'utf8')) as ExpectedCase;
}

export function readFixtureInput(fixture: string): string {
  return readFileSync(join(FIXTURES, fixture, 'input.jsonl'), 'utf8');
}

/** The stored rows in the fixture's terms, sorted by id: what the server recorded and priced. */
export function asRecorded(rows: Array<{ idempotencyKey: string; model: string; inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheWriteTokens: number; billing: string; costNanos: bigint | null }>) {
  return rows
    .map((row) => ({
      id: row.idempotencyKey, model: row.model, inputTokens: row.inputTokens, outputTokens: row.outputTokens, cacheReadTokens: row.cacheReadTokens,
      cacheWriteTokens: row.cacheWriteTokens, billing: row.billing, costNanos: row.costNanos === null ? null : Number(row.costNanos),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** The fixture's expected records with their expected cost, in the same terms. */
export function expectedRecorded(fixture: string) {
  const expected = readExpected(fixture);
  const costs = new Map(expected.costs.map((cost) => [cost.id, cost.costNanos]));
  return expected.records
    .map((record) => ({
      id: record.id, model: record.model, inputTokens: record.inputTokens, outputTokens: record.outputTokens, cacheReadTokens: record.cacheReadTokens,
      cacheWriteTokens: record.cacheWriteTokens, billing: record.billing, costNanos: costs.get(record.id) ?? null,
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}
