// In-flight RPC table: matches res frames to calls by id, enforces per-call timeouts, rejects
// everything on disconnect. Knows nothing about sockets; the client sends the frame itself.
import { callErrorFromResponse, type GatewayCallError, localCallError } from './call-errors.ts';
import type { ResponseFrame } from './frames.ts';

type PendingCall = {
  method: string;
  startedAt: number;
  timer: ReturnType<typeof setTimeout>;
  resolve: (payload: unknown) => void;
  reject: (error: GatewayCallError) => void;
};

export type PendingCalls = {
  /** Registers a call; the promise settles on its res, its timeout, or rejectAll. */
  register(id: string, method: string, timeoutMs: number): Promise<unknown>;
  /** Settles the matching call. Returns its round-trip in ms, or null for an unknown/late id. */
  settle(frame: ResponseFrame): { method: string; latencyMs: number } | null;
  rejectAll(makeError: (method: string) => GatewayCallError): void;
  size(): number;
};

export function createPendingCalls(deps: { now: () => number }): PendingCalls {
  const calls = new Map<string, PendingCall>();

  function register(id: string, method: string, timeoutMs: number): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        calls.delete(id);
        reject(localCallError(method, 'TIMEOUT', `${method} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      calls.set(id, { method, startedAt: deps.now(), timer, resolve, reject });
    });
  }

  function settle(frame: ResponseFrame): { method: string; latencyMs: number } | null {
    const call = calls.get(frame.id);
    if (call === undefined) return null;
    calls.delete(frame.id);
    clearTimeout(call.timer);
    if (frame.ok) call.resolve(frame.payload);
    else call.reject(callErrorFromResponse(call.method, frame.error ?? { code: 'UNKNOWN', message: '' }));
    return { method: call.method, latencyMs: Math.max(0, deps.now() - call.startedAt) };
  }

  function rejectAll(makeError: (method: string) => GatewayCallError): void {
    const all = [...calls.values()];
    calls.clear();
    for (const call of all) {
      clearTimeout(call.timer);
      call.reject(makeError(call.method));
    }
  }

  return { register, settle, rejectAll, size: () => calls.size };
}
