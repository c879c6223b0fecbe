// Task board with 5,000 tasks (issue #8 §6), against the server bundle in its own process on loopback.
//   (a) seeding: 5,000 tasks through tasks.create (16 in flight), spread over the six columns
//   (b) server-side board load: tasks.board (100 cards per column + counts + cost per card), 30 sequential
//   (c) browser load: Debian chromium opens /tasks signed in, time until every column shows its cards
//   (d) move latency: 300 sequential tasks.move calls between neighbours and across columns (p50/p99)
//   (e) queue: 200 sequential GET /api/tasks/queue claims (10 agents, capacity 20) with the board full
import { availableParallelism } from 'node:os';
import { chromium } from 'playwright-core';
import {
  ADMIN,
  type BenchResult,
  createApiKey,
  isMain,
  keepAliveAgent,
  NO_AGENT_LIMITS,
  printResult,
  request,
  round,
  startServer,
  summarize,
  tempDataDir,
} from './lib.ts';

const TASKS = 5_000;
const SEED_CONCURRENCY = 16;
const BOARD_LOADS = 30;
const BROWSER_LOADS = 5;
const MOVES = 300;
const CLAIMS = 200;
const STATUSES = ['inbox', 'backlog', 'todo', 'in_progress', 'review', 'done'] as const;
const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;

type Card = { id: string; number: number; status: string; version: number; rank: string };

