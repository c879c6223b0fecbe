// Text for gateway states: every status is words first, colour only decorates (data-status).
import type { GatewayItem, GatewayStatus } from './gateway-api';

export const GATEWAY_STATUS_LABELS: Record<GatewayStatus, string> = {
  connecting: 'Connecting…',
  ready: 'Connected',
  pairing_required: 'Pairing required',
  auth_failed: 'Auth failed',
  unreachable: 'Unreachable',
  protocol_mismatch: 'Protocol mismatch',
  backoff: 'Reconnecting…',
  stopped: 'Stopped',
  disabled: 'Disabled',
};

export function gatewayStatusLabel(status: string): string {
  return status in GATEWAY_STATUS_LABELS ? GATEWAY_STATUS_LABELS[status as GatewayStatus] : status;
}

/** States where a person has to do something (or may want to retry at once). */
export function needsAttention(status: string): boolean {
  return status === 'pairing_required' || status === 'auth_failed' || status === 'unreachable' || status === 'protocol_mismatch';
}

/** "Retry now" makes sense whenever the gateway is enabled but not connected. */
export function canRetry(gateway: GatewayItem): boolean {
  return gateway.status !== 'ready' && gateway.status !== 'disabled' && gateway.status !== 'stopped' && gateway.status !== 'connecting';
}

export function formatLatency(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '—' : `${Math.round(ms)} ms`;
}

export function isGatewayUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'ws:' || url.protocol === 'wss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** `operator.admin` satisfies every operator scope, `write` satisfies `read` (GATEWAY.md §6). */
export function hasGatewayScope(scopes: readonly string[], scope: string): boolean {
  if (scopes.includes(scope) || scopes.includes('operator.admin')) return true;
  return scope === 'operator.read' && scopes.includes('operator.write');
}
