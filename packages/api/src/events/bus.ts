// In-process event bus: fan-out of committed domain events to live subscribers (tRPC, SSE, webhooks).
// Behind this interface so a multi-node deployment can swap in LISTEN/NOTIFY (ARCHITECTURE.md §9).
import type { Role } from '../auth/roles.ts';

export type BusEvent = {
  id: number;
  type: string;
  payload: unknown;
  createdAt: string;
  minRole: Role;
  agentId: string | null;
};

export type EventBus = {
  publish(events: readonly BusEvent[]): void;
  subscribe(listener: (event: BusEvent) => void): () => void;
  /** Buffered async stream of events until `signal` aborts; start listening before catching up. */
  listen(signal: AbortSignal): AsyncIterable<BusEvent>;
  /** Process-local signal (not an event row): sessions revoked, so their sockets must close. */
  revokeSessions(sessionIds: readonly string[]): void;
  onSessionsRevoked(listener: (sessionIds: readonly string[]) => void): () => void;
  listenerCount(): number;
};

export function createEventBus(): EventBus {
  const listeners = new Set<(event: BusEvent) => void>();
  const revocationListeners = new Set<(ids: readonly string[]) => void>();

  function subscribe(listener: (event: BusEvent) => void) {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }

  return {
    publish(events) {
      for (const event of events) {
        for (const listener of listeners) {
          try {
            listener(event);
          } catch {
            // A broken subscriber must not stop delivery to the others; subscribers log their own errors.
          }
        }
      }
    },
    subscribe,
    listen(signal) {
      const queue: BusEvent[] = [];
      let wake: (() => void) | null = null;
      const unsubscribe = subscribe((event) => {
        queue.push(event);
        wake?.();
      });
      const onAbort = () => {
        unsubscribe();
        wake?.();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      return {
        async *[Symbol.asyncIterator]() {
          try {
            while (!signal.aborted) {
              const next = queue.shift();
              if (next) {
                yield next;
                continue;
              }
              await new Promise<void>((resolve) => {
                wake = resolve;
              });
              wake = null;
            }
          } finally {
            unsubscribe();
            signal.removeEventListener('abort', onAbort);
          }
        },
      };
    },
    revokeSessions(sessionIds) {
      for (const listener of revocationListeners) listener(sessionIds);
    },
    onSessionsRevoked(listener) {
      revocationListeners.add(listener);
      return () => {
        revocationListeners.delete(listener);
      };
    },
    listenerCount: () => listeners.size,
  };
}
