// The sessions list for the current filters, kept live (STYLE.md §4): a store keyed by id, the
// first page through a keyed reconcile, "Load more" appended, and each `session.updated` applied
// with a path setter so only that session's row re-renders. `sessions.resynced` (a gateway
// changed too many sessions at once) and a live resync refetch the first page.
import { type Accessor, batch, createEffect, createSignal, on, onCleanup, untrack } from 'solid-js';
import { createStore, produce, reconcile } from 'solid-js/store';
import { type SessionItem, gatewayApi } from '../gateways/gateway-api';
import { onLiveEvent, onLiveResync } from '../lib/live';
import { matchesSessionFilters, type SessionFilters, toListInput } from './session-filters';

export type SessionsLoadState = 'loading' | 'ready' | 'error';

const PAGE_SIZE = 100;
/** Typing in the search box refetches after this pause. */
const SEARCH_DEBOUNCE_MS = 250;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function readSessionUpdated(payload: unknown): SessionItem | null {
  if (!isRecord(payload) || !isRecord(payload.session)) return null;
  const session = payload.session;
  if (typeof session.id !== 'string' || typeof session.sessionKey !== 'string') return null;
  return session as unknown as SessionItem;
}

function readSessionRemoved(payload: unknown): { id: string | null; gatewayId: string | null; sessionKey: string | null } | null {
  if (!isRecord(payload)) return null;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return { id: text(payload.id), gatewayId: text(payload.gatewayId), sessionKey: text(payload.sessionKey) };
}

export interface SessionsStore {
  readonly items: readonly SessionItem[];
  readonly hasMore: boolean;
  loadState: Accessor<SessionsLoadState>;
  loadError: Accessor<unknown>;
  loadingMore: Accessor<boolean>;
  loadMoreError: Accessor<unknown>;
  reload: () => Promise<void>;
  loadMore: () => Promise<void>;
  byId: (id: string) => SessionItem | undefined;
  /** Drop a session the user just deleted, ahead of its live event. */
  forget: (id: string) => void;
  /** Every status and agent seen since the page opened, for the filter menus. */
  seenStatuses: Accessor<string[]>;
  seenAgents: Accessor<Array<{ id: string; name: string }>>;
}

