// Calls a gateway on behalf of a Mission Control user (sessions and cron actions) and turns every
// failure into a DomainError with a message a person can act on (GATEWAY.md §6, §9).
import { conflict, DomainError, forbidden, notFound } from '../errors.ts';
import type { GatewayManager } from './manager/manager.ts';
import { GatewayCallError } from './protocol/call-errors.ts';

export const ADMIN_SCOPE_MESSAGE =
  'The gateway connection lacks operator.admin; enable admin scope for this gateway and approve the scope upgrade';

const STATUS_WORDS: Record<string, string> = {
  pairing_required: 'pairing required', auth_failed: 'authentication failed', unreachable: 'unreachable', protocol_mismatch: 'protocol mismatch',
  backoff: 'reconnecting', connecting: 'connecting', idle: 'connecting', stopped: 'stopped',
};

export async function callGateway(
  manager: GatewayManager,
  gateway: { id: string; name: string },
  method: string,
  params: unknown,
  options: { needsAdmin?: boolean; timeoutMs?: number } = {},
): Promise<unknown> {
  const connection = manager.connection(gateway.id);
  if (connection === undefined) throw conflict(`Gateway ${gateway.name} is not connected (disabled or not started)`);
  const state = connection.state();
  if (state.status !== 'ready') throw conflict(`Gateway ${gateway.name} is not connected (${STATUS_WORDS[state.status] ?? state.status})`);
  if (options.needsAdmin && !state.scopes.includes('operator.admin')) throw forbidden(ADMIN_SCOPE_MESSAGE);
  try {
    return await connection.call(method, params, options.timeoutMs === undefined ? undefined : { timeoutMs: options.timeoutMs });
  } catch (error) {
    throw toDomainError(gateway.name, error);
  }
}

export function toDomainError(gatewayName: string, error: unknown): DomainError {
  if (!(error instanceof GatewayCallError)) return new DomainError('INTERNAL', `Gateway ${gatewayName}: ${error instanceof Error ? error.message : String(error)}`);
  if (error.detailsCode === 'MISSING_SCOPE' || error.code === 'FORBIDDEN') {
    return forbidden(error.hint.includes('operator.admin') ? ADMIN_SCOPE_MESSAGE : `Gateway ${gatewayName}: ${error.hint}`);
  }
  if ((error.detailsCode ?? '').endsWith('NOT_FOUND') || error.code.endsWith('NOT_FOUND') || /not found|no longer exists|unknown (session|job)/i.test(error.message)) {
    return notFound(`Gateway ${gatewayName}: ${error.message} (${error.hint})`);
  }
  if (error.code === 'NOT_CONNECTED' || error.code === 'DISCONNECTED' || error.code === 'CLIENT_STOPPED' || error.code === 'NOT_PAIRED') {
    return conflict(`Gateway ${gatewayName} is not connected: ${error.hint}`);
  }
  if (error.code === 'TIMEOUT') return conflict(`Gateway ${gatewayName} did not answer in time; the action may still have run`);
  if (error.code === 'INVALID_REQUEST') return new DomainError('VALIDATION_FAILED', `Gateway ${gatewayName} rejected the request: ${error.message} (${error.hint})`);
  return conflict(`Gateway ${gatewayName}: ${error.message}${error.hint && error.hint !== error.message ? ` (${error.hint})` : ''}`);
}
