// Maps a failed connect (error res, or a close without one) to the client's next move and a human hint
// (GATEWAY.md §9). Pure: no timers, no sockets.
import type { GatewayClientError, PairingInfo } from './client-state.ts';
import { type GatewayErrorShape, PROTOCOL_VERSION, readErrorDetails } from './frames.ts';

export type ConnectFailure =
  /** PAIRING_REQUIRED: wait for approval; `pauseReconnect:false` from the gateway means keep normal backoff */
  | { action: 'await-pairing'; error: GatewayClientError; pairing: PairingInfo; pauseReconnect: boolean }
  /** AUTH_DEVICE_TOKEN_MISMATCH: forget the device token, retry once with the shared credential */
  | { action: 'drop-device-token'; error: GatewayClientError }
  /** transient: retry at backoff pace, or after retryAfterMs when the gateway said so */
  | { action: 'retry'; error: GatewayClientError; retryAfterMs: number | null }
  /** needs a human (credentials, versions); no fast retry */
  | { action: 'stop'; status: 'auth_failed' | 'protocol_mismatch'; error: GatewayClientError };

const PROTOCOL_HINT_INCOMPATIBLE =
  'the gateway rejected our connect request; it probably runs an incompatible openclaw version (Mission Control speaks protocol 4, openclaw 2026.5 or later)';

/** details.code → terminal auth failure hint. Codes not listed fall through to the generic rules below. */
const AUTH_FAILURE_HINTS: Record<string, string> = {
  AUTH_TOKEN_MISMATCH: "the gateway token is wrong: copy gateway.auth.token from the gateway host (or pair this device)",
  AUTH_PASSWORD_MISMATCH: 'the gateway password is wrong',
  AUTH_SCOPE_MISMATCH:
    'this device is approved for fewer scopes than requested: request only the approved scopes or approve the scope upgrade on the gateway',
  DEVICE_IDENTITY_REQUIRED: 'the gateway needs a signed device and a usable credential: set the gateway token, then pair',
  DEVICE_AUTH_SIGNATURE_EXPIRED: "the device signature was outside the gateway's ±120 s window: check both clocks",
  DEVICE_AUTH_SIGNATURE_INVALID: "the gateway rejected this device's signature (Mission Control bug or a damaged device key)",
  DEVICE_AUTH_NONCE_MISMATCH: 'the gateway rejected the handshake nonce (Mission Control bug or a proxy replaying frames)',
  DEVICE_AUTH_DEVICE_ID_MISMATCH: 'the device id does not match its key: the stored identity is damaged; create a new one and pair again',
  CONTROL_UI_ORIGIN_NOT_ALLOWED: 'the gateway refused the connection origin: connect directly, without a browser origin',
  CONTROL_UI_DEVICE_IDENTITY_REQUIRED: 'the gateway treated us as its Control UI, which needs a device identity',
};