export function createSessionsStore(filters: Accessor<SessionFilters>): SessionsStore {
  const [state, setState] = createStore<{ items: SessionItem[]; nextCursor: string | null }>({ items: [], nextCursor: null });
  const [loadState, setLoadState] = createSignal<SessionsLoadState>('loading');
  const [loadError, setLoadError] = createSignal<unknown>(null);
  const [loadingMore, setLoadingMore] = createSignal(false);
  const [loadMoreError, setLoadMoreError] = createSignal<unknown>(null);
  const [seenStatuses, setSeenStatuses] = createSignal<string[]>([], { equals: false });
  const [seenAgents, setSeenAgents] = createSignal<Array<{ id: string; name: string }>>([], { equals: false });
  // Plain variables: none of this is rendered.
  let generation = 0;
  let changesDuringLoad: Map<string, SessionItem | null> | null = null;
  let debounce: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  const statusSet = new Set<string>();
  const agentMap = new Map<string, string>();

  function remember(items: readonly SessionItem[]): void {
    let statusesChanged = false;
    let agentsChanged = false;
    for (const item of items) {
      if (item.status && !statusSet.has(item.status)) {
        statusSet.add(item.status);
        statusesChanged = true;
      }
      const agentKey = item.agentId ?? item.agentName;
      if (agentKey && !agentMap.has(agentKey)) {
        agentMap.set(agentKey, item.agentName ?? agentKey);
        agentsChanged = true;
      }
    }
    if (statusesChanged) setSeenStatuses([...statusSet].sort((a, b) => a.localeCompare(b)));
    if (agentsChanged) {
      setSeenAgents([...agentMap].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name)));
    }
  }

  function has(id: string): boolean {
    return state.items.some((item) => item.id === id);
  }

  function remove(id: string): void {
    if (has(id)) setState('items', (items) => items.filter((item) => item.id !== id));
  }

  function applySession(session: SessionItem): void {
    remember([session]);
    const matches = matchesSessionFilters(session, untrack(filters));
    if (!has(session.id)) {
      // New sessions go on top: the list is newest first.
      if (matches) setState('items', (items) => [session, ...items]);
      return;
    }
    if (!matches) {
      remove(session.id);
      return;
    }
    setState(
      'items',
      (item) => item.id === session.id,
      produce((item) => Object.assign(item, session)),
    );
  }

  async function reload(): Promise<void> {
    clearTimeout(debounce);
    const current = ++generation;
    changesDuringLoad = new Map();
    if (loadState() === 'error' || state.items.length === 0) setLoadState('loading');
    try {
      const page = await gatewayApi.sessions.list.query({ ...toListInput(untrack(filters)), limit: PAGE_SIZE });
      if (current !== generation || disposed) return;
      const late = changesDuringLoad ?? new Map<string, SessionItem | null>();
      changesDuringLoad = null;
      remember(page.items);
      batch(() => {
        setState('items', reconcile(page.items, { key: 'id' }));
        setState('nextCursor', page.nextCursor ?? null);
        for (const [id, session] of late) {
          if (session) applySession(session);
          else remove(id);
        }
        setLoadError(null);
        setLoadMoreError(null);
        setLoadState('ready');
      });
    } catch (error) {
      if (current !== generation || disposed) return;
      changesDuringLoad = null;
      setLoadError(error);
      setLoadState('error');
    }
  }

  async function loadMore(): Promise<void> {
    const cursor = state.nextCursor;
    if (!cursor || loadingMore()) return;
    const current = generation;
    setLoadingMore(true);
    setLoadMoreError(null);
    try {
      const page = await gatewayApi.sessions.list.query({ ...toListInput(untrack(filters)), cursor, limit: PAGE_SIZE });
      if (current !== generation || disposed) return;
      remember(page.items);
      const fresh = page.items.filter((item) => !has(item.id));
      batch(() => {
        setState('items', (items) => [...items, ...fresh]);
        setState('nextCursor', page.nextCursor ?? null);
      });
    } catch (error) {
      if (current === generation) setLoadMoreError(error);
    } finally {
      if (current === generation) setLoadingMore(false);
    }
  }

  onLiveEvent('session.updated', (event) => {
    const session = readSessionUpdated(event.payload);
    if (!session) return;
    applySession(session);
    changesDuringLoad?.set(session.id, session);
  });
  onLiveEvent('session.removed', (event) => {
    const removed = readSessionRemoved(event.payload);
    if (!removed) return;
    const target =
      (removed.id ? state.items.find((item) => item.id === removed.id) : undefined) ??
      state.items.find((item) => item.gatewayId === removed.gatewayId && item.sessionKey === removed.sessionKey);
    if (target) remove(target.id);
    if (removed.id) changesDuringLoad?.set(removed.id, null);
  });
  // A removed gateway's sessions go with it (deleted in the database, no event per session).
  onLiveEvent('gateway.removed', (event) => {
    const gatewayId = isRecord(event.payload) && typeof event.payload.gatewayId === 'string' ? event.payload.gatewayId : null;
    if (gatewayId && state.items.some((item) => item.gatewayId === gatewayId)) {
      setState('items', (items) => items.filter((item) => item.gatewayId !== gatewayId));
    }
  });
  onLiveEvent('sessions.resynced', () => void reload());
  onLiveResync(() => void reload());

  // Refetch when the filters change; the search box waits for a pause in typing.
  createEffect(
    on(
      () => {
        const current = filters();
        return [current.gateway, current.agent, current.status, current.source, current.query] as const;
      },
      (next, previous) => {
        clearTimeout(debounce);
        if (previous && next.slice(0, 4).every((value, index) => value === previous[index]) && next[4] !== previous[4]) {
          debounce = setTimeout(() => void reload(), SEARCH_DEBOUNCE_MS);
          return;
        }
        void reload();
      },
    ),
  );

  onCleanup(() => {
    disposed = true;
    clearTimeout(debounce);
  });

  return {
    get items() {
      return state.items;
    },
    get hasMore() {
      return state.nextCursor !== null;
    },
    loadState,
    loadError,
    loadingMore,
    loadMoreError,
    reload,
    loadMore,
    byId: (id) => state.items.find((item) => item.id === id),
    forget: remove,
    seenStatuses,
    seenAgents,
  };
}
