// GatewayCallError: every failed call() rejects with one, carrying the gateway's code, details.code
// and a human hint. Also the local failures (timeout, disconnect, not connected, stopped).
import { type GatewayErrorShape, readErrorDetails } from './frames.ts';

export type LocalCallErrorCode = 'TIMEOUT' | 'DISCONNECTED' | 'NOT_CONNECTED' | 'CLIENT_STOPPED' | 'SEND_FAILED';

export class GatewayCallError extends Error {
  override readonly name = 'GatewayCallError';
  readonly method: string;
  /** gateway `error.code` (FORBIDDEN, INVALID_REQUEST, …) or a LocalCallErrorCode */
  readonly code: string;
  /** gateway `error.details.code` (MISSING_SCOPE, CRON_JOB_NOT_FOUND, …) */
  readonly detailsCode: string | null;
  readonly hint: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;
  readonly details: unknown;

  constructor(init: {
    method: string;
    code: string;
    detailsCode?: string | null;
    message: string;
    hint: string;
    retryable?: boolean;
    retryAfterMs?: number | null;
    details?: unknown;
  }) {
    super(init.message);
    this.method = init.method;
    this.code = init.code;
    this.detailsCode = init.detailsCode ?? null;
    this.hint = init.hint;
    this.retryable = init.retryable ?? false;
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.details = init.details;
  }
}

export function callErrorFromResponse(method: string, error: GatewayErrorShape): GatewayCallError {
  const details = readErrorDetails(error);
  return new GatewayCallError({
    method,
    code: error.code,
    detailsCode: details.code ?? null,
    message: error.message || `${method} failed with ${error.code}`,
    hint: hintForMethodError(method, error),
    retryable: error.retryable ?? false,
    retryAfterMs: error.retryAfterMs ?? null,
    details: error.details,
  });
}

const LOCAL_HINTS: Record<LocalCallErrorCode, string> = {
  TIMEOUT: 'no answer from the gateway in time; the call may still have run on the gateway',
  DISCONNECTED: 'the gateway connection dropped before the answer; the call may or may not have run and is not replayed',
  NOT_CONNECTED: 'the gateway is not connected; check the gateway status',
  CLIENT_STOPPED: 'the gateway client was stopped',
  SEND_FAILED: 'the request could not be sent to the gateway',
};

export function localCallError(method: string, code: LocalCallErrorCode, message: string): GatewayCallError {
  return new GatewayCallError({ method, code, message, hint: LOCAL_HINTS[code], retryable: code !== 'CLIENT_STOPPED' });
}

/** GATEWAY.md §9 "method failures" → what a user should do about it. */
function hintForMethodError(method: string, error: GatewayErrorShape): string {
  const details = readErrorDetails(error);
  const detailsCode = details.code ?? '';
  if (detailsCode === 'MISSING_SCOPE' || error.code === 'FORBIDDEN') {
    const scope = details.missingScope ?? details.requiredScopes?.join(', ') ?? 'a required scope';
    return `the gateway connection lacks ${scope}`;
  }
  if (detailsCode.endsWith('NOT_FOUND') || error.code.endsWith('NOT_FOUND')) {
    return 'not found on the gateway (it may have been removed); refresh and retry';
  }
  if (error.code === 'NOT_PAIRED' || error.code === 'NOT_LINKED') {
    return 'this Mission Control device is not paired with the gateway; approve it on the gateway host';
  }
  if (error.message.startsWith('unknown method')) {
    return `this gateway does not support ${method} (different openclaw version)`;
  }
  if (details.reason === 'chat-request-conflict') {
    return 'this idempotency key was already used for different input; send again with a new key';
  }
  if (error.message.includes('no longer exists')) {
    return 'the agent named in the session key no longer exists on the gateway; refresh the agent list';
  }
  if (error.message.startsWith('invalid ') && error.message.includes('params')) {
    return `the gateway rejected the ${method} parameters (Mission Control bug or gateway version mismatch)`;
  }
  if (error.code === 'UNAVAILABLE') return 'the gateway is busy or starting; retry later';
  if (error.code === 'AGENT_TIMEOUT') return 'the agent did not answer in time';
  return error.message || `${method} failed`;
}