export function classifyConnectError(
  error: GatewayErrorShape,
  context: { deviceId: string; requestedScopes: readonly string[] },
): ConnectFailure {
  const details = readErrorDetails(error);
  const code = details.code ?? error.code;
  const base = { code, message: error.message || code };

  if (code === 'PAIRING_REQUIRED') {
    const requestId = details.requestId ?? null;
    return {
      action: 'await-pairing',
      error: { ...base, hint: requestId ? `approve this device on the gateway host: openclaw devices approve ${requestId}` : 'approve this device on the gateway host (openclaw devices list shows the request)' },
      pairing: {
        requestId,
        deviceId: details.deviceId ?? context.deviceId,
        requestedScopes: details.requestedScopes ?? [...context.requestedScopes],
        approveCommand: requestId ? `openclaw devices approve ${requestId}` : 'openclaw devices list',
      },
      pauseReconnect: details.pauseReconnect !== false,
    };
  }
  if (code === 'AUTH_DEVICE_TOKEN_MISMATCH') {
    return { action: 'drop-device-token', error: { ...base, hint: 'the stored device token was revoked or rotated; re-pair if the shared token is gone' } };
  }
  if (code === 'PROTOCOL_MISMATCH') {
    const expected = details.expectedProtocol ?? null;
    const hint = details.reloadRequired
      ? 'the gateway treated us as its Control UI build; Mission Control must connect as gateway-client'
      : expected !== null && expected > PROTOCOL_VERSION
        ? `the gateway speaks protocol ${expected}: upgrade Mission Control`
        : 'upgrade the gateway: Mission Control needs OpenClaw protocol 4 (openclaw 2026.5 or later)';
    return { action: 'stop', status: 'protocol_mismatch', error: { ...base, hint } };
  }
  if (code === 'UNAVAILABLE' || code === 'AUTH_RATE_LIMITED' || error.retryable === true) {
    const hint = code === 'AUTH_RATE_LIMITED' ? 'too many failed logins: the gateway locked us out for a while' : 'the gateway is starting or busy; retrying shortly';
    return { action: 'retry', error: { ...base, hint }, retryAfterMs: error.retryAfterMs ?? null };
  }
  const authHint = AUTH_FAILURE_HINTS[code];
  if (authHint !== undefined) return { action: 'stop', status: 'auth_failed', error: { ...base, hint: authHint } };
  if (code.startsWith('AUTH_') || code.startsWith('DEVICE_') || error.code === 'NOT_PAIRED') {
    return { action: 'stop', status: 'auth_failed', error: { ...base, hint: error.message || 'the gateway refused our credentials' } };
  }
  if (error.code === 'INVALID_REQUEST') {
    // "invalid connect params: at /client/id …", "invalid handshake: …": the gateway's schema differs from ours.
    return { action: 'stop', status: 'protocol_mismatch', error: { ...base, hint: PROTOCOL_HINT_INCOMPATIBLE } };
  }
  return { action: 'retry', error: { ...base, hint: error.message || 'the gateway refused the connection' }, retryAfterMs: null };
}

/** A close that arrives without a connect error res, or after hello (GATEWAY.md §9 "other closes"). */
export function describeClose(code: number, reason: string): { error: GatewayClientError; retryAfterMs: number | null } {
  const suffix = reason ? `: ${reason}` : '';
  switch (code) {
    case 1012:
      return { error: { code: 'GATEWAY_RESTARTING', message: `gateway restarting (close 1012${suffix})`, hint: 'the gateway is restarting; reconnecting' }, retryAfterMs: null };
    case 1013:
      return { error: { code: 'UNAVAILABLE', message: `gateway starting (close 1013${suffix})`, hint: 'the gateway is starting; retrying shortly' }, retryAfterMs: 500 };
    case 4001:
      return { error: { code: 'GATEWAY_AUTH_CHANGED', message: `gateway auth changed (close 4001${suffix})`, hint: 'the gateway secret was rotated; expect auth errors on reconnect' }, retryAfterMs: null };
    case 1008:
      return { error: { code: 'POLICY_CLOSE', message: `gateway closed the connection (1008${suffix})`, hint: reason.includes('slow') ? 'Mission Control fell behind the event stream; reconnecting and resyncing' : 'the gateway closed the connection for a policy reason' }, retryAfterMs: null };
    default:
      return { error: { code: 'DISCONNECTED', message: `gateway connection closed (${code}${suffix})`, hint: 'reconnecting' }, retryAfterMs: null };
  }
}

/** No hello-ok within the handshake timeout; what we were waiting for says what is wrong. */
export function describeHandshakeTimeout(phase: 'opening' | 'awaiting-challenge' | 'awaiting-hello', url: string, timeoutMs: number): GatewayClientError {
  if (phase === 'opening') {
    return { code: 'CONNECT_TIMEOUT', message: `could not open a WebSocket to ${url} within ${timeoutMs} ms`, hint: 'is the gateway running and reachable?' };
  }
  if (phase === 'awaiting-challenge') {
    return {
      code: 'NOT_OPENCLAW_GATEWAY',
      message: `not an OpenClaw gateway: ${url} accepted the WebSocket but sent no connect.challenge within ${timeoutMs} ms`,
      hint: 'check the URL and port: it must point at an OpenClaw gateway (default port 18789)',
    };
  }
  return { code: 'HANDSHAKE_TIMEOUT', message: `the gateway did not answer connect within ${timeoutMs} ms`, hint: 'the gateway is overloaded or stalled; retrying' };
}