export async function run(): Promise<BenchResult> {
  const data = tempDataDir();
  // Queue limit off for (e); PROTOCOL.md §8: a benchmark that raises limits says so (notes below).
  const limits = JSON.stringify({ ...JSON.parse(NO_AGENT_LIMITS), queuePerAgentPerMin: 0 });
  const server = await startServer({ dataDir: data.dir, env: { MC_RATE_LIMITS: limits } });
  const agent = keepAliveAgent(SEED_CONCURRENCY);
  const notes: string[] = [];
  try {
    const key = await createApiKey(server.port, 'admin');
    const headers = { authorization: `Bearer ${key}` };
    const mutate = async <T>(path: string, input: unknown): Promise<T> => {
      const res = await request({ port: server.port, method: 'POST', path: `/trpc/${path}`, headers, body: input, agent });
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.body.slice(0, 300)}`);
      return (JSON.parse(res.body) as { result: { data: T } }).result.data;
    };
    const query = async <T>(path: string, input: unknown): Promise<T> => {
      const res = await request({ port: server.port, method: 'GET', path: `/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, headers, agent });
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.body.slice(0, 300)}`);
      return (JSON.parse(res.body) as { result: { data: T } }).result.data;
    };

    // ---- (a) seed
    const seedStarted = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: SEED_CONCURRENCY }, async () => {
        while (next < TASKS) {
          const i = next++;
          await mutate('tasks.create', {
            title: `Bench task ${i}: refactor module ${i % 97}`,
            description: `Generated for the board benchmark.\n\n- step one\n- step two (${i})`,
            status: STATUSES[i % STATUSES.length],
            priority: PRIORITIES[i % PRIORITIES.length],
            labels: [`area-${i % 7}`, ...(i % 3 === 0 ? ['bench'] : [])],
          });
        }
      }),
    );
    const seedMs = performance.now() - seedStarted;

    // ---- (b) server-side board load
    type Board = { columns: Record<string, Card[]>; counts: Record<string, number> };
    await query<Board>('tasks.board', { perColumn: 100 }); // warm-up
    const boardSamples: number[] = [];
    let board: Board | null = null;
    for (let i = 0; i < BOARD_LOADS; i++) {
      const t0 = performance.now();
      board = await query<Board>('tasks.board', { perColumn: 100 });
      boardSamples.push(performance.now() - t0);
    }
    const totalCounted = board ? Object.values(board.counts).reduce((a, b) => a + b, 0) : 0;
    if (totalCounted !== TASKS) notes.push(`counts add up to ${totalCounted}, expected ${TASKS}`);

    // ---- (c) browser load
    const browserSamples: number[] = [];
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless=new', '--no-sandbox', '--disable-gpu'], headless: false });
    try {
      const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${server.port}/login`);
      await page.getByLabel('Username').fill(ADMIN.username);
      await page.getByLabel('Password').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      for (let i = 0; i < BROWSER_LOADS + 1; i++) {
        const t0 = performance.now();
        await page.goto(`http://127.0.0.1:${server.port}/tasks`);
        // The CSP forbids eval, so wait with locators: six columns, 600 cards (100 per column).
        await page.locator('.board-column').nth(5).waitFor({ timeout: 60_000 });
        await page.locator('.task-card').nth(599).waitFor({ timeout: 60_000 });
        if (i > 0) browserSamples.push(performance.now() - t0); // the first load fills the HTTP cache
      }
      await context.close();
    } finally {
      await browser.close();
    }

    // ---- (d) move latency
    const moveSamples: number[] = [];
    const lists: Record<'todo' | 'review', Card[]> = { todo: [...(board?.columns.todo ?? [])], review: [...(board?.columns.review ?? [])] };
    for (let i = 0; i < MOVES; i++) {
      // Alternate reorders within a column and moves across, always next to a card in the middle.
      const from = i % 2 === 0 ? 'todo' : 'review';
      const to = i % 4 < 2 ? from : from === 'todo' ? 'review' : 'todo';
      const source = lists[from];
      const card = source.splice((i * 7) % Math.max(1, source.length), 1)[0];
      if (!card) break;
      const target = lists[to];
      const middle = Math.floor(target.length / 2);
      const neighbour = target[middle];
      const t0 = performance.now();
      const moved = await mutate<Card>('tasks.move', { id: card.id, expectedVersion: card.version, status: to, afterId: neighbour?.id ?? null });
      moveSamples.push(performance.now() - t0);
      target.splice(middle + 1, 0, moved);
    }

    // ---- (e) queue claims
    const claimSamples: number[] = [];
    const agents = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const res = await request({ port: server.port, method: 'POST', path: '/api/connect', headers, body: { agent_name: `board-bench-${i}` }, agent });
        if (res.status !== 200) throw new Error(`connect: ${res.status} ${res.body}`);
        return `board-bench-${i}`;
      }),
    );
    for (let i = 0; i < CLAIMS; i++) {
      const name = agents[i % agents.length] ?? '';
      const t0 = performance.now();
      const res = await request({ port: server.port, method: 'GET', path: `/api/tasks/queue?agent=${name}&max_capacity=20`, headers, agent });
      claimSamples.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`queue: ${res.status} ${res.body}`);
    }

    const b = summarize(boardSamples);
    const br = summarize(browserSamples);
    const m = summarize(moveSamples);
    const q = summarize(claimSamples);
    return {
      name: 'tasks-board',
      metrics: [
        { key: 'tasksSeedPerSecond', label: `(a) tasks.create, ${TASKS} tasks, ${SEED_CONCURRENCY} in flight`, value: round((TASKS / seedMs) * 1000, 0), unit: '/s' },
        { key: 'tasksBoardP50Ms', label: `(b) tasks.board p50 (${TASKS} tasks, 100/column)`, value: round(b.p50, 1), unit: 'ms' },
        { key: 'tasksBoardP99Ms', label: `(b) tasks.board p99 (${BOARD_LOADS} loads)`, value: round(b.p99, 1), unit: 'ms' },
        { key: 'tasksBrowserLoadP50Ms', label: `(c) browser: /tasks to 600 cards shown, median`, value: round(br.p50, 0), unit: 'ms' },
        { key: 'tasksBrowserLoadMaxMs', label: `(c) browser: slowest of ${BROWSER_LOADS} loads`, value: round(br.max, 0), unit: 'ms' },
        { key: 'tasksMoveP50Ms', label: `(d) tasks.move p50 (${moveSamples.length} sequential)`, value: round(m.p50, 1), unit: 'ms' },
        { key: 'tasksMoveP99Ms', label: '(d) tasks.move p99', value: round(m.p99, 1), unit: 'ms' },
        { key: 'tasksClaimP50Ms', label: `(e) GET /api/tasks/queue p50 (${CLAIMS} claims)`, value: round(q.p50, 1), unit: 'ms' },
        { key: 'tasksClaimP99Ms', label: '(e) GET /api/tasks/queue p99', value: round(q.p99, 1), unit: 'ms' },
      ],
      notes: [
        ...notes,
        `server started with MC_RATE_LIMITS=${limits} (queue limit off for (e), PROTOCOL.md §8)`,
        `admin API key over loopback, one keep-alive pool; browser is Debian chromium (headless) on the same ${availableParallelism()} cores`,
      ],
    };
  } finally {
    agent.destroy();
    await server.stop();
    data.remove();
  }
}

if (isMain(import.meta.url)) printResult(await run());
