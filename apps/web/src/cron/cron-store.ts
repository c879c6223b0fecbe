// Cron jobs of every gateway, kept live (STYLE.md §4): a store keyed by id, filled by `cron.list`
// through a keyed reconcile and patched per `cron.updated` with a path setter. Run histories are
// fetched per expanded job and grow from `cron.run` events.
import { type Accessor, batch, createSignal, onCleanup } from 'solid-js';
import { createStore, produce, reconcile } from 'solid-js/store';
import { type CronJob, type CronRun, gatewayApi } from '../gateways/gateway-api';
import { onLiveEvent, onLiveResync } from '../lib/live';

export type CronLoadState = 'loading' | 'ready' | 'error';
const RUN_HISTORY_LIMIT = 20;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function readCronUpdated(payload: unknown): CronJob | null {
  if (!isRecord(payload) || !isRecord(payload.job)) return null;
  const job = payload.job;
  if (typeof job.id !== 'string' || typeof job.jobId !== 'string' || typeof job.gatewayId !== 'string') return null;
  return job as unknown as CronJob;
}

export interface CronFailure {
  gatewayName: string | null;
  jobName: string | null;
  jobId: string;
  error: string;
}

export function runsKey(gatewayId: string, jobId: string): string {
  return `${gatewayId}\u0000${jobId}`;
}

export interface RunHistory {
  state: 'loading' | 'ready' | 'error';
  error: unknown;
  items: CronRun[];
}

export interface CronStore {
  readonly jobs: readonly CronJob[];
  loadState: Accessor<CronLoadState>;
  loadError: Accessor<unknown>;
  reload: () => Promise<void>;
  lastFailure: Accessor<CronFailure | null>;
  runs: (gatewayId: string, jobId: string) => RunHistory | undefined;
  loadRuns: (gatewayId: string, jobId: string) => Promise<void>;
  dropRuns: (gatewayId: string, jobId: string) => void;
}

export function createCronStore(): CronStore {
  const [state, setState] = createStore<{ jobs: CronJob[]; runs: Record<string, RunHistory> }>({ jobs: [], runs: {} });
  const [loadState, setLoadState] = createSignal<CronLoadState>('loading');
  const [loadError, setLoadError] = createSignal<unknown>(null);
  const [lastFailure, setLastFailure] = createSignal<CronFailure | null>(null);
  let generation = 0;
  let changesDuringLoad: Map<string, CronJob | null> | null = null;
  let disposed = false;

  function has(id: string): boolean {
    return state.jobs.some((job) => job.id === id);
  }

  function applyJob(job: CronJob): void {
    if (!has(job.id)) {
      setState('jobs', state.jobs.length, job);
      return;
    }
    setState(
      'jobs',
      (item) => item.id === job.id,
      produce((item) => Object.assign(item, job)),
    );
  }

  function removeJob(id: string): void {
    if (has(id)) setState('jobs', (jobs) => jobs.filter((job) => job.id !== id));
  }

  async function reload(): Promise<void> {
    const current = ++generation;
    changesDuringLoad = new Map();
    if (loadState() === 'error') setLoadState('loading');
    try {
      const jobs = await gatewayApi.cron.list.query({});
      if (current !== generation || disposed) return;
      const late = changesDuringLoad ?? new Map<string, CronJob | null>();
      changesDuringLoad = null;
      batch(() => {
        setState('jobs', reconcile(jobs, { key: 'id' }));
        for (const [id, job] of late) {
          if (job) applyJob(job);
          else removeJob(id);
        }
        setLoadError(null);
        setLoadState('ready');
      });
      // Open histories may have missed runs as well.
      for (const key of Object.keys(state.runs)) {
        const [gatewayId, jobId] = key.split('\u0000');
        if (gatewayId && jobId) void loadRuns(gatewayId, jobId);
      }
    } catch (error) {
      if (current !== generation || disposed) return;
      changesDuringLoad = null;
      setLoadError(error);
      setLoadState('error');
    }
  }

  async function loadRuns(gatewayId: string, jobId: string): Promise<void> {
    const key = runsKey(gatewayId, jobId);
    const existing = state.runs[key];
    if (existing) setState('runs', key, { state: existing.items.length > 0 ? existing.state : 'loading', error: null });
    else setState('runs', key, { state: 'loading', error: null, items: [] });
    try {
      const items = await gatewayApi.cron.runs.query({ gatewayId, jobId, limit: RUN_HISTORY_LIMIT });
      if (disposed || !state.runs[key]) return;
      batch(() => {
        setState('runs', key, 'items', reconcile(items, { key: 'runId' }));
        setState('runs', key, { state: 'ready', error: null });
      });
    } catch (error) {
      if (disposed || !state.runs[key]) return;
      setState('runs', key, { state: 'error', error });
    }
  }

  function dropRuns(gatewayId: string, jobId: string): void {
    setState(
      'runs',
      produce((runs) => {
        delete runs[runsKey(gatewayId, jobId)];
      }),
    );
  }

  onLiveEvent('cron.updated', (event) => {
    const job = readCronUpdated(event.payload);
    if (!job) return;
    applyJob(job);
    changesDuringLoad?.set(job.id, job);
  });
  onLiveEvent('cron.removed', (event) => {
    const payload = isRecord(event.payload) ? event.payload : {};
    const id =
      text(payload.id) ??
      state.jobs.find((job) => job.gatewayId === text(payload.gatewayId) && job.jobId === text(payload.jobId))?.id ??
      null;
    if (!id) return;
    removeJob(id);
    changesDuringLoad?.set(id, null);
  });
  onLiveEvent('cron.run', (event) => {
    const payload = isRecord(event.payload) ? event.payload : {};
    const gatewayId = text(payload.gatewayId);
    const jobId = text(payload.jobId);
    const run = isRecord(payload.run) && typeof payload.run.runId === 'string' ? (payload.run as unknown as CronRun) : null;
    if (!gatewayId || !jobId || !run) return;
    const key = runsKey(gatewayId, jobId);
    const history = state.runs[key];
    if (history?.state !== 'ready') return;
    if (history.items.some((item) => item.runId === run.runId)) {
      setState('runs', key, 'items', (item) => item.runId === run.runId, produce((item) => Object.assign(item, run)));
      return;
    }
    setState('runs', key, 'items', (items) => [run, ...items].slice(0, RUN_HISTORY_LIMIT));
  });
  onLiveEvent('cron.failed', (event) => {
    const payload = isRecord(event.payload) ? event.payload : {};
    const jobId = text(payload.jobId);
    if (!jobId) return;
    setLastFailure({
      gatewayName: text(payload.gatewayName),
      jobName: text(payload.jobName),
      jobId,
      error: text(payload.error) ?? 'The run failed.',
    });
  });
  // A removed gateway's jobs go with it (deleted in the database, no event per job).
  onLiveEvent('gateway.removed', (event) => {
    const gatewayId = isRecord(event.payload) ? text(event.payload.gatewayId) : null;
    if (gatewayId && state.jobs.some((job) => job.gatewayId === gatewayId)) {
      setState('jobs', (jobs) => jobs.filter((job) => job.gatewayId !== gatewayId));
    }
  });
  onLiveResync(() => void reload());
  onCleanup(() => {
    disposed = true;
  });
  void reload();

  return {
    get jobs() {
      return state.jobs;
    },
    loadState,
    loadError,
    reload,
    lastFailure,
    runs: (gatewayId, jobId) => state.runs[runsKey(gatewayId, jobId)],
    loadRuns,
    dropRuns,
  };
}
