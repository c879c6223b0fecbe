// gateways.test: one throwaway connection (new identity, nothing stored) that reports how far it got,
// closed right after hello-ok or the first failure. Bounded by the handshake timeout (≤ 15 s).
import type { Logger } from '../logger.ts';
import { APP_VERSION } from '../system/service.ts';
import type { GatewayStatusView } from './gateway-views.ts';
import type { GatewayClientState } from './protocol/client-state.ts';
import { createDeviceIdentity } from './protocol/device-identity.ts';
import { createGatewayClient } from './protocol/gateway-client.ts';
import type { TestGatewayInput } from './schema.ts';

export type GatewayTestResult = {
  ok: boolean;
  status: GatewayStatusView;
  message: string;
  hint?: string;
  serverVersion?: string;
  latencyMs?: number;
  scopes?: string[];
};

const SETTLED = new Set(['ready', 'pairing_required', 'auth_failed', 'unreachable', 'protocol_mismatch', 'backoff']);

export async function testGatewayConnection(input: TestGatewayInput, log: Logger, timeoutMs = 15_000): Promise<GatewayTestResult> {
  const auth = input.secret === undefined || input.authMode === 'none' ? {} : input.authMode === 'password' ? { password: input.secret } : { token: input.secret };
  let settle: (state: GatewayClientState) => void = () => undefined;
  const settled = new Promise<GatewayClientState>((resolve) => {
    settle = resolve;
  });
  const client = createGatewayClient({
    url: input.url, auth, identity: createDeviceIdentity(), clientVersion: APP_VERSION, log: log.child({ component: 'gateway-test' }),
    handshakeTimeoutMs: timeoutMs, backoff: { initialMs: 60_000, maxMs: 60_000 },
    onState: (state) => {
      if (SETTLED.has(state.status)) settle(state);
    },
  });
  const guard = setTimeout(() => settle(client.state()), timeoutMs + 1_000);
  client.start();
  const state = await settled;
  clearTimeout(guard);
  await client.stop();
  if (state.status === 'ready') {
    return {
      ok: true, status: 'ready',
      message: `Connected to OpenClaw ${state.serverVersion ?? '(unknown version)'} (protocol ${state.protocol ?? '?'}); scopes granted: ${state.scopes.join(', ') || 'none'}`,
      ...(state.serverVersion ? { serverVersion: state.serverVersion } : {}),
      ...(state.latencyMs === null ? {} : { latencyMs: state.latencyMs }),
      scopes: state.scopes,
      ...(state.scopes.length === 0 ? { hint: 'the gateway accepted the connection but granted no scopes; check the auth mode' } : {}),
    };
  }
  const status: GatewayStatusView = state.status === 'pairing_required' || state.status === 'auth_failed' || state.status === 'unreachable' ||
    state.status === 'protocol_mismatch' || state.status === 'backoff' ? state.status : 'unreachable';
  const error = state.lastError ?? { code: 'TIMEOUT', message: `no answer from ${input.url} within ${timeoutMs} ms`, hint: 'is the gateway running?' };
  const message = status === 'pairing_required'
    ? `The gateway is reachable and answered; it requires approving Mission Control's device (after saving, approve the request shown on the gateway row). ${error.message}`
    : error.message;
  return { ok: false, status, message, ...(error.hint ? { hint: error.hint } : {}), ...(state.serverVersion ? { serverVersion: state.serverVersion } : {}) };
}
