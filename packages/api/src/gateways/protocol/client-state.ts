// The gateway client's observable state (status, last error, pairing, server facts). Types and the
// initial value only; transitions live in gateway-client.ts.

export type GatewayStatus =
  | 'idle'
  | 'connecting'
  | 'ready'
  | 'pairing_required'
  | 'auth_failed'
  | 'unreachable'
  | 'protocol_mismatch'
  | 'backoff'
  | 'stopped';

export type GatewayClientError = { code: string; message: string; hint?: string };

export type PairingInfo = {
  requestId: string | null;
  deviceId: string;
  requestedScopes: string[];
  /** host command that approves this request, e.g. `openclaw devices approve <requestId>` */
  approveCommand: string;
};

export type GatewayClientState = {
  status: GatewayStatus;
  lastError: GatewayClientError | null;
  /** handshake round-trip, then the latest RPC round-trip (refreshed silently; read state()) */
  latencyMs: number | null;
  serverVersion: string | null;
  protocol: number | null;
  /** effective scopes from hello-ok.auth.scopes: may be fewer than requested */
  scopes: string[];
  pairing: PairingInfo | null;
  connectedAt: number | null;
  nextRetryAt: number | null;
};

export const INITIAL_GATEWAY_CLIENT_STATE: GatewayClientState = {
  status: 'idle',
  lastError: null,
  latencyMs: null,
  serverVersion: null,
  protocol: null,
  scopes: [],
  pairing: null,
  connectedAt: null,
  nextRetryAt: null,
};
