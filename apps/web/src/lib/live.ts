// Realtime store: the app's one `events.onEvent` subscription (ARCHITECTURE.md §3).
// Panels register handlers by event type; the tab pauses (unsubscribes and closes the
// socket) after a grace period while hidden and resumes from the last tracked id.
import { createSignal, getOwner, onCleanup } from 'solid-js';
import { createStore } from 'solid-js/store';
import { errorCode } from './client-errors';
import { refreshSession } from './session';
import { trpc, wsClient } from './trpc';

export type LiveConnectionState = 'live' | 'paused' | 'reconnecting' | 'offline';

export interface LiveEvent {
  id: string;
  type: string;
  payload: unknown;
  createdAt: string;
}

/** What the server yields inside `tracked(id, data)`: an event row, or `{ type: 'resync' }`. */
interface LiveMessageData {
  type: string;
  id?: string | number | bigint;
  payload?: unknown;
  createdAt?: string | Date;
}

type LiveEventHandler = (event: LiveEvent) => void;

const DEFAULT_PAUSE_GRACE_MS = 5_000;
const RECENT_EVENT_LIMIT = 50;
const MAX_RETRY_DELAY_MS = 30_000;
/** Matches every event type in onLiveEvent. */
export const ANY_EVENT = '*';

const [connectionState, setConnectionState] = createSignal<LiveConnectionState>('offline');
/** Connection state for the header indicator. */
export { connectionState };

const [recentStore, setRecentStore] = createStore<{ events: LiveEvent[] }>({ events: [] });
/** The newest events first, at most 50, kept across page changes. */
export function recentEvents(): LiveEvent[] {
  return recentStore.events;
}

const handlersByType = new Map<string, Set<LiveEventHandler>>();
const resyncHandlers = new Set<() => void>();

// Plain variables, not signals: reading the cursor must never re-subscribe anything.
let lastEventId: string | null = null;
let subscription: { unsubscribe: () => void } | null = null;
let running = false;
let paused = false;
let pauseTimer: ReturnType<typeof setTimeout> | undefined;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let retryAttempt = 0;
let closingSocket: Promise<void> | null = null;
/** Set when resuming without a cursor: we can't know what was missed, so panels refetch once live. */
let resyncWhenStarted = false;

function pauseGraceMs(): number {
  // Tests shorten the grace through localStorage; anything unparsable means the default.
  const override = Number.parseInt(localStorage.getItem('mc.pauseGraceMs') ?? '', 10);
  return Number.isFinite(override) && override >= 0 ? override : DEFAULT_PAUSE_GRACE_MS;
}

/** Numeric ids (the Event table's) compare as numbers; anything else is taken as new. */
function isAfter(id: string, previous: string | null): boolean {
  if (previous === null) return true;
  if (/^\d+$/.test(id) && /^\d+$/.test(previous)) return BigInt(id) > BigInt(previous);
  return id !== previous;
}

function toLiveEvent(trackedId: string, data: LiveMessageData): LiveEvent {
  const createdAt = data.createdAt instanceof Date ? data.createdAt.toISOString() : data.createdAt;
  return {
    id: data.id === undefined ? trackedId : String(data.id),
    type: data.type,
    payload: data.payload ?? null,
    createdAt: createdAt ?? new Date().toISOString(),
  };
}

function callEach<T>(handlers: Iterable<(arg: T) => void>, arg: T): void {
  for (const handler of [...handlers]) {
    try {
      handler(arg);
    } catch (error) {
      // One broken panel must not stop the others from getting the event.
      console.error('live event handler failed', error);
    }
  }
}

function handleMessage(trackedId: string | undefined, data: LiveMessageData): void {
  if (data.type === 'cursor') {
    // A fresh stream's starting point: nothing to show, but a pause from here resumes exactly.
    if (trackedId && isAfter(trackedId, lastEventId)) lastEventId = trackedId;
    return;
  }
  if (data.type === 'resync') {
    // The gap exceeded retention: panels refetch, and the stream continues from here.
    if (trackedId) lastEventId = trackedId;
    callEach(resyncHandlers, undefined);
    return;
  }
  const event = toLiveEvent(trackedId ?? '', data);
  const cursor = trackedId ?? event.id;
  if (!isAfter(cursor, lastEventId)) return; // already seen (overlapping resume)
  lastEventId = cursor;
  setRecentStore('events', (events) => [event, ...events].slice(0, RECENT_EVENT_LIMIT));
  callEach(handlersByType.get(event.type) ?? [], event);
  callEach(handlersByType.get(ANY_EVENT) ?? [], event);
}

function scheduleRetry(): void {
  clearTimeout(retryTimer);
  const delayMs = Math.min(1_000 * 2 ** retryAttempt, MAX_RETRY_DELAY_MS);
  retryAttempt += 1;
  retryTimer = setTimeout(() => {
    retryTimer = undefined;
    if (running && !paused) subscribe();
  }, delayMs);
}

