// The gateway row clients see (gateways.list, gateway.updated): settings, live status and counts.
// Never a secret: no token, password, device token or key material, only whether a secret is set.
import type { GatewayClientError, GatewayClientState, PairingInfo } from './protocol/client-state.ts';

export type GatewayStatusView =
  | 'connecting' | 'ready' | 'pairing_required' | 'auth_failed' | 'unreachable' | 'protocol_mismatch' | 'backoff' | 'stopped' | 'disabled';

export type AuthMode = 'token' | 'password' | 'none';

export type GatewayView = {
  id: string;
  name: string;
  url: string;
  authMode: AuthMode;
  hasSecret: boolean;
  adminScopeRequested: boolean;
  enabled: boolean;
  status: GatewayStatusView;
  lastError: GatewayClientError | null;
  latencyMs: number | null;
  serverVersion: string | null;
  protocol: number | null;
  scopes: string[];
  pairing: PairingInfo | null;
  paired: boolean;
  lastConnectedAt: string | null;
  nextRetryAt: string | null;
  health: { ok: boolean | null; at: string } | null;
  /** the gateway's own 30-day cost totals (last fresh usage.cost answer; in memory, not billed) */
  usageTotals: { days: number; costUsd: number; totalTokens: number; missingCostEntries: number; at: string } | null;
  counts: { agents: number; sessions: number; cronJobs: number };
};

export type GatewayRow = {
  id: string; name: string; url: string; authMode: string; secretSealed: string | null; deviceTokenSealed: string | null; deviceTokenScopes: string;
  requestAdminScope: boolean; enabled: boolean; status: string; lastError: string | null; latencyMs: number | null; serverVersion: string | null;
  protocol: number | null; lastConnectedAt: Date | null;
};

export type LiveGateway = { state: GatewayClientState; health: { ok: boolean | null; at: string } | null; usageTotals?: GatewayView['usageTotals'] };

/** What gets persisted in Gateway.lastError (JSON): the client error plus the pairing request, if any. */
export type StoredGatewayError = GatewayClientError & { pairing?: PairingInfo | null };

export function toGatewayView(row: GatewayRow, live: LiveGateway | null, counts: GatewayView['counts']): GatewayView {
  const stored = parseStoredError(row.lastError);
  const state = live?.state ?? null;
  const status: GatewayStatusView = !row.enabled ? 'disabled' : state === null ? toStatusView(row.status) : toStatusView(state.status);
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    authMode: toAuthMode(row.authMode),
    hasSecret: row.secretSealed !== null,
    adminScopeRequested: row.requestAdminScope,
    enabled: row.enabled,
    status,
    lastError: state === null ? (stored === null ? null : { code: stored.code, message: stored.message, ...(stored.hint ? { hint: stored.hint } : {}) }) : state.lastError,
    latencyMs: state?.latencyMs ?? row.latencyMs,
    serverVersion: state?.serverVersion ?? row.serverVersion,
    protocol: state?.protocol ?? row.protocol,
    scopes: state?.scopes ?? parseScopes(row.deviceTokenScopes),
    pairing: state === null ? (stored?.pairing ?? null) : state.pairing,
    paired: row.deviceTokenSealed !== null,
    lastConnectedAt: state?.connectedAt ? new Date(state.connectedAt).toISOString() : row.lastConnectedAt?.toISOString() ?? null,
    nextRetryAt: state?.nextRetryAt ? new Date(state.nextRetryAt).toISOString() : null,
    health: live?.health ?? null,
    usageTotals: live?.usageTotals ?? null,
    counts,
  };
}

export function toStatusView(status: string): GatewayStatusView {
  switch (status) {
    case 'ready': case 'pairing_required': case 'auth_failed': case 'unreachable': case 'protocol_mismatch': case 'backoff': case 'stopped': case 'disabled':
      return status;
    default:
      return 'connecting';
  }
}

export function toAuthMode(value: string): AuthMode {
  return value === 'password' || value === 'none' ? value : 'token';
}

function parseStoredError(json: string | null): StoredGatewayError | null {
  if (json === null) return null;
  try {
    const value = JSON.parse(json) as Partial<StoredGatewayError>;
    return typeof value.code === 'string' && typeof value.message === 'string' ? (value as StoredGatewayError) : null;
  } catch {
    return null;
  }
}

export function parseScopes(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}
