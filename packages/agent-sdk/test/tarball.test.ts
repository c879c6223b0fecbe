// Proof from the tarball: build, `pnpm pack`, `npm install <tarball> @trpc/client` in an empty project
// (one install), typecheck a script that uses both entry points, run it against a live server,
// and check what the server recorded. Also runs the packaged mc-agent bin. Slow (build + npm install).
import { execFile } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../../api/src/router.ts';
import { CLI_SERVER } from './support/cli.ts';
import { createTempDir, type SdkTestServer, startSdkTestServer } from './support/server.ts';

const run = promisify(execFile);
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const SLOW_MS = 420_000;

let server: SdkTestServer;
let project: { dir: string; remove(): void };

const CHECK_SCRIPT = `
import { AuthenticationError, connectAgent, parseClaudeCodeStream, type UsageRecordInput } from '@mc/agent-sdk';
import { createClient, type RouterOutputs } from '@mc/agent-sdk/client';

const url = process.env.MC_URL ?? '';
const apiKey = process.env.MC_API_KEY ?? '';
const client = createClient({ url, apiKey });

// The typed client: procedures, inputs and outputs come from the server's router, bundled in the package.
const task = await client.tasks.create.mutate({ title: 'Tarball task', status: 'todo', priority: 'high' });
const taskNumber: number = task.number;

const agent = await connectAgent({ url, apiKey, name: 'tarball-agent', role: 'coder', tool: { name: 'custom-agent', version: '1.0.0' } });
await agent.setStatus('busy', 'checking the tarball');
const record: UsageRecordInput = { id: 'tarball-usage-1', model: 'claude-sonnet-4-5-20250929', inputTokens: 1000, outputTokens: 500, cacheReadTokens: 2000, cacheWriteTokens: 100 };
agent.reportUsage(record);
const usage = await agent.flush();
const claimed = await agent.nextTask();
if (claimed.task) await agent.updateTask(claimed.task.id, { status: 'review', comment: 'checked from the tarball', outcome: 'success' });

const fleet: RouterOutputs['agents']['list'] = await client.agents.list.query();
const listed = fleet.find((row) => row.name === 'tarball-agent');
let badKey = '';
try {
  await connectAgent({ url, apiKey: 'mc_revoked-or-wrong', name: 'tarball-bad-key' });
} catch (error) {
  if (error instanceof AuthenticationError) badKey = error.name;
}
await agent.close();
const parserWorks = typeof parseClaudeCodeStream().summary().lines.total === 'number';
console.log(JSON.stringify({ taskNumber, usage, claimed: claimed.reason, claimedId: claimed.task?.id, listed: listed?.status, badKey, parserWorks }));
`;

const TSCONFIG = {
  compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', outDir: 'out', types: ['node'], skipLibCheck: false },
  include: ['check.ts'],
};

