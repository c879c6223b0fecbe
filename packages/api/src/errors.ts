// Domain errors carry the PROTOCOL.md §2 codes; transports translate them in one place each
// (toProtocolError for REST/SSE, the mapDomainErrors middleware for tRPC).
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export type ErrorDetail = { path: string; message: string };

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}

export const validationFailed = (message: string, details?: ErrorDetail[]) => new DomainError('VALIDATION_FAILED', message, details);
export const unauthorized = (message = 'Authentication required') => new DomainError('UNAUTHORIZED', message);
export const forbidden = (message = 'You do not have permission to do this') => new DomainError('FORBIDDEN', message);
export const notFound = (message: string) => new DomainError('NOT_FOUND', message);
export const conflict = (message: string) => new DomainError('CONFLICT', message);
export const rateLimited = (retryAfterS: number, message = 'Too many requests') =>
  new DomainError('RATE_LIMITED', `${message}; retry in ${retryAfterS} s`, undefined, retryAfterS);

export type ProtocolErrorBody = { error: { code: ErrorCode; message: string; details?: ErrorDetail[]; requestId?: string } };

/** REST/SSE error response: status + the PROTOCOL.md §2 body. Unknown errors never leak their message. */
export function toProtocolError(error: unknown, requestId?: string): { status: number; body: ProtocolErrorBody; retryAfterS?: number } {
  if (error instanceof DomainError) {
    const body: ProtocolErrorBody = { error: { code: error.code, message: error.message } };
    if (error.details?.length) body.error.details = error.details;
    if (requestId) body.error.requestId = requestId;
    return { status: ERROR_STATUS[error.code], body, ...(error.retryAfterS !== undefined ? { retryAfterS: error.retryAfterS } : {}) };
  }
  return {
    status: 500,
    body: { error: { code: 'INTERNAL', message: `Internal error (request ${requestId ?? 'unknown'})`, ...(requestId ? { requestId } : {}) } },
  };
}
