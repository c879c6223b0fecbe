// A simulated fleet over real HTTP on loopback (issue "Agents" §6). The server is the bundle in its own
// process, started with the per-agent rate limits off (MC_RATE_LIMITS, PROTOCOL.md §8). 1,000 agents
// connect with an operator user key; every heartbeat carries one usage record with a unique id.
//   (a) closed loop: 64 requests in flight for 10 s → sustained heartbeats/s
//   (b) open loop: 1,000 beats/s on a fixed schedule for 10 s → latency from the *scheduled* send time
//   (c) server CPU (utime+stime from /proc) and RSS during (a) and (b); client CPU beside it
//   (d) fan-out: 50 SSE subscribers on GET /api/events, time from sending a tagged heartbeat to each
//       subscriber receiving that agent's agent.updated event
// Heartbeats go through raw-http.ts (a lean keep-alive client, as wrk), so the load generator takes less
// of the 2 cores the server is measured on.
import http from 'node:http';
import { availableParallelism } from 'node:os';
import {
  type BenchResult,
  ClientCpuMeter,
  CpuMeter,
  createApiKey,
  HOST,
  isMain,
  keepAliveAgent,
  MachineCpuMeter,
  NO_AGENT_LIMITS,
  printResult,
  request,
  round,
  sampleRss,
  sleep,
  startServer,
  summarize,
  tempDataDir,
} from './lib.ts';
import { createRawHttpPool } from './raw-http.ts';

type RawHttpPool = ReturnType<typeof createRawHttpPool>;

/** The WAL checkpointer's counters from /metrics. */
async function walStats(port: number): Promise<{ rewinds: number; holdMaxMs: number }> {
  const text = (await request({ port, method: 'GET', path: '/metrics' })).body;
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { rewinds: read('mc_sqlite_wal_rewinds'), holdMaxMs: read('mc_sqlite_wal_hold_max_ms') };
}

const AGENTS = 1_000;
const CONNECT_CONCURRENCY = 16;
const CLOSED_CONCURRENCY = 64;
const WARMUP_MS = 2_000;
const PHASE_MS = 10_000;
const OPEN_RATE = 1_000; // beats/s
const SUBSCRIBERS = 50;
const FANOUT_BEATS = 300;
const FANOUT_RATE = 100; // beats/s
const FANOUT_DRAIN_MS = 5_000;
const MAX_BACKLOG = 2_000; // open loop: stop scheduling when this many requests are outstanding

type FleetAgent = { name: string; id: string; connectionId: string };
type BeatOutcome = { status: number; body: string };

