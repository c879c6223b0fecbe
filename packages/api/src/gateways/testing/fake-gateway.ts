// A fake OpenClaw gateway (protocol 4) on `ws`, 127.0.0.1, built from the captured fixtures and
// GATEWAY.md §13. For tests only: one process, in-memory state, fault knobs; not a protocol oracle.
import { randomUUID } from 'node:crypto';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../protocol/frames.ts';
import { evaluateConnect } from './fake-gateway-connect.ts';
import { asJsonObject, type JsonObject, loadFakeGatewayFixtures } from './fake-gateway-fixtures.ts';
import { createMethodTable, type FakeConnectionSubscriptions, type FakeMethod, hasScope, missingScopeError, validateRequest } from './fake-gateway-methods.ts';
import { createPairingRegistry, type PendingPairing } from './fake-gateway-pairing.ts';
import { createChatRuns, createCronJobs } from './fake-gateway-runs.ts';
import { FakeMethodError } from './fake-method-error.ts';

export type FakeGatewayOptions = {
  /** shared token; null = the gateway checks none. Default 'fake-gateway-token' */
  token?: string | null;
  password?: string | null;
  /** hello-ok.policy.tickIntervalMs and the tick timer; tests use 50–200 ms. Default 30000 */
  tickIntervalMs?: number;
  /** hello-ok.policy.maxPayload. Default 25 MiB */
  maxPayload?: number;
  /** behave like a remote gateway: signed devices need explicit approval */
  pairingRequired?: boolean;
  /** answer the first N connects with UNAVAILABLE + close 1013 ("gateway starting") */
  startingAttempts?: number;
  /** spacing of replayed run frames (chat.send, cron.run). Default 0 */
  runFrameDelayMs?: number;
  /** edit each hello-ok payload before it is sent (unknown keys, odd values) */
  mutateHello?: (payload: JsonObject) => void;
  port?: number;
};

export type FakeConnectRecord = {
  connectionId: string;
  /** the Origin header of the upgrade, if any */
  origin: string | undefined;
  challengeTs: number;
  params: JsonObject;
  /** 'hello-ok' or the errors.json connect.* name answered */
  outcome: string;
  authMethod: string | null;
};

export type FakeGateway = {
  readonly url: string;
  readonly port: number;
  /** open sockets, handshaking or ready */
  readonly connections: number;
  readonly readyConnections: number;
  /** every connect request seen, oldest first */
  readonly connects: readonly FakeConnectRecord[];
  /** close codes the clients sent (e.g. 4000 after a tick timeout) */
  readonly clientCloseCodes: readonly number[];
  readonly requests: readonly { method: string; params: unknown }[];
  close(): Promise<void>;
  /** shutdown event + close 1012 to everyone, stop listening, listen again on the same port */
  restart(options?: { startingAttempts?: number }): Promise<void>;
  /** shutdown event + close 1012, keep listening */
  shutdown(): void;
  approvePairing(requestId?: string): { requestId: string; deviceId: string; deviceToken: string | null };
  pendingPairing(): PendingPairing[];
  setPairingRequired(required: boolean): void;
  revokeDeviceToken(deviceId: string): void;
  /** broadcast an event with per-connection seq, honouring subscription and scope gating (§8.1) */
  emit(event: string, payload: unknown, options?: { stateVersion?: { presence: number; health: number } }): void;
  setMethod(name: string, method: FakeMethod): void;
  // ---- knobs ----
  setStartingAttempts(count: number): void;
  /** answer the next `times` connects with errors.json connect.<name> and its close code */
  rejectNextConnects(errorName: string, times?: number): void;
  /** current connections get no more frames (ticks, responses, events); new ones are normal */
  goSilent(): void;
  /** the next call of `method` kills the socket (no close frame) instead of answering */
  dropOnCall(method: string): void;
  /** delay responses (all, or one method) by `ms`; pass 0 to clear */
  setResponseDelay(ms: number, method?: string): void;
  /** add a padding field of `bytes` to the next challenge (pre-hello size limit tests) */
  padNextChallenge(bytes: number): void;
  sendOversizedFrame(bytes: number): void;
  /** raw text to every ready connection (malformed frames) */
  sendRaw(text: string): void;
  /** skip `count` seq numbers on the next event of every connection (gap tests) */
  skipNextSeq(count?: number): void;
  /** close every connection with `code` (4001 auth changed, 1008 slow consumer, …) */
  closeAll(code: number, reason: string): void;
  setUsageRefreshing(refreshing: boolean): void;
};

