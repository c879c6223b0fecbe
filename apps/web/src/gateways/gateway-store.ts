// Every configured gateway with its live status (STYLE.md §4): one store keyed by id, filled by
// `gateways.list` through a keyed reconcile and patched per `gateway.updated` with a path setter,
// so a status change re-renders that gateway's badge only. Shared by Settings → Gateways, the
// status strip on /sessions and the cron page; it lives while anything uses it.
import { type Accessor, batch, createSignal, onCleanup, runWithOwner } from 'solid-js';
import { createStore, produce, reconcile } from 'solid-js/store';
import { onLiveEvent, onLiveResync } from '../lib/live';
import { type GatewayItem, gatewayApi } from './gateway-api';
import { hasGatewayScope } from './gateway-format';

export type GatewaysLoadState = 'loading' | 'ready' | 'error';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** `gateway.updated` carries the whole view; check the parts we key on before trusting it. */
export function readGatewayUpdated(payload: unknown): GatewayItem | null {
  if (!isRecord(payload) || !isRecord(payload.gateway)) return null;
  const gateway = payload.gateway;
  if (typeof gateway.id !== 'string' || typeof gateway.status !== 'string' || typeof gateway.name !== 'string') return null;
  return gateway as unknown as GatewayItem;
}

function readGatewayId(payload: unknown): string | null {
  if (!isRecord(payload)) return null;
  if (typeof payload.gatewayId === 'string') return payload.gatewayId;
  return typeof payload.id === 'string' ? payload.id : null;
}

const [store, setStore] = createStore<{ gateways: GatewayItem[] }>({ gateways: [] });
const [loadState, setLoadState] = createSignal<GatewaysLoadState>('loading');
const [loadError, setLoadError] = createSignal<unknown>(null);

let users = 0;
let stopListening: Array<() => void> = [];
let loadGeneration = 0;
/** Views (or removals, as null) seen while a snapshot was in flight, re-applied on top of it. */
let changesDuringLoad: Map<string, GatewayItem | null> | null = null;

function applyGateway(view: GatewayItem): void {
  if (!store.gateways.some((gateway) => gateway.id === view.id)) {
    setStore('gateways', store.gateways.length, view);
    return;
  }
  setStore(
    'gateways',
    (gateway) => gateway.id === view.id,
    produce((gateway) => {
      Object.assign(gateway, view);
      // Fields the server leaves out (optional in the view) must not linger from before.
      if (!('pairing' in view)) gateway.pairing = null;
    }),
  );
}

function removeGateway(gatewayId: string): void {
  if (store.gateways.some((gateway) => gateway.id === gatewayId)) {
    setStore('gateways', (gateways) => gateways.filter((gateway) => gateway.id !== gatewayId));
  }
}

/** Fetches the snapshot; gateways already shown stay while it loads. */
export async function reloadGateways(): Promise<void> {
  const generation = ++loadGeneration;
  changesDuringLoad = new Map();
  if (loadState() === 'error') setLoadState('loading');
  try {
    const rows = await gatewayApi.gateways.list.query();
    if (generation !== loadGeneration || users === 0) return;
    const late = changesDuringLoad ?? new Map<string, GatewayItem | null>();
    changesDuringLoad = null;
    batch(() => {
      setStore('gateways', reconcile(rows, { key: 'id' }));
      for (const [gatewayId, view] of late) {
        if (view) applyGateway(view);
        else removeGateway(gatewayId);
      }
      setLoadError(null);
      setLoadState('ready');
    });
  } catch (error) {
    if (generation !== loadGeneration) return;
    changesDuringLoad = null;
    setLoadError(error);
    setLoadState('error');
  }
}

function start(): void {
  runWithOwner(null, () => {
    stopListening = [
      onLiveEvent('gateway.updated', (event) => {
        const view = readGatewayUpdated(event.payload);
        if (!view) return;
        applyGateway(view);
        changesDuringLoad?.set(view.id, view);
      }),
      onLiveEvent('gateway.removed', (event) => {
        const gatewayId = readGatewayId(event.payload);
        if (!gatewayId) return;
        removeGateway(gatewayId);
        changesDuringLoad?.set(gatewayId, null);
      }),
      onLiveResync(() => void reloadGateways()),
    ];
  });
  void reloadGateways();
}

function stop(): void {
  for (const dispose of stopListening) dispose();
  stopListening = [];
  loadGeneration += 1;
  changesDuringLoad = null;
  batch(() => {
    setStore('gateways', []);
    setLoadState('loading');
    setLoadError(null);
  });
}

export interface Gateways {
  /** In server order. */
  readonly list: readonly GatewayItem[];
  loadState: Accessor<GatewaysLoadState>;
  loadError: Accessor<unknown>;
  reload: () => Promise<void>;
  byId: (gatewayId: string | null | undefined) => GatewayItem | undefined;
  /** Apply a view the server just returned (after a mutation), ahead of its live event. */
  apply: (view: GatewayItem) => void;
  forget: (gatewayId: string) => void;
}

const api: Gateways = {
  get list() {
    return store.gateways;
  },
  loadState,
  loadError,
  reload: reloadGateways,
  byId: (gatewayId) => (gatewayId ? store.gateways.find((gateway) => gateway.id === gatewayId) : undefined),
  apply: applyGateway,
  forget: removeGateway,
};

/** The live gateways for a component: the first user loads them, the last one clears them. */
export function useGateways(): Gateways {
  users += 1;
  if (users === 1) start();
  onCleanup(() => {
    users -= 1;
    if (users === 0) stop();
  });
  return api;
}

/**
 * Why a gateway action can't work right now, as text, or null when it may. Only a connected
 * gateway whose granted scopes are known can be judged; otherwise the server's answer decides.
 */
export function missingScopeReason(gateway: GatewayItem | undefined, scope: string): string | null {
  if (gateway?.status !== 'ready') return null;
  if (hasGatewayScope(gateway.scopes, scope)) return null;
  return scope === 'operator.admin'
    ? `The connection to ${gateway.name} lacks operator.admin. An admin can enable "Request admin scope" in Settings → Gateways (the gateway then asks for a new approval).`
    : `The connection to ${gateway.name} lacks ${scope}.`;
}
