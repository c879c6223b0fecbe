// The fleet: every agent, kept live (STYLE.md §4). One store keyed by id, filled by
// `agents.list` through a keyed reconcile and patched per event with path setters, so an
// agent.updated re-renders that agent's row only. Shared by the nav badge (always mounted
// while signed in) and the fleet pages; it lives while anything uses it.
import type { AgentView } from '@mc/api';
import { type Accessor, batch, createEffect, createMemo, createRoot, createSignal, on, onCleanup, runWithOwner } from 'solid-js';
import { createStore, produce, reconcile } from 'solid-js/store';
import { connectionState, type LiveEvent, onLiveEvent, onLiveResync } from '../lib/live';
import { type QueryOutput, trpc } from '../lib/trpc';
import { notifyNeedsInput } from './needs-input-notifier';

export type FleetAgent = QueryOutput<typeof trpc.agents.list>[number];
export type AgentStatus = FleetAgent['status'];
export type FleetLoadState = 'loading' | 'ready' | 'error';

/** The usage part of agent.updated / usage.recorded payloads (summaryForEvent in @mc/api usage-writer.ts). */
export interface UsageDelta {
  recorded: number;
  costUsd: number;
  unpriced: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export interface AgentUpdatedPayload {
  agentId: string;
  agent: AgentView;
  statusChanged?: boolean;
  usage?: UsageDelta;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function readUsage(value: unknown): UsageDelta | undefined {
  if (!isRecord(value)) return undefined;
  const fields = ['recorded', 'costUsd', 'unpriced', 'inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens'];
  return fields.every((field) => typeof value[field] === 'number') ? (value as unknown as UsageDelta) : undefined;
}

/** Event payloads arrive as `unknown` JSON: check the parts we rely on instead of trusting a cast. */
export function readAgentUpdated(payload: unknown): AgentUpdatedPayload | null {
  if (!isRecord(payload) || typeof payload.agentId !== 'string' || !isRecord(payload.agent)) return null;
  const agent = payload.agent;
  if (agent.id !== payload.agentId || typeof agent.name !== 'string' || typeof agent.status !== 'string') return null;
  return {
    agentId: payload.agentId,
    agent: agent as unknown as AgentView,
    statusChanged: payload.statusChanged === true,
    usage: readUsage(payload.usage),
  };
}

function readAgentId(payload: unknown): string | null {
  return isRecord(payload) && typeof payload.agentId === 'string' ? payload.agentId : null;
}

/** Local midnight: "today" for the tokens and cost columns is the viewer's day. */
export function startOfLocalDay(nowMs: number = Date.now()): Date {
  const day = new Date(nowMs);
  day.setHours(0, 0, 0, 0);
  return day;
}

/** Money arrives as USD with at most 9 decimals (nano-USD); keep sums at that precision. */
function addUsd(a: number, b: number): number {
  return Math.round((a + b) * 1e9) / 1e9;
}

function usageTokens(usage: UsageDelta): number {
  return usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
}

const [fleet, setFleet] = createStore<{ agents: FleetAgent[] }>({ agents: [] });
const [loadState, setLoadState] = createSignal<FleetLoadState>('loading');
const [loadError, setLoadError] = createSignal<unknown>(null);

const needsInputCount = createRoot(() =>
  createMemo(() => fleet.agents.reduce((count, agent) => (agent.status === 'needs_input' ? count + 1 : count), 0)),
);

// Plain variables: none of this is rendered.
let users = 0;
let stopListening: Array<() => void> = [];
let loadGeneration = 0;
/** Agent views (or removals, as null) seen while a snapshot was in flight, re-applied on top of it. */
let changesDuringLoad: Map<string, AgentView | null> | null = null;
let loadedDayMs = 0;
let midnightTimer: ReturnType<typeof setTimeout> | undefined;
let refetchWhenVisible = false;

function hasAgent(agentId: string): boolean {
  return fleet.agents.some((agent) => agent.id === agentId);
}

function applyAgentView(view: AgentView): void {
  if (!hasAgent(view.id)) {
    setFleet('agents', fleet.agents.length, { ...view, tokensToday: 0, costTodayUsd: 0, unpricedToday: 0 });
    return;
  }
  setFleet(
    'agents',
    (agent) => agent.id === view.id,
    produce((agent) => Object.assign(agent, view)),
  );
}

function applyUsage(agentId: string, usage: UsageDelta): void {
  if (usage.recorded <= 0) return;
  setFleet(
    'agents',
    (agent) => agent.id === agentId,
    produce((agent) => {
      agent.tokensToday += usageTokens(usage);
      agent.costTodayUsd = addUsd(agent.costTodayUsd, usage.costUsd);
      agent.unpricedToday += usage.unpriced;
    }),
  );
}

function removeAgent(agentId: string): void {
  if (hasAgent(agentId)) setFleet('agents', (agents) => agents.filter((agent) => agent.id !== agentId));
}

function handleAgentUpdated(event: LiveEvent): void {
  const update = readAgentUpdated(event.payload);
  if (!update) return;
  batch(() => {
    applyAgentView(update.agent);
    if (update.usage) applyUsage(update.agentId, update.usage);
  });
  changesDuringLoad?.set(update.agentId, update.agent);
  if (update.statusChanged && update.agent.status === 'needs_input') notifyNeedsInput(update.agent, event.id);
}

function handleUsageRecorded(payload: unknown): void {
  const agentId = readAgentId(payload);
  const usage = isRecord(payload) ? readUsage(payload.usage) : undefined;
  if (agentId && usage) applyUsage(agentId, usage);
}

function handleAgentRemoved(payload: unknown): void {
  const agentId = readAgentId(payload);
  if (!agentId) return;
  removeAgent(agentId);
  changesDuringLoad?.set(agentId, null);
}

/** Fetches the snapshot; rows already shown stay while it loads (a resync doesn't blank the table). */
export async function reloadFleet(): Promise<void> {
  const generation = ++loadGeneration;
  changesDuringLoad = new Map();
  if (loadState() === 'error') setLoadState('loading');
  const since = startOfLocalDay();
  try {
    const rows = await trpc.agents.list.query({ since: since.toISOString() });
    if (generation !== loadGeneration || users === 0) return;
    const lateChanges = changesDuringLoad ?? new Map<string, AgentView | null>();
    changesDuringLoad = null;
    loadedDayMs = since.getTime();
    batch(() => {
      setFleet('agents', reconcile(rows, { key: 'id' }));
      // Events that arrived while the query ran may be newer than what it read.
      for (const [agentId, view] of lateChanges) {
        if (view) applyAgentView(view);
        else removeAgent(agentId);
      }
      setLoadError(null);
      setLoadState('ready');
    });
    scheduleMidnightReload();
  } catch (error) {
    if (generation !== loadGeneration) return;
    changesDuringLoad = null;
    setLoadError(error);
    setLoadState('error');
  }
}

/** Tokens and cost are "today": start again from a fresh snapshot when the local day changes. */
function scheduleMidnightReload(): void {
  clearTimeout(midnightTimer);
  const nextMidnightMs = startOfLocalDay().getTime() + 86_400_000;
  // +1 s: land safely inside the new day even if the timer fires a little early.
  midnightTimer = setTimeout(reloadIfNewDay, nextMidnightMs - Date.now() + 1_000);
}

function reloadIfNewDay(): void {
  if (users === 0 || startOfLocalDay().getTime() === loadedDayMs) return;
  if (document.visibilityState === 'hidden') {
    refetchWhenVisible = true; // nothing fetches while the tab is hidden
    return;
  }
  void reloadFleet();
}

function handleVisibilityChange(): void {
  if (document.visibilityState === 'hidden' || !refetchWhenVisible) return;
  refetchWhenVisible = false;
  reloadIfNewDay();
}

function start(): void {
  // Registered without an owner: the handlers live as long as the store, not the first component.
  runWithOwner(null, () => {
    stopListening = [
      onLiveEvent('agent.updated', handleAgentUpdated),
      onLiveEvent('usage.recorded', (event) => handleUsageRecorded(event.payload)),
      onLiveEvent('agent.removed', (event) => handleAgentRemoved(event.payload)),
      onLiveResync(() => void reloadFleet()),
    ];
  });
  // The first snapshot usually leaves before the stream is listening; what happened in between
  // would only show at the agents' next heartbeats. Read it once more when the stream is up
  // (later reconnects resume from the last event id, so this happens once per start).
  if (connectionState() !== 'live') {
    createRoot((dispose) => {
      stopListening.push(dispose);
      createEffect(
        on(connectionState, (state) => {
          if (state !== 'live') return;
          dispose();
          void reloadFleet();
        }),
      );
    });
  }
  document.addEventListener('visibilitychange', handleVisibilityChange);
  void reloadFleet();
}

function stop(): void {
  for (const dispose of stopListening) dispose();
  stopListening = [];
  document.removeEventListener('visibilitychange', handleVisibilityChange);
  clearTimeout(midnightTimer);
  midnightTimer = undefined;
  refetchWhenVisible = false;
  loadGeneration += 1;
  changesDuringLoad = null;
  // Signed out: forget everything, so the next user starts from a fresh snapshot.
  batch(() => {
    setFleet('agents', []);
    setLoadState('loading');
    setLoadError(null);
  });
}

export interface Fleet {
  /** Agents in server order (by name); the page sorts and filters. */
  agents: readonly FleetAgent[];
  loadState: Accessor<FleetLoadState>;
  loadError: Accessor<unknown>;
  needsInputCount: Accessor<number>;
  reload: () => Promise<void>;
  byId: (agentId: string) => FleetAgent | undefined;
}

const fleetApi: Fleet = {
  get agents() {
    return fleet.agents;
  },
  loadState,
  loadError,
  needsInputCount,
  reload: reloadFleet,
  byId: (agentId) => fleet.agents.find((agent) => agent.id === agentId),
};

/** The live fleet for a component; the first user starts it, the last one (sign-out) clears it. */
export function useFleet(): Fleet {
  users += 1;
  if (users === 1) start();
  onCleanup(() => {
    users -= 1;
    if (users === 0) stop();
  });
  return fleetApi;
}
