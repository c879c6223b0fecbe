// Typed errors for every PROTOCOL.md §2 failure, each with a message that says what to fix.
// `retryable` tells the SDK's loops whether waiting can help (network, 5xx, 429) or not (bad key, 4xx).

export type ErrorDetail = { path: string; message: string };

export type MissionControlErrorOptions = {
  status?: number;
  code?: string;
  requestId?: string;
  details?: ErrorDetail[];
  cause?: unknown;
};

/** Base class: every error the SDK throws or reports is one of these. */
export class MissionControlError extends Error {
  override name = 'MissionControlError';
  /** HTTP status, when the server answered. */
  readonly status: number | undefined;
  /** PROTOCOL.md §2 code (`UNAUTHORIZED`, `NOT_FOUND`, ...) or `UNREACHABLE` / `TIMEOUT`. */
  readonly code: string;
  readonly requestId: string | undefined;
  readonly details: ErrorDetail[];
  /** Waiting and retrying can succeed (network, 5xx, 429); a bad key or bad input cannot. */
  readonly retryable: boolean = false;

  constructor(message: string, options: MissionControlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.code = options.code ?? 'ERROR';
    this.requestId = options.requestId;
    this.details = options.details ?? [];
  }
}

/** 401: the key is unknown, revoked or expired. */
export class AuthenticationError extends MissionControlError {
  override name = 'AuthenticationError';
}

/** 403: the key is valid but may not do this (viewer key, or an agent key used for another agent). */
export class PermissionError extends MissionControlError {
  override name = 'PermissionError';
}

/** 404 for an agent: not connected yet, removed, or the name/id is wrong. */
export class UnknownAgentError extends MissionControlError {
  override name = 'UnknownAgentError';
}

/** 404 for anything else (a task, a connection id, a route the server does not have). */
export class NotFoundError extends MissionControlError {
  override name = 'NotFoundError';
}

/** 400: the request was refused field by field (`details` names each field). */
export class ValidationError extends MissionControlError {
  override name = 'ValidationError';
}

/** 409: the request conflicts with the current state (e.g. a task moved by someone else). */
export class ConflictError extends MissionControlError {
  override name = 'ConflictError';
}

/** 429: slow down; `retryAfterMs` comes from the Retry-After header. */
export class RateLimitedError extends MissionControlError {
  override name = 'RateLimitedError';
  override readonly retryable = true;
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, options: MissionControlErrorOptions = {}) {
    super(message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/** 5xx: the server failed; retried with backoff. */
export class ServerError extends MissionControlError {
  override name = 'ServerError';
  override readonly retryable = true;
}

/** No HTTP answer at all: connection refused, DNS, TLS, or a timeout. */
export class ServerUnreachableError extends MissionControlError {
  override name = 'ServerUnreachableError';
  override readonly retryable = true;
}

/** The SDK was given options it cannot work with (no URL, malformed URL, invalid agent name, ...). */
export class ConfigurationError extends MissionControlError {
  override name = 'ConfigurationError';
}

/** Errors that no retry can fix: the agent stops using the network and reports it once. */
export function isFatal(error: unknown): boolean {
  return error instanceof AuthenticationError || error instanceof PermissionError || error instanceof ConfigurationError;
}
