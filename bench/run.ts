// `pnpm bench`: runs the benchmarks in sequence, prints a summary table and writes
// bench/results/latest.json. Numbers, not a test: a missed target never fails the run; a benchmark that
// cannot run at all (e.g. the server does not start) is reported and makes the exit code 1.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import * as bundleSize from './bundle-size.ts';
import * as coldStart from './cold-start.ts';
import * as costs from './costs.ts';
import * as fleet from './fleet.ts';
import * as gateways from './gateways.ts';
import { type BenchResult, loadAverage, type Metric, niceSetting, printResult, ROOT } from './lib.ts';
import * as login from './login.ts';
import * as tasksBoard from './tasks-board.ts';
import * as webhooks from './webhooks.ts';

const HARD_LIMIT_MS = 15 * 60_000;
const benches: Array<{ name: string; run(): Promise<BenchResult> }> = [
  { name: 'bundle-size', run: bundleSize.run },
  { name: 'cold-start', run: coldStart.run },
  { name: 'login', run: login.run },
  { name: 'fleet', run: fleet.run },
  { name: 'tasks-board', run: tasksBoard.run },
  { name: 'gateways', run: gateways.run },
  { name: 'webhooks', run: webhooks.run },
  { name: 'costs', run: costs.run },
];

// Stops by itself whatever happens; children are killed by lib.ts's exit hook (by PID).
setTimeout(() => {
  process.stderr.write(`bench: hard limit of ${HARD_LIMIT_MS / 60_000} min reached, stopping\n`);
  process.exit(2);
}, HARD_LIMIT_MS).unref();

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

const only = process.argv.slice(2);
const selected = only.length ? benches.filter((b) => only.includes(b.name)) : benches;
const startedAt = new Date();
const loadBefore = loadAverage();
const machine = { node: process.version, cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown', memGb: Math.round(totalmem() / 2 ** 30), nice: niceSetting() };
process.stdout.write(`Mission Control benchmarks — ${startedAt.toISOString()} — node ${machine.node}, ${machine.cpus} cores (${machine.cpuModel})\n`);
if (machine.nice !== null) process.stdout.write(`BENCH_NICE=${machine.nice}: client and servers run at that scheduling priority\n`);
process.stdout.write(`load average before: ${loadBefore}${Number(loadBefore.split(' ')[0]) > 1 ? '  (the machine is busy: numbers will be pessimistic)' : ''}\n`);

const results: Array<BenchResult | { name: string; error: string }> = [];
for (const bench of selected) {
  process.stdout.write(`\n== ${bench.name} (load ${loadAverage()})\n`);
  const started = performance.now();
  try {
    const result = await bench.run();
    results.push(result);
    printResult(result);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    results.push({ name: bench.name, error: message });
    process.stdout.write(`  FAILED TO RUN: ${message}\n`);
    process.exitCode = 1;
  }
  process.stdout.write(`  (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
}

const loadAfter = loadAverage();
process.stdout.write(`\n== summary (load average after: ${loadAfter})\n`);
const rows: string[][] = [['benchmark', 'metric', 'value', 'target', '']];
for (const result of results) {
  if ('error' in result) {
    rows.push([result.name, 'FAILED TO RUN', '', '', '']);
    continue;
  }
  for (const m of result.metrics.filter((metric: Metric) => metric.target !== undefined)) {
    const value = m.value === null || Number.isNaN(m.value) ? 'n/a' : `${m.value} ${m.unit}`;
    rows.push([result.name, m.label, value, m.target ?? '', m.pass ? 'PASS' : 'MISS']);
  }
}
const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length))) ?? [];
for (const [i, row] of rows.entries()) {
  process.stdout.write(`${row.map((cell, col) => cell.padEnd(widths[col] ?? 0)).join('  ')}\n`);
  if (i === 0) process.stdout.write(`${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
}

const dir = join(ROOT, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, 'latest.json');
writeFileSync(file, `${JSON.stringify({ startedAt: startedAt.toISOString(), commit: gitCommit(), machine, loadBefore, loadAfter, results }, null, 2)}\n`);
process.stdout.write(`\nwrote ${file}\n`);
