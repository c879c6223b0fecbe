// 200 sequential sign-ins (POST /trpc/auth.login) against the bundle: password verify + session row
// + audit row per request. One keep-alive connection, so the number is server time, not TCP setup.
import { type BenchResult, isMain, keepAliveAgent, login, printResult, round, startServer, summarize, tempDataDir } from './lib.ts';

const LOGINS = 200;

export async function run(): Promise<BenchResult> {
  const data = tempDataDir();
  const server = await startServer({ dataDir: data.dir }).catch((error: unknown) => {
    data.remove();
    throw error;
  });
  const agent = keepAliveAgent(1);
  const samples: number[] = [];
  let wall = 0;
  try {
    await login(server.port, agent); // warm-up, not counted
    const started = performance.now();
    for (let i = 0; i < LOGINS; i++) {
      const t0 = performance.now();
      await login(server.port, agent);
      samples.push(performance.now() - t0);
    }
    wall = performance.now() - started;
  } finally {
    agent.destroy();
    await server.stop();
    data.remove();
  }
  const s = summarize(samples);
  return {
    name: 'login',
    metrics: [
      { key: 'loginP50Ms', label: `login p50 (${LOGINS} sequential)`, value: round(s.p50, 1), unit: 'ms' },
      { key: 'loginP99Ms', label: 'login p99', value: round(s.p99, 1), unit: 'ms' },
      { key: 'loginPerSecond', label: 'logins/s (sequential)', value: round((LOGINS / wall) * 1000, 1), unit: '/s' },
    ],
    notes: [],
  };
}

if (isMain(import.meta.url)) printResult(await run());
