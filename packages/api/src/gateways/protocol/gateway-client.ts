// One OpenClaw gateway connection (GATEWAY.md §3, §5, §9, §10): handshake, pairing, reconnects, RPC
// and event delivery. Transport only: no database, no event interpretation. Never throws from callbacks.
import { WebSocket, type RawData } from 'ws';
import { type BackoffOptions, computeBackoffDelayMs, DEFAULT_BACKOFF } from './backoff.ts';
import { localCallError } from './call-errors.ts';
import { DEFAULT_SCOPES, type GatewayClient, type GatewayClientOptions, type GatewayEvent } from './client-options.ts';
import { type GatewayClientError, type GatewayClientState, type GatewayStatus, INITIAL_GATEWAY_CLIENT_STATE } from './client-state.ts';
import { classifyConnectError, describeClose, describeHandshakeTimeout } from './connect-errors.ts';
import { buildConnectParams, chooseConnectAuth } from './connect-request.ts';
import { createSequenceTracker } from './event-sequence.ts';
import {
  ChallengePayload, DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_TICK_INTERVAL_MS, encodeRequestFrame, type EventFrame, type HelloOk,
  HelloOkPayload, parseInboundFrame, PRE_HELLO_MAX_FRAME_BYTES, PROTOCOL_VERSION, type RequestFrame, type ResponseFrame,
  summarizeIssues,
} from './frames.ts';
import { createPendingCalls } from './rpc-calls.ts';
import { closeSocket, rawDataByteLength, rawDataToText } from './socket-helpers.ts';
import { createTickWatchdog } from './tick-watchdog.ts';

/** Hard cap handed to ws itself, so a runaway frame is refused before it is fully buffered. */
const SOCKET_MAX_PAYLOAD_BYTES = 2 * DEFAULT_MAX_PAYLOAD_BYTES;
const MAX_RETRY_AFTER_MS = 10 * 60_000;
const WAITING_STATUSES: ReadonlySet<GatewayStatus> = new Set(['backoff', 'unreachable', 'pairing_required', 'auth_failed', 'protocol_mismatch']);

type Attempt = {
  ws: WebSocket;
  phase: 'opening' | 'awaiting-challenge' | 'awaiting-hello' | 'ready';
  connectRequestId: string | null;
  connectSentAt: number;
  maxFrameBytes: number;
  socketError: string | null;
  handshakeTimer: ReturnType<typeof setTimeout> | null;
};