type Connection = {
  id: string;
  ws: WebSocket;
  origin: string | undefined;
  nonce: string;
  challengeTs: number;
  ready: boolean;
  silent: boolean;
  scopes: string[];
  seq: number;
  pendingSeqSkip: number;
  subscriptions: FakeConnectionSubscriptions;
  tickTimer: ReturnType<typeof setInterval> | null;
};

export async function startFakeGateway(options: FakeGatewayOptions = {}): Promise<FakeGateway> {
  const fixtures = loadFakeGatewayFixtures();
  const config = { token: options.token === undefined ? 'fake-gateway-token' : options.token, password: options.password ?? null, pairingRequired: options.pairingRequired ?? false };
  const tickIntervalMs = options.tickIntervalMs ?? 30_000;
  const now = () => Date.now();
  const registry = createPairingRegistry(now);
  const connections = new Set<Connection>();
  const connects: FakeConnectRecord[] = [];
  const clientCloseCodes: number[] = [];
  const requests: { method: string; params: unknown }[] = [];
  const knobs = {
    startingAttempts: options.startingAttempts ?? 0,
    rejections: [] as string[],
    dropMethods: new Set<string>(),
    delays: new Map<string, number>(),
    challengePadding: 0,
    usageRefreshing: false,
  };
  let bootId = randomUUID();
  let server: WebSocketServer | null = null;
  let port = options.port ?? 0;

  const chat = createChatRuns({ fixtures, broadcast: emit, frameDelayMs: () => options.runFrameDelayMs ?? 0 });
  const cron = createCronJobs({ fixtures, broadcast: emit, frameDelayMs: () => options.runFrameDelayMs ?? 0, now });
  const methods = createMethodTable({ fixtures, chat, cron, usageRefreshing: () => knobs.usageRefreshing, approvePairing: (requestId) => approveAndAnnounce(requestId) });

  function send(connection: Connection, frame: unknown): void {
    if (connection.silent || connection.ws.readyState !== connection.ws.OPEN) return;
    connection.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  function sendEvent(connection: Connection, event: string, payload: unknown, extra: JsonObject = {}): void {
    connection.seq += 1 + connection.pendingSeqSkip;
    connection.pendingSeqSkip = 0;
    send(connection, { type: 'event', event, payload, seq: connection.seq, ...extra });
  }

  /** §8.1 delivery rules. */
  function receives(connection: Connection, event: string, payload: unknown): boolean {
    const sessionKey = asJsonObject(payload).sessionKey;
    if (event === 'sessions.changed') return connection.subscriptions.sessions || sessionKey === undefined;
    if (event === 'session.message' || event === 'session.operation') return typeof sessionKey === 'string' && connection.subscriptions.messageKeys.has(sessionKey);
    if (event.startsWith('device.pair.') || event.startsWith('node.pair.')) return hasScope(connection.scopes, 'operator.pairing');
    if (['agent', 'chat', 'chat.metadata.changed', 'presence', 'cron', 'task', 'config.changed'].includes(event) || event.startsWith('node.')) {
      return hasScope(connection.scopes, 'operator.read');
    }
    return true;
  }

  function emit(event: string, payload: unknown, emitOptions: { stateVersion?: { presence: number; health: number } } = {}): void {
    const extra = emitOptions.stateVersion ? { stateVersion: emitOptions.stateVersion } : {};
    for (const connection of connections) {
      if (connection.ready && receives(connection, event, payload)) sendEvent(connection, event, payload, extra);
    }
  }

  function approveAndAnnounce(requestId?: string) {
    const approved = registry.approve(requestId);
    if (approved === null) throw new FakeMethodError({ code: 'INVALID_REQUEST', message: `unknown requestId: ${requestId ?? '(latest)'}`, details: { code: 'PAIRING_REQUEST_NOT_FOUND' } });
    emit('device.pair.resolved', { requestId: approved.request.requestId, deviceId: approved.device.deviceId, decision: 'approved', ts: now() });
    return { requestId: approved.request.requestId, device: { ...approved.request, approvedVia: 'owner', scopes: approved.device.scopes } };
  }

  function onConnection(ws: WebSocket, origin: string | undefined): void {
    const connection: Connection = {
      id: randomUUID(), ws, origin, nonce: randomUUID(), challengeTs: now(), ready: false, silent: false, scopes: [], seq: 0, pendingSeqSkip: 0,
      subscriptions: { sessions: false, messageKeys: new Set() }, tickTimer: null,
    };
    connections.add(connection);
    ws.on('error', () => undefined); // a client vanishing mid-frame must not crash the test process
    ws.on('close', (code: number) => {
      clientCloseCodes.push(code);
      if (connection.tickTimer !== null) clearInterval(connection.tickTimer);
      connections.delete(connection);
    });
    ws.on('message', (data: RawData) => onMessage(connection, data));
    const padding = knobs.challengePadding > 0 ? { padding: 'x'.repeat(knobs.challengePadding) } : {};
    knobs.challengePadding = 0;
    // §3.1: the challenge carries no seq.
    send(connection, { type: 'event', event: 'connect.challenge', payload: { nonce: connection.nonce, ts: connection.challengeTs, capabilities: fixtures.challengeCapabilities, ...padding } });
  }

  function onMessage(connection: Connection, data: RawData): void {
    let frame: JsonObject;
    try {
      frame = asJsonObject(JSON.parse(data.toString()));
    } catch {
      connection.ws.close(1008, 'invalid frame');
      return;
    }
    if (connection.ready) onRequest(connection, frame);
    else onConnect(connection, frame);
  }

  function onConnect(connection: Connection, frame: JsonObject): void {
    const record = (outcome: string, authMethod: string | null) =>
      connects.push({ connectionId: connection.id, origin: connection.origin, challengeTs: connection.challengeTs, params: asJsonObject(frame.params), outcome, authMethod });
    const refuse = (id: unknown, errorName: string, error: JsonObject, close: { code: number; reason: string }) => {
      record(errorName, null);
      send(connection, { type: 'res', id: typeof id === 'string' ? id : 'r1', ok: false, error });
      connection.ws.close(close.code, close.reason.slice(0, 120));
    };
    const rejection = frame.method === 'connect' ? knobs.rejections.shift() : undefined;
    const rejectionFixture = rejection === undefined ? undefined : fixtures.connectErrors[rejection];
    if (rejection !== undefined && rejectionFixture !== undefined) {
      refuse(frame.id, rejection, rejectionFixture.response.error, rejectionFixture.close);
      return;
    }
    const starting = fixtures.connectErrors.startup_unavailable;
    if (frame.method === 'connect' && knobs.startingAttempts > 0 && starting !== undefined) {
      knobs.startingAttempts -= 1;
      refuse(frame.id, 'startup_unavailable', starting.response.error, starting.close);
      return;
    }
    const outcome = evaluateConnect(frame, { fixtures, registry, nonce: connection.nonce, now: now(), origin: connection.origin, config });
    if (!outcome.ok) {
      if (outcome.pairingRequested) emit('device.pair.requested', outcome.pairingRequested);
      refuse(outcome.requestId, outcome.errorName, outcome.error, outcome.close);
      return;
    }
    record('hello-ok', outcome.auth.method);
    connection.ready = true;
    connection.scopes = outcome.auth.scopes;
    send(connection, { type: 'res', id: outcome.requestId, ok: true, payload: buildHello(outcome.auth) });
    connection.tickTimer = setInterval(() => sendEvent(connection, 'tick', { ts: now() }), tickIntervalMs);
  }

  function buildHello(auth: { method: string; scopes: string[]; deviceToken: string | null; issuedAtMs: number | null }): JsonObject {
    const payload = structuredClone(fixtures.helloOkPayload);
    payload.server = { ...asJsonObject(payload.server), bootId, connId: randomUUID() };
    payload.auth = {
      method: auth.method, role: 'operator', scopes: auth.scopes, recoveryScope: '<RECOVERY_SCOPE>',
      ...(auth.deviceToken === null ? {} : { recoveryMigrationAllowed: true, deviceToken: auth.deviceToken, issuedAtMs: auth.issuedAtMs }),
    };
    payload.policy = { ...asJsonObject(payload.policy), tickIntervalMs, maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD_BYTES };
    options.mutateHello?.(payload);
    return payload;
  }

  function onRequest(connection: Connection, frame: JsonObject): void {
    const method = typeof frame.method === 'string' ? frame.method : '';
    const params = asJsonObject(frame.params);
    requests.push({ method, params: frame.params });
    if (knobs.dropMethods.delete(method)) {
      connection.ws.terminate();
      return;
    }
    const definition = methods.get(method);
    let response: JsonObject;
    try {
      if (definition !== undefined && !hasScope(connection.scopes, definition.scope)) throw missingScopeError(fixtures, definition.scope);
      const invalid = validateRequest(method, definition, params, fixtures);
      if (invalid !== null || definition === undefined) throw invalid ?? new FakeMethodError({ code: 'INVALID_REQUEST', message: `unknown method: ${method}` });
      const payload = definition.handle({ params, subscriptions: connection.subscriptions, scopes: connection.scopes });
      response = { type: 'res', id: frame.id, ok: true, payload };
    } catch (error) {
      // A handler bug must not crash the test process: answer it like a gateway-side failure.
      const failure = error instanceof FakeMethodError ? error.error : { code: 'UNAVAILABLE', message: `fake gateway handler failed: ${String(error)}` };
      response = { type: 'res', id: frame.id, ok: false, error: failure };
    }
    const delay = knobs.delays.get(method) ?? knobs.delays.get('*') ?? 0;
    if (delay > 0) setTimeout(() => send(connection, response), delay);
    else send(connection, response);
  }

  async function listen(): Promise<void> {
    const created = new WebSocketServer({ host: '127.0.0.1', port });
    created.on('connection', (ws, request) => onConnection(ws, request.headers.origin));
    await new Promise<void>((resolve, reject) => {
      created.once('listening', resolve);
      created.once('error', reject);
    });
    const address = created.address();
    if (address === null || typeof address === 'string') throw new Error('fake gateway: no TCP address');
    port = address.port;
    server = created;
  }

  async function stopListening(): Promise<void> {
    const current = server;
    server = null;
    for (const connection of connections) connection.ws.terminate();
    if (current !== null) await new Promise<void>((resolve) => current.close(() => resolve()));
  }

  function shutdown(): void {
    chat.stopAll();
    for (const connection of connections) {
      if (connection.ready) sendEvent(connection, 'shutdown', { reason: 'gateway stopping' });
      connection.ws.close(1012, 'service restart');
    }
  }

  await listen();

  return {
    get url() {
      return `ws://127.0.0.1:${port}/`;
    },
    get port() {
      return port;
    },
    get connections() {
      return connections.size;
    },
    get readyConnections() {
      return [...connections].filter((connection) => connection.ready).length;
    },
    connects,
    clientCloseCodes,
    requests,
    close: async () => {
      chat.stopAll();
      await stopListening();
    },
    async restart(restartOptions = {}) {
      shutdown();
      await stopListening();
      bootId = randomUUID();
      knobs.startingAttempts = restartOptions.startingAttempts ?? 0;
      await listen();
    },
    shutdown,
    approvePairing(requestId) {
      const approved = approveAndAnnounce(requestId);
      return { requestId: approved.requestId, deviceId: approved.device.deviceId, deviceToken: registry.paired(approved.device.deviceId)?.deviceToken ?? null };
    },
    pendingPairing: () => registry.pending(),
    setPairingRequired(required) {
      config.pairingRequired = required;
    },
    revokeDeviceToken: (deviceId) => registry.revokeToken(deviceId),
    emit,
    setMethod: (name, method) => void methods.set(name, method),
    setStartingAttempts(count) {
      knobs.startingAttempts = count;
    },
    rejectNextConnects(errorName, times = 1) {
      if (fixtures.connectErrors[errorName] === undefined) throw new Error(`errors.json has no connect.${errorName}`);
      for (let index = 0; index < times; index += 1) knobs.rejections.push(errorName);
    },
    goSilent() {
      for (const connection of connections) connection.silent = true;
    },
    dropOnCall: (method) => void knobs.dropMethods.add(method),
    setResponseDelay(ms, method = '*') {
      knobs.delays.set(method, ms);
    },
    padNextChallenge(bytes) {
      knobs.challengePadding = bytes;
    },
    sendOversizedFrame: (bytes) => emit('fake.oversized', { padding: 'x'.repeat(bytes) }),
    sendRaw(text) {
      for (const connection of connections) if (connection.ready) send(connection, text);
    },
    skipNextSeq(count = 1) {
      for (const connection of connections) connection.pendingSeqSkip = count;
    },
    closeAll(code, reason) {
      for (const connection of connections) connection.ws.close(code, reason);
    },
    setUsageRefreshing(refreshing) {
      knobs.usageRefreshing = refreshing;
    },
  };
}