function subscribe(): void {
  subscription?.unsubscribe();
  setConnectionState(navigator.onLine ? 'reconnecting' : 'offline');
  let started = false;
  const current = trpc.events.onEvent.subscribe(
    { lastEventId },
    {
      onStarted: () => {
        started = true;
        retryAttempt = 0;
        setConnectionState('live');
        if (resyncWhenStarted) {
          // After the server is listening, so nothing falls between the refetch and the stream.
          resyncWhenStarted = false;
          callEach(resyncHandlers, undefined);
        }
      },
      onData: (message) => handleMessage(message.id, message.data),
      onConnectionStateChange: (state) => {
        // `connecting` with an error means the socket dropped; the client reconnects and
        // resubscribes with the last id it delivered.
        // `started` is sent once per subscription, so after a reconnect the open socket
        // (`pending`) is the sign the stream is flowing again.
        if (state.state === 'connecting' && state.error) {
          setConnectionState(navigator.onLine ? 'reconnecting' : 'offline');
        } else if (state.state === 'pending' && started) {
          setConnectionState('live');
        }
      },
      onError: (error) => {
        if (subscription !== current) return;
        subscription = null;
        const code = errorCode(error);
        if (code === 'UNAUTHORIZED' || code === 'FORBIDDEN') {
          setConnectionState('offline');
          void refreshSession(); // the session ended; the layout sends the user to /login
          return;
        }
        setConnectionState(navigator.onLine ? 'reconnecting' : 'offline');
        scheduleRetry();
      },
      onComplete: () => {
        // The server ended the stream (e.g. shutting down): come back after a pause.
        if (subscription !== current) return;
        subscription = null;
        if (running && !paused) {
          setConnectionState('reconnecting');
          scheduleRetry();
        }
      },
    },
  );
  subscription = current;
}

function closeSocket(): void {
  const closing = wsClient.close().catch((error: unknown) => {
    console.error('closing the live socket failed', error);
  });
  closingSocket = closing;
  void closing.finally(() => {
    if (closingSocket === closing) closingSocket = null;
  });
}

function pause(): void {
  pauseTimer = undefined;
  if (!running || paused) return;
  paused = true;
  clearTimeout(retryTimer);
  retryTimer = undefined;
  subscription?.unsubscribe();
  subscription = null;
  closeSocket();
  setConnectionState('paused');
}

async function resume(): Promise<void> {
  paused = false;
  retryAttempt = 0;
  // Every stream starts with a cursor message, so an id is normally known; without one (paused
  // before the stream opened) whatever happened meanwhile is only recoverable by refetching.
  if (lastEventId === null) resyncWhenStarted = true;
  setConnectionState('reconnecting');
  // Reopening while the old socket is still closing would race inside the WS client.
  if (closingSocket) await closingSocket;
  if (running && !paused && subscription === null) subscribe();
}

function handleVisibilityChange(): void {
  if (!running) return;
  if (document.visibilityState === 'hidden') {
    clearTimeout(pauseTimer);
    pauseTimer = setTimeout(pause, pauseGraceMs());
    return;
  }
  clearTimeout(pauseTimer);
  pauseTimer = undefined;
  if (paused) void resume();
}

function handleOnline(): void {
  if (!running || paused || subscription !== null) return;
  clearTimeout(retryTimer);
  retryAttempt = 0;
  subscribe();
}

function handleOffline(): void {
  if (running && !paused) setConnectionState('offline');
}

/** Starts the stream for a signed-in user. Idempotent. */
export function startLive(): void {
  if (running) return;
  running = true;
  paused = false;
  document.addEventListener('visibilitychange', handleVisibilityChange);
  window.addEventListener('online', handleOnline);
  window.addEventListener('offline', handleOffline);
  if (document.visibilityState === 'hidden') {
    // Opened in a background tab: don't connect until someone looks.
    paused = true;
    setConnectionState('paused');
    return;
  }
  subscribe();
}

/** Stops the stream and forgets the cursor and recent events (sign-out). */
export function stopLive(): void {
  if (!running) return;
  running = false;
  paused = false;
  document.removeEventListener('visibilitychange', handleVisibilityChange);
  window.removeEventListener('online', handleOnline);
  window.removeEventListener('offline', handleOffline);
  clearTimeout(pauseTimer);
  clearTimeout(retryTimer);
  pauseTimer = undefined;
  retryTimer = undefined;
  subscription?.unsubscribe();
  subscription = null;
  closeSocket();
  lastEventId = null;
  resyncWhenStarted = false;
  setRecentStore('events', []);
  setConnectionState('offline');
}

function addHandler<T>(set: Set<T>, handler: T): () => void {
  set.add(handler);
  const dispose = () => {
    set.delete(handler);
  };
  // Inside a component: unregister with it.
  if (getOwner()) onCleanup(dispose);
  return dispose;
}

/** Calls `handler` for each live event of `type` (or every event with ANY_EVENT). */
export function onLiveEvent(type: string, handler: LiveEventHandler): () => void {
  let handlers = handlersByType.get(type);
  if (!handlers) {
    handlers = new Set();
    handlersByType.set(type, handlers);
  }
  return addHandler(handlers, handler);
}

/** Calls `handler` when the server says events were lost and everything must be refetched. */
export function onLiveResync(handler: () => void): () => void {
  return addHandler(resyncHandlers, handler);
}