beforeAll(async () => {
  project = createTempDir('mc-tarball-');
  server = await startSdkTestServer(CLI_SERVER);
  // Build into a private stage, not this package's dist/: other test runs in the same checkout may be
  // building too. The stage holds what `files` publishes; package.json loses only its build scripts.
  const stage = join(project.dir, 'stage');
  await run(process.execPath, ['--import', 'tsx', join(PACKAGE_DIR, 'scripts', 'build.ts'), '--out', join(stage, 'dist')], { cwd: PACKAGE_DIR, maxBuffer: 32 * 1024 * 1024 });
  const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as Record<string, unknown>;
  const { scripts: _scripts, devDependencies: _devDependencies, ...published } = manifest;
  writeFileSync(join(stage, 'package.json'), JSON.stringify(published, null, 2));
  copyFileSync(join(PACKAGE_DIR, 'README.md'), join(stage, 'README.md'));
  const packed = await run('pnpm', ['pack', '--pack-destination', project.dir], { cwd: stage, maxBuffer: 32 * 1024 * 1024 });
  const tarball = readdirSync(project.dir).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`pnpm pack made no tarball:\n${packed.stdout}\n${packed.stderr}`);
  writeFileSync(join(project.dir, 'package.json'), JSON.stringify({ name: 'tarball-check', private: true, type: 'module' }));
  writeFileSync(join(project.dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
  writeFileSync(join(project.dir, 'check.ts'), CHECK_SCRIPT);
  await run('npm', ['install', '--no-audit', '--no-fund', `./${tarball}`, '@trpc/client@^11.25.2', 'typescript@~5.9.3', '@types/node@^20'], {
    cwd: project.dir,
    maxBuffer: 32 * 1024 * 1024,
  });
}, SLOW_MS);

afterAll(async () => {
  await server?.close();
  project?.remove();
});

describe('the packed @mc/agent-sdk', () => {
  it('installs alone, typechecks a script using both entry points, and works against a live server', async () => {
    const typecheck = await run(process.execPath, [join(project.dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project.dir], { cwd: project.dir }).catch(
      (error: { stdout?: string }) => ({ stdout: `TYPECHECK FAILED\n${error.stdout ?? ''}`, stderr: '' }),
    );
    expect(typecheck.stdout).toBe('');

    const { stdout } = await run(process.execPath, [join(project.dir, 'out', 'check.js')], {
      cwd: project.dir,
      env: { ...process.env, MC_URL: server.url, MC_API_KEY: server.operatorKey },
    });
    const outcome = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    expect(outcome).toMatchObject({ usage: { queued: 0, recorded: 1 }, claimed: 'assigned', listed: 'busy', badKey: 'AuthenticationError', parserWorks: true });

    const agent = await server.db.prisma.agent.findUniqueOrThrow({ where: { name: 'tarball-agent' } });
    expect(agent).toMatchObject({ role: 'coder', toolName: 'custom-agent', toolVersion: '1.0.0', status: 'offline' });
    const usage = await server.db.prisma.usageRecord.findFirstOrThrow({ where: { agentId: agent.id, idempotencyKey: 'tarball-usage-1' } });
    // claude-sonnet-4-5 per token: $3 in, $15 out, $0.30 cache read, $3.75 cache write per MTok (nano-USD).
    expect(usage.costNanos).toBe(1000n * 3000n + 500n * 15000n + 2000n * 300n + 100n * 3750n);
    const task = await server.db.prisma.task.findFirstOrThrow({ where: { id: String(outcome.claimedId) } });
    expect(task).toMatchObject({ number: outcome.taskNumber, status: 'review', assigneeAgentId: agent.id });
  }, SLOW_MS);

  it('declares every procedure of the server router, with its kind', () => {
    const declaration = readFileSync(join(project.dir, 'node_modules', '@mc', 'agent-sdk', 'dist', 'client', 'app-router.d.ts'), 'utf8');
    expect(declaration).not.toMatch(/@mc\/(api|db)|\bany\b/);
    const declared: string[] = [];
    const path: string[] = [];
    for (const line of declaration.split('\n')) {
      const match = /^( +)(\w+): (\{|TRPC(Query|Mutation|Subscription)Procedure<)/.exec(line);
      if (!match) continue;
      const depth = (match[1] ?? '').length / 2 - 1;
      path.length = depth;
      if (match[3] === '{') path.push(match[2] ?? '');
      else declared.push(`${[...path, match[2]].join('.')}:${(match[4] ?? '').toLowerCase()}`);
    }
    // At runtime _def.procedures is flat: "agents.list" → procedure.
    const flat: Record<string, unknown> = appRouter._def.procedures;
    const kindOf = (procedure: unknown) => (procedure as { _def?: { type?: string } })._def?.type ?? 'unknown';
    const procedures = Object.entries(flat).map(([name, procedure]) => `${name}:${kindOf(procedure)}`);
    expect(declared.sort()).toEqual(procedures.sort());
  });

  it('ships a working mc-agent bin', async () => {
    const bin = join(project.dir, 'node_modules', '.bin', 'mc-agent');
    expect((await run(bin, ['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const wrapped = await run(bin, ['run', '--name', 'tarball-bin', '--', process.execPath, '-e', 'console.log("hello from the tool")'], {
      env: { ...process.env, MC_URL: server.url, MC_API_KEY: server.operatorKey, MC_HOME: join(project.dir, 'mc-home') },
    });
    expect(wrapped.stdout).toBe('hello from the tool\n');
    expect(await server.db.prisma.agent.findUnique({ where: { name: 'tarball-bin' } })).toMatchObject({ status: 'offline' });
  }, SLOW_MS);
});