export async function run(): Promise<BenchResult> {
  const data = tempDataDir();
  const server = await startServer({ dataDir: data.dir, env: { MC_RATE_LIMITS: NO_AGENT_LIMITS } }).catch((error: unknown) => {
    data.remove();
    throw error;
  });
  const runId = Date.now().toString(36);
  let seq = 0;
  const errors = new Map<string, number>();
  const countError = (what: string) => {
    const kind = what.replace(/\/api\/agents\/[^/]+\//, '/api/agents/<name>/');
    errors.set(kind, (errors.get(kind) ?? 0) + 1);
  };
  const failed = (error: unknown) => {
    countError(error instanceof Error ? error.message : String(error));
    return null;
  };
  const rss = sampleRss(server.pid, 250);
  const connectAgent = keepAliveAgent(CONNECT_CONCURRENCY);
  const closedPool = createRawHttpPool(server.port, CLOSED_CONCURRENCY);
  const openPool = createRawHttpPool(server.port, 256);
  // (d) gets its own pool: sockets left idle while the streams connect may have hit the server's keep-alive timeout.
  const fanoutPool = createRawHttpPool(server.port, 16);
  const subscribers: http.ClientRequest[] = [];
  try {
    const key = await createApiKey(server.port, 'operator');
    const auth = { authorization: `Bearer ${key}` };

    // ---- connect the fleet
    const fleet: FleetAgent[] = [];
    const connectStarted = performance.now();
    let nextConnect = 0;
    await Promise.all(
      Array.from({ length: CONNECT_CONCURRENCY }, async () => {
        while (nextConnect < AGENTS) {
          const name = `bench-${String(nextConnect++).padStart(4, '0')}`;
          const res = await request({ port: server.port, method: 'POST', path: '/api/connect', headers: auth, body: { agent_name: name, tool_name: 'claude-code' }, agent: connectAgent });
          if (res.status !== 200) throw new Error(`connect ${name}: ${res.status} ${res.body}`);
          const body = JSON.parse(res.body) as { agent_id: string; connection_id: string };
          fleet.push({ name, id: body.agent_id, connectionId: body.connection_id });
        }
      }),
    );
    const connectMs = performance.now() - connectStarted;

    const beat = (agent: FleetAgent, pool: RawHttpPool, activity?: string): Promise<BeatOutcome> =>
      pool.request('POST', `/api/agents/${agent.name}/heartbeat`, auth, JSON.stringify({
        connection_id: agent.connectionId,
        status: 'busy',
        ...(activity ? { activity } : {}),
        token_usage: { id: `${runId}-${seq++}`, model: 'claude-sonnet-4-5', inputTokens: 1000, outputTokens: 200, cacheReadTokens: 5000 },
      }));
    const check = (outcome: BeatOutcome | null, sample: boolean) => {
      if (!outcome) return false;
      if (outcome.status !== 200) {
        countError(`HTTP ${outcome.status}`);
        return false;
      }
      if (sample) {
        const body = JSON.parse(outcome.body) as { token_recorded?: number };
        if (body.token_recorded !== 1) countError('token_recorded != 1');
      }
      return true;
    };
    const pick = (i: number): FleetAgent => fleet[i % fleet.length] as FleetAgent;

    // ---- (a) closed loop, max concurrency
    let cursor = 0;
    let measuring = false;
    let okBeats = 0;
    let closedLatencies: number[] = [];
    const runClosed = async (ms: number) => {
      const end = performance.now() + ms;
      await Promise.all(
        Array.from({ length: CLOSED_CONCURRENCY }, async () => {
          while (performance.now() < end) {
            const i = cursor++;
            const t0 = performance.now();
            const outcome = await beat(pick(i), closedPool).catch(failed);
            if (check(outcome, i % 500 === 0) && measuring) {
              okBeats++;
              closedLatencies.push(performance.now() - t0);
            }
          }
        }),
      );
    };
    await runClosed(WARMUP_MS);
    measuring = true;
    const closedCpu = new CpuMeter(server.pid);
    const closedClientCpu = new ClientCpuMeter();
    const closedMachine = new MachineCpuMeter();
    const closedStart = performance.now();
    await runClosed(PHASE_MS);
    const closedWall = (performance.now() - closedStart) / 1000;
    const closedServerCores = closedCpu.cores();
    const closedClientCores = closedClientCpu.cores();
    const closedOthers = closedMachine.read().busy - closedServerCores - closedClientCores;
    const closedStats = summarize(closedLatencies);
    closedLatencies = [];
    const closedRate = okBeats / closedWall;

    await sleep(500);

    // ---- (b) open loop at a fixed rate: latency measured from the scheduled send time
    const total = Math.round((OPEN_RATE * PHASE_MS) / 1000);
    const fromSchedule: number[] = [];
    const service: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let openOk = 0;
    const pending: Promise<void>[] = [];
    const walBefore = await walStats(server.port);
    const openCpu = new CpuMeter(server.pid);
    const openClientCpu = new ClientCpuMeter();
    const openMachine = new MachineCpuMeter();
    const t0 = performance.now() + 5;
    let sent = 0;
    let abandonedAt: number | null = null;
    while (sent < total) {
      const now = performance.now();
      // Bounded: a server that cannot keep up would otherwise build an unbounded backlog.
      if (inFlight > MAX_BACKLOG) {
        abandonedAt = now - t0;
        break;
      }
      while (sent < total && t0 + (sent * 1000) / OPEN_RATE <= now) {
        const scheduled = t0 + (sent * 1000) / OPEN_RATE;
        const i = cursor++;
        const sample = sent % 500 === 0;
        sent++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const actual = performance.now();
        pending.push(
          beat(pick(i), openPool)
            .catch(failed)
            .then((outcome) => {
              inFlight--;
              const done = performance.now();
              // A failed request (timeout, reset, non-200) still counts, at the time it failed: not flattering p99.
              fromSchedule.push(done - scheduled);
              service.push(done - actual);
              if (check(outcome, sample)) openOk++;
            }),
        );
      }
      await sleep(1);
    }
    await Promise.all(pending);
    const openWall = (performance.now() - t0) / 1000;
    const openServerCores = openCpu.cores();
    const openClientCores = openClientCpu.cores();
    const openOthers = openMachine.read().busy - openServerCores - openClientCores;
    const openStats = summarize(fromSchedule);
    const walAfter = await walStats(server.port);
    const serviceStats = summarize(service);
    const rssDuringLoad = rss.stop();
    closedPool.destroy();
    openPool.destroy();

    await sleep(500);

    // ---- (d) fan-out to SSE subscribers
    const waiting = new Map<string, number>(); // `${agentId}|${activity}` → sent at
    const fanout: number[] = [];
    let connected = 0;
    const streamsReady = new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`only ${connected}/${SUBSCRIBERS} event streams connected`)), 10_000);
      for (let s = 0; s < SUBSCRIBERS; s++) {
        const req = http.request({ host: HOST, port: server.port, method: 'GET', path: '/api/events', headers: { ...auth, accept: 'text/event-stream' }, agent: false }, (res) => {
          if (res.statusCode !== 200) {
            fail(new Error(`GET /api/events: ${res.statusCode}`));
            return;
          }
          let buffer = '';
          let first = true;
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            const at = performance.now();
            if (first) {
              first = false;
              if (++connected === SUBSCRIBERS) {
                clearTimeout(timer);
                ready();
              }
            }
            buffer += chunk;
            let end = buffer.indexOf('\n\n');
            while (end !== -1) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              end = buffer.indexOf('\n\n');
              if (!block.includes('event: agent.updated')) continue;
              const line = block.split('\n').find((l) => l.startsWith('data: '));
              if (!line) continue;
              const event = JSON.parse(line.slice(6)) as { payload?: { agentId?: string; agent?: { activity?: string | null } } };
              const sentAt = waiting.get(`${event.payload?.agentId ?? ''}|${event.payload?.agent?.activity ?? ''}`);
              if (sentAt !== undefined) fanout.push(at - sentAt);
            }
          });
          res.on('error', () => undefined);
        });
        req.on('error', () => undefined);
        req.end();
        subscribers.push(req);
      }
    });
    await streamsReady;
    await sleep(200);
    const fanoutCpu = new CpuMeter(server.pid);
    const fanoutWallStart = performance.now();
    const fanoutSends: Promise<void>[] = [];
    const f0 = performance.now() + 5;
    let fanoutSent = 0;
    while (fanoutSent < FANOUT_BEATS) {
      const now = performance.now();
      while (fanoutSent < FANOUT_BEATS && f0 + (fanoutSent * 1000) / FANOUT_RATE <= now) {
        const agent = pick(cursor++);
        const activity = `fanout ${runId} ${fanoutSent++}`;
        waiting.set(`${agent.id}|${activity}`, performance.now());
        fanoutSends.push(
          beat(agent, fanoutPool, activity).then(
            (outcome) => void check(outcome, false),
            (error: unknown) => void countError(error instanceof Error ? error.message : String(error)),
          ),
        );
      }
      await sleep(1);
    }
    await Promise.all(fanoutSends);
    const expected = FANOUT_BEATS * SUBSCRIBERS;
    const drainEnd = performance.now() + FANOUT_DRAIN_MS;
    while (fanout.length < expected && performance.now() < drainEnd) await sleep(20);
    const fanoutCpuMsPerBeat = (fanoutCpu.cores() * (performance.now() - fanoutWallStart)) / FANOUT_BEATS;
    const fanoutStats = summarize(fanout);
    const missing = expected - fanout.length;

    const errorText = [...errors].map(([what, n]) => `${what} ×${n}`).join(', ');
    return {
      name: 'fleet',
      metrics: [
        { key: 'fleetConnectPerSecond', label: `connect ${AGENTS} agents (${CONNECT_CONCURRENCY} in flight)`, value: round((AGENTS / connectMs) * 1000, 0), unit: '/s' },
        { key: 'fleetSustainedBeatsPerSecond', label: `(a) sustained beats/s, ${CLOSED_CONCURRENCY} in flight, ${PHASE_MS / 1000} s`, value: round(closedRate, 0), unit: '/s', target: '≥ 3000/s', pass: closedRate >= 3000 },
        { key: 'fleetClosedP50Ms', label: '(a) latency p50 at max concurrency', value: round(closedStats.p50, 1), unit: 'ms' },
        { key: 'fleetClosedP99Ms', label: '(a) latency p99 at max concurrency', value: round(closedStats.p99, 1), unit: 'ms' },
        { key: 'fleetServerCpuClosed', label: '(c) server CPU during (a)', value: round(closedServerCores * 100, 0), unit: '% core' },
        { key: 'fleetServerCpuMsPerBeat', label: '(c) server CPU time per heartbeat during (a)', value: round((closedServerCores * 1000) / closedRate, 2), unit: 'ms' },
        { key: 'fleetClientCpuClosed', label: '(c) client CPU during (a)', value: round(closedClientCores * 100, 0), unit: '% core' },
        { key: 'fleetOtherCpuClosed', label: '(c) other processes on the machine during (a)', value: round(Math.max(0, closedOthers) * 100, 0), unit: '% core' },
        { key: 'fleetOpenAchievedPerSecond', label: `(b) completed rate (scheduled ${OPEN_RATE}/s)`, value: round(openOk / openWall, 0), unit: '/s' },
        { key: 'fleetOpenP50Ms', label: `(b) p50 at ${OPEN_RATE}/s (from scheduled send)`, value: round(openStats.p50, 1), unit: 'ms' },
        { key: 'fleetOpenP99Ms', label: `(b) p99 at ${OPEN_RATE}/s (from scheduled send)`, value: round(openStats.p99, 1), unit: 'ms', target: '< 20 ms', pass: openStats.p99 < 20 },
        { key: 'fleetOpenServiceP99Ms', label: '(b) p99 from actual send', value: round(serviceStats.p99, 1), unit: 'ms' },
        { key: 'fleetOpenMaxInFlight', label: '(b) max requests in flight', value: maxInFlight, unit: '' },
        { key: 'fleetOpenWalRewinds', label: '(b) WAL rewinds (writes held for a checkpoint)', value: walAfter.rewinds - walBefore.rewinds, unit: '' },
        { key: 'fleetWalHoldMaxMs', label: '(b) longest write hold since start', value: walAfter.holdMaxMs, unit: 'ms' },
        { key: 'fleetServerCpuOpen', label: '(c) server CPU during (b)', value: round(openServerCores * 100, 0), unit: '% core' },
        { key: 'fleetClientCpuOpen', label: '(c) client CPU during (b)', value: round(openClientCores * 100, 0), unit: '% core' },
        { key: 'fleetOtherCpuOpen', label: '(c) other processes on the machine during (b)', value: round(Math.max(0, openOthers) * 100, 0), unit: '% core' },
        { key: 'fleetServerRssMaxMb', label: '(c) server RSS max during (a)+(b)', value: round(rssDuringLoad.maxMb, 1), unit: 'MB' },
        { key: 'fleetFanoutP50Ms', label: `(d) fan-out p50, ${SUBSCRIBERS} SSE subscribers`, value: round(fanoutStats.p50, 1), unit: 'ms' },
        { key: 'fleetFanoutP99Ms', label: `(d) fan-out p99 (${FANOUT_BEATS} beats at ${FANOUT_RATE}/s)`, value: round(fanoutStats.p99, 1), unit: 'ms', target: '< 50 ms', pass: fanoutStats.p99 < 50 },
        { key: 'fleetFanoutCpuMsPerBeat', label: `(d) server CPU time per beat with ${SUBSCRIBERS} subscribers`, value: round(fanoutCpuMsPerBeat, 2), unit: 'ms' },
        { key: 'fleetFanoutMissing', label: '(d) deliveries missing after 5 s', value: missing, unit: `of ${expected}` },
        { key: 'fleetErrors', label: 'failed requests (all phases)', value: [...errors.values()].reduce((a, b) => a + b, 0), unit: '' },
      ],
      notes: [
        `server started with MC_RATE_LIMITS=${NO_AGENT_LIMITS} (per-agent heartbeat/connect and per-key token limits off, PROTOCOL.md §8)`,
        `each heartbeat: POST /api/agents/<name>/heartbeat {connection_id, status:'busy', token_usage:{one record, unique id}} with an operator user key; client on the same ${availableParallelism()} cores over loopback`,
        ...(abandonedAt !== null
          ? [`(b) stopped scheduling after ${round(abandonedAt / 1000, 1)} s: more than ${MAX_BACKLOG} requests outstanding (the server cannot sustain ${OPEN_RATE}/s); sent ${sent} of ${total}`]
          : []),
        ...(errorText ? [`errors: ${errorText}`] : []),
      ],
    };
  } finally {
    rss.stop();
    for (const req of subscribers) req.destroy();
    connectAgent.destroy();
    closedPool.destroy();
    openPool.destroy();
    fanoutPool.destroy();
    await server.stop();
    data.remove();
  }
}

if (isMain(import.meta.url)) printResult(await run());