export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const { log } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const scopes = options.scopes ?? DEFAULT_SCOPES;
  const backoff: BackoffOptions = { ...DEFAULT_BACKOFF, ...options.backoff };
  const rpcTimeoutMs = options.rpcTimeoutMs ?? 30_000;
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 15_000;
  const pairingRetryMs = options.pairingRetryMs ?? 15_000;
  const platform = options.platform ?? process.platform;

  let state: GatewayClientState = { ...INITIAL_GATEWAY_CLIENT_STATE };
  let deviceToken = options.deviceToken ?? null;
  let lastIssuedAtMs: number | null = null;
  let attempt: Attempt | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let backoffAttempt = 0;
  let requestCounter = 0;
  const pending = createPendingCalls({ now });
  const sequence = createSequenceTracker();
  const watchdog = createTickWatchdog(onTickSilence);

  function notify<T>(name: string, callback: ((value: T) => unknown) | undefined, value: T): void {
    if (callback === undefined) return;
    try {
      const result: unknown = callback(value);
      if (result instanceof Promise) result.catch((error: unknown) => log.error({ err: error, callback: name }, 'gateway client callback rejected'));
    } catch (error) {
      log.error({ err: error, callback: name }, 'gateway client callback threw; ignored');
    }
  }

  function setState(patch: Partial<GatewayClientState>): void {
    const previous = state.status;
    state = { ...state, ...patch };
    if (patch.status !== undefined && patch.status !== previous) {
      log.info({ url: options.url, from: previous, to: state.status, code: state.lastError?.code }, 'gateway status changed');
    }
    notify('onState', options.onState, snapshot());
  }

  function snapshot(): GatewayClientState {
    return { ...state, scopes: [...state.scopes], pairing: state.pairing ? { ...state.pairing } : null };
  }

  function clearRetryTimer(): void {
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
  }

  function scheduleRetry(status: GatewayStatus, error: GatewayClientError, delayMs?: number | null): void {
    const delay = delayMs ?? computeBackoffDelayMs(backoffAttempt++, backoff, random);
    clearRetryTimer();
    retryTimer = setTimeout(connect, delay);
    setState({ status, lastError: error, connectedAt: null, nextRetryAt: now() + delay });
  }

  function stopRetrying(status: GatewayStatus, error: GatewayClientError, slowRetryMs: number | null): void {
    clearRetryTimer();
    if (slowRetryMs !== null) retryTimer = setTimeout(connect, slowRetryMs);
    setState({ status, lastError: error, connectedAt: null, nextRetryAt: slowRetryMs === null ? null : now() + slowRetryMs });
  }

  function connect(): void {
    clearRetryTimer();
    let ws: WebSocket;
    try {
      // No Origin header (GATEWAY.md §1): it would clear our scopes or force pairing on loopback.
      ws = new WebSocket(options.url, { perMessageDeflate: false, maxPayload: SOCKET_MAX_PAYLOAD_BYTES, handshakeTimeout: handshakeTimeoutMs });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      stopRetrying('unreachable', { code: 'INVALID_URL', message, hint: 'check the gateway URL (ws://host:port or wss://…)' }, null);
      return;
    }
    const current: Attempt = { ws, phase: 'opening', connectRequestId: null, connectSentAt: 0, maxFrameBytes: PRE_HELLO_MAX_FRAME_BYTES, socketError: null, handshakeTimer: null };
    attempt = current;
    current.handshakeTimer = setTimeout(() => onHandshakeTimeout(current), handshakeTimeoutMs);
    ws.on('error', (error: Error) => {
      current.socketError ??= error.message;
      log.debug({ url: options.url, err: error.message }, 'gateway socket error');
    });
    ws.on('open', () => {
      if (attempt === current) current.phase = 'awaiting-challenge';
    });
    ws.on('message', (data: RawData, isBinary: boolean) => guard('message', () => onMessage(current, data, isBinary)));
    ws.on('close', (code: number, reason: Buffer) => guard('close', () => onClose(current, code, reason.toString('utf8'))));
    setState({ status: 'connecting', nextRetryAt: null });
  }

  function guard(where: string, run: () => void): void {
    try {
      run();
    } catch (error) {
      log.error({ err: error, where }, 'gateway client handler failed; ignored');
    }
  }

  /** Forgets an attempt and closes its socket; its later events are ignored. */
  function abandon(current: Attempt, code: number, reason: string): void {
    if (current.handshakeTimer !== null) clearTimeout(current.handshakeTimer);
    if (attempt === current) {
      attempt = null;
      watchdog.disarm();
      pending.rejectAll((method) => localCallError(method, 'DISCONNECTED', `${method}: gateway connection closed (${reason})`));
    }
    void closeSocket(current.ws, code, reason);
  }

  function onMessage(current: Attempt, data: RawData, isBinary: boolean): void {
    if (attempt !== current) return;
    watchdog.feed();
    const bytes = rawDataByteLength(data);
    if (bytes > current.maxFrameBytes) {
      // Refused without parsing: a frame over the limit is either hostile or a gateway bug.
      const wasReady = current.phase === 'ready';
      log.warn({ url: options.url, bytes, limitBytes: current.maxFrameBytes }, 'gateway frame over the size limit; closing');
      abandon(current, 1009, 'frame too large');
      scheduleRetry(wasReady ? 'backoff' : 'unreachable', {
        code: 'FRAME_TOO_LARGE',
        message: `gateway sent a ${bytes}-byte frame; the limit is ${current.maxFrameBytes} bytes${wasReady ? '' : ' before hello'}`,
        hint: wasReady ? 'reconnecting' : 'the server is not behaving like an OpenClaw gateway',
      });
      return;
    }
    if (isBinary) {
      log.warn({ url: options.url, bytes }, 'binary gateway frame ignored');
      return;
    }
    const inbound = parseInboundFrame(rawDataToText(data));
    if (inbound.kind === 'ignored') log.warn({ url: options.url, bytes, reason: inbound.reason }, 'gateway frame ignored');
    else if (inbound.kind === 'event') onEventFrame(current, inbound.frame);
    else onResponseFrame(current, inbound.frame);
  }

  function onEventFrame(current: Attempt, frame: EventFrame): void {
    if (frame.event === 'connect.challenge') {
      if (current.phase === 'awaiting-challenge' || current.phase === 'opening') sendConnect(current, frame.payload);
      else log.debug({ url: options.url }, 'repeated connect.challenge ignored');
      return;
    }
    if (current.phase !== 'ready') {
      log.debug({ url: options.url, event: frame.event }, 'event before hello ignored');
      return;
    }
    const event: GatewayEvent = { event: frame.event, payload: frame.payload };
    if (typeof frame.seq === 'number') {
      event.seq = frame.seq;
      const gap = sequence.observe(frame.seq);
      if (gap !== null) {
        event.gap = gap;
        log.warn({ url: options.url, ...gap }, 'gateway event seq gap; the mirror should resync');
      }
    }
    if (frame.stateVersion) event.stateVersion = frame.stateVersion;
    notify('onEvent', options.onEvent, event);
  }

  function sendConnect(current: Attempt, payload: unknown): void {
    const challenge = ChallengePayload.safeParse(payload);
    if (!challenge.success) {
      abandon(current, 1002, 'invalid challenge');
      scheduleRetry('unreachable', { code: 'INVALID_CHALLENGE', message: `invalid connect.challenge: ${summarizeIssues(challenge.error)}`, hint: 'the server is not behaving like an OpenClaw gateway' });
      return;
    }
    const { auth, method } = chooseConnectAuth({ ...options.auth, deviceToken });
    let frame: RequestFrame;
    try {
      const params = buildConnectParams({
        identity: options.identity, challenge: challenge.data, auth, scopes, clientVersion: options.clientVersion,
        platform, displayName: options.displayName ?? 'Mission Control',
      });
      frame = { type: 'req', id: nextRequestId(), method: 'connect', params };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      abandon(current, 1000, 'cannot build connect');
      stopRetrying('auth_failed', { code: 'CONNECT_BUILD_FAILED', message, hint: 'check the client version, scopes and device identity' }, null);
      return;
    }
    current.phase = 'awaiting-hello';
    current.connectRequestId = frame.id;
    current.connectSentAt = now();
    log.debug({ url: options.url, authMethod: method, scopes }, 'sending connect');
    sendText(current, encodeRequestFrame(frame));
  }

  function sendText(current: Attempt, text: string): void {
    try {
      current.ws.send(text, (error) => {
        if (error) log.warn({ url: options.url, err: error.message }, 'gateway send failed');
      });
    } catch (error) {
      log.warn({ url: options.url, err: error instanceof Error ? error.message : String(error) }, 'gateway send failed');
    }
  }

  function onResponseFrame(current: Attempt, frame: ResponseFrame): void {
    if (current.phase === 'awaiting-hello' && frame.id === current.connectRequestId) {
      if (current.handshakeTimer !== null) clearTimeout(current.handshakeTimer);
      if (frame.ok) onHelloFrame(current, frame.payload);
      else onConnectRefused(current, frame);
      return;
    }
    const settled = pending.settle(frame);
    if (settled === null) log.debug({ url: options.url, id: frame.id }, 'response for an unknown or timed-out call ignored');
    else state = { ...state, latencyMs: settled.latencyMs };
  }

  function onConnectRefused(current: Attempt, frame: ResponseFrame): void {
    const failure = classifyConnectError(frame.error ?? { code: 'UNKNOWN', message: 'connect refused without an error' }, {
      deviceId: options.identity.deviceId,
      requestedScopes: scopes,
    });
    log.warn({ url: options.url, code: failure.error.code, message: failure.error.message }, 'gateway refused connect');
    abandon(current, 1000, 'connect refused');
    switch (failure.action) {
      case 'await-pairing':
        clearRetryTimer();
        if (failure.pauseReconnect) {
          retryTimer = setTimeout(connect, pairingRetryMs);
          setState({ status: 'pairing_required', lastError: failure.error, pairing: failure.pairing, connectedAt: null, nextRetryAt: now() + pairingRetryMs });
        } else {
          state = { ...state, pairing: failure.pairing };
          scheduleRetry('pairing_required', failure.error);
        }
        return;
      case 'drop-device-token': {
        const hadDeviceToken = deviceToken !== null;
        deviceToken = null;
        if (hadDeviceToken) notify('onDeviceTokenRejected', options.onDeviceTokenRejected, undefined);
        if (hadDeviceToken && (options.auth.token || options.auth.password)) {
          log.info({ url: options.url }, 'device token rejected; retrying once with the shared credential');
          connect();
        } else {
          stopRetrying('auth_failed', { ...failure.error, hint: 'the device token was rejected and no shared token is configured: re-pair needed' }, null);
        }
        return;
      }
      case 'retry': {
        const delay = failure.retryAfterMs === null ? null : Math.min(Math.max(0, failure.retryAfterMs), MAX_RETRY_AFTER_MS);
        scheduleRetry('backoff', failure.error, delay);
        return;
      }
      case 'stop':
        // A gateway upgrade can fix a protocol mismatch: retry slowly. Auth failures wait for a human
        // (retrying wrong credentials only earns an AUTH_RATE_LIMITED lockout).
        stopRetrying(failure.status, failure.error, failure.status === 'protocol_mismatch' ? backoff.maxMs * 10 : null);
        return;
    }
  }

  function onHelloFrame(current: Attempt, payload: unknown): void {
    const parsed = HelloOkPayload.safeParse(payload);
    if (!parsed.success || parsed.data.protocol !== PROTOCOL_VERSION) {
      const message = parsed.success ? `gateway answered with protocol ${parsed.data.protocol}` : `invalid hello-ok: ${summarizeIssues(parsed.error)}`;
      abandon(current, 1002, 'protocol mismatch');
      stopRetrying('protocol_mismatch', { code: 'PROTOCOL_MISMATCH', message, hint: 'upgrade the gateway: Mission Control needs OpenClaw protocol 4' }, backoff.maxMs * 10);
      return;
    }
    const { auth, ...rest } = parsed.data;
    const tickIntervalMs = rest.policy?.tickIntervalMs ?? DEFAULT_TICK_INTERVAL_MS;
    current.phase = 'ready';
    current.maxFrameBytes = rest.policy?.maxPayload ?? DEFAULT_MAX_PAYLOAD_BYTES;
    backoffAttempt = 0;
    sequence.reset();
    watchdog.arm(2 * tickIntervalMs);
    const grantedScopes = auth?.scopes ?? [];
    const issuedAtMs = auth?.issuedAtMs ?? null;
    const issuedToken = auth?.deviceToken ?? null;
    const tokenChanged = issuedToken !== null && (issuedToken !== deviceToken || issuedAtMs !== lastIssuedAtMs);
    if (issuedToken !== null) {
      deviceToken = issuedToken;
      lastIssuedAtMs = issuedAtMs;
    }
    state = {
      ...state, status: 'ready', lastError: null, pairing: null, latencyMs: Math.max(0, now() - current.connectSentAt),
      serverVersion: rest.server?.version ?? null, protocol: rest.protocol, scopes: grantedScopes, connectedAt: now(), nextRetryAt: null,
    };
    log.info({ url: options.url, serverVersion: state.serverVersion, authMethod: auth?.method, scopes: grantedScopes }, 'gateway connected');
    if (tokenChanged) notify('onDeviceToken', options.onDeviceToken, { deviceToken: issuedToken, scopes: grantedScopes, issuedAtMs: issuedAtMs ?? now() });
    const hello: HelloOk = { ...rest, auth: { role: auth?.role ?? null, scopes: grantedScopes, method: auth?.method ?? null, issuedAtMs } };
    notify('onHello', options.onHello, hello);
    setState({});
  }

  function onHandshakeTimeout(current: Attempt): void {
    current.handshakeTimer = null;
    if (attempt !== current || current.phase === 'ready') return;
    const error = describeHandshakeTimeout(current.phase, options.url, handshakeTimeoutMs);
    log.warn({ url: options.url, code: error.code }, 'gateway handshake timed out');
    abandon(current, 1000, 'handshake timeout');
    scheduleRetry('unreachable', error);
  }

  function onTickSilence(windowMs: number): void {
    const current = attempt;
    if (current === null || current.phase !== 'ready') return;
    log.warn({ url: options.url, windowMs }, 'no frame from the gateway for 2 tick intervals; reconnecting');
    abandon(current, 4000, 'tick timeout');
    scheduleRetry('backoff', { code: 'TICK_TIMEOUT', message: `no frame from the gateway for ${windowMs} ms`, hint: 'the gateway or the network stalled; reconnecting' });
  }

  function onClose(current: Attempt, code: number, reason: string): void {
    if (current.handshakeTimer !== null) clearTimeout(current.handshakeTimer);
    if (attempt !== current) return;
    const wasReady = current.phase === 'ready';
    abandon(current, code, reason);
    if (state.status === 'stopped') return;
    if (current.phase === 'opening') {
      const message = `cannot reach the gateway at ${options.url}: ${current.socketError ?? `closed (${code})`}`;
      scheduleRetry('unreachable', { code: 'UNREACHABLE', message, hint: 'is the gateway running, and are the host and port right?' });
      return;
    }
    if (code === 1009 || current.socketError?.includes('Max payload size exceeded')) {
      scheduleRetry(wasReady ? 'backoff' : 'unreachable', { code: 'FRAME_TOO_LARGE', message: 'gateway sent a frame over the size limit', hint: 'reconnecting' });
      return;
    }
    const described = describeClose(code, reason);
    if (!wasReady && ![1012, 1013, 4001].includes(code)) {
      scheduleRetry('unreachable', { code: 'HANDSHAKE_CLOSED', message: `the server closed the connection during the handshake (${code}${reason ? `: ${reason}` : ''})`, hint: 'is this an OpenClaw gateway?' });
      return;
    }
    log.warn({ url: options.url, code, reason }, 'gateway connection closed');
    scheduleRetry('backoff', described.error, described.retryAfterMs);
  }

  function nextRequestId(): string {
    requestCounter += 1;
    return `mc-${requestCounter}`;
  }

  function call(method: string, params?: unknown, callOptions: { timeoutMs?: number } = {}): Promise<unknown> {
    if (state.status === 'stopped') return Promise.reject(localCallError(method, 'CLIENT_STOPPED', `cannot call ${method}: the gateway client is stopped`));
    const current = attempt;
    if (current === null || current.phase !== 'ready') {
      return Promise.reject(localCallError(method, 'NOT_CONNECTED', `cannot call ${method}: gateway is ${state.status}`));
    }
    const id = nextRequestId();
    let text: string;
    try {
      text = encodeRequestFrame({ type: 'req', id, method, ...(params === undefined ? {} : { params }) });
    } catch (error) {
      return Promise.reject(localCallError(method, 'SEND_FAILED', error instanceof Error ? error.message : String(error)));
    }
    const result = pending.register(id, method, callOptions.timeoutMs ?? rpcTimeoutMs);
    sendText(current, text);
    return result;
  }

  return {
    start() {
      if (state.status === 'idle' || state.status === 'stopped') connect();
    },
    async stop() {
      clearRetryTimer();
      watchdog.disarm();
      const current = attempt;
      attempt = null;
      pending.rejectAll((method) => localCallError(method, 'CLIENT_STOPPED', `${method}: the gateway client was stopped`));
      if (state.status !== 'stopped') setState({ status: 'stopped', connectedAt: null, nextRetryAt: null });
      if (current !== null) {
        if (current.handshakeTimer !== null) clearTimeout(current.handshakeTimer);
        await closeSocket(current.ws, 1000, 'client stopped');
      }
    },
    call,
    retryNow() {
      if (WAITING_STATUSES.has(state.status)) connect();
    },
    state: snapshot,
  };
}
