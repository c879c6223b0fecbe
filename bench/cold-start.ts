// Cold start of the server bundle: spawn → first 200 on /readyz (polled every 5 ms), 5 starts on one
// data dir (the first one empty, so it includes migrations and admin seeding), then idle RSS.
import { type BenchResult, isMain, printResult, round, rssMb, sleep, startServer, summarize, tempDataDir } from './lib.ts';

const STARTS = 5;
const IDLE_MS = 3_000;

export async function run(): Promise<BenchResult> {
  const data = tempDataDir();
  const times: number[] = [];
  const cpuMs: number[] = [];
  const stops: number[] = [];
  let idleRss = Number.NaN;
  try {
    for (let i = 0; i < STARTS; i++) {
      const server = await startServer({ dataDir: data.dir, pollMs: 5 });
      times.push(server.readyMs);
      cpuMs.push(server.readyCpuS * 1000);
      if (i === STARTS - 1) {
        await sleep(IDLE_MS);
        idleRss = rssMb(server.pid);
      }
      const stopped = await server.stop();
      stops.push(stopped.ms);
      if (stopped.code !== 0) throw new Error(`server exited with ${stopped.code ?? stopped.signal} on SIGTERM:\n${server.output()}`);
    }
  } finally {
    data.remove();
  }
  const [first = Number.NaN, ...warm] = times;
  const all = summarize(times);
  const warmStats = summarize(warm);
  return {
    name: 'cold-start',
    metrics: [
      { key: 'coldStartFirstMs', label: 'first start, empty data dir (migrations)', value: round(first, 0), unit: 'ms', target: '< 1500 ms', pass: first < 1500 },
      { key: 'coldStartWarmMedianMs', label: `warm start median (${warm.length} starts)`, value: round(warmStats.p50, 0), unit: 'ms' },
      { key: 'coldStartMedianMs', label: `start median (all ${times.length})`, value: round(all.p50, 0), unit: 'ms', target: '< 1500 ms', pass: all.p50 < 1500 },
      { key: 'coldStartMaxMs', label: `start max (all ${times.length})`, value: round(all.max, 0), unit: 'ms', target: '< 1500 ms', pass: all.max < 1500 },
      { key: 'coldStartCpuFirstMs', label: 'server CPU time until ready, first start', value: round(cpuMs[0] ?? Number.NaN, 0), unit: 'ms' },
      { key: 'coldStartCpuWarmMedianMs', label: 'server CPU time until ready, warm median', value: round(summarize(cpuMs.slice(1)).p50, 0), unit: 'ms' },
      { key: 'idleRssMb', label: `idle RSS (ready + ${IDLE_MS / 1000} s)`, value: round(idleRss, 1), unit: 'MB', target: '< 120 MB', pass: idleRss < 120 },
    ],
    notes: [`all starts (ms): ${times.map((t) => Math.round(t)).join(', ')}; CPU until ready (ms): ${cpuMs.map((t) => Math.round(t)).join(', ')}; SIGTERM → exit (ms): ${stops.map((t) => Math.round(t)).join(', ')}`],
  };
}

if (isMain(import.meta.url)) printResult(await run());
