// Turns whatever a tRPC call threw into text a person can act on. The server's messages
// are already human readable (TRPCClientError.message); network failures are not.
import { TRPCClientError } from '@trpc/client';

function readCode(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || !('code' in data)) return undefined;
  return typeof data.code === 'string' ? data.code : undefined;
}

/** The tRPC error code (`UNAUTHORIZED`, `FORBIDDEN`, ...) or undefined for non-server errors. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof TRPCClientError ? readCode(error.data) : undefined;
}

export function describeError(error: unknown): string {
  if (error instanceof TRPCClientError) {
    // No data means the request never got a tRPC answer: network down, proxy error page.
    if (error.data === undefined || error.data === null) {
      return "Can't reach the server. Check your connection and try again.";
    }
    return error.message || 'The server could not complete the request.';
  }
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}
