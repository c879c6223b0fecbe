// /cron: every gateway's cron jobs, grouped per gateway and live. Next run in relative and
// absolute time, last status and duration, failures in a row called out; a job expands into its
// run history; admins can "Run now" when the gateway connection holds operator.admin.
import { A } from '@solidjs/router';
import { createMemo, createSignal, createUniqueId, For, Match, Show, Switch } from 'solid-js';
import { EmptyState, ErrorState, LoadingState } from '../components/ListStates';
import { FormError } from '../components/FormError';
import { useNow } from '../agents/now-ticker';
import { type CronJob, type GatewayItem, gatewayApi } from '../gateways/gateway-api';
import { missingScopeReason, useGateways } from '../gateways/gateway-store';
import { GatewayStatusBadge } from '../gateways/GatewayStatusBadge';
import { describeError } from '../lib/client-errors';
import { createMutation } from '../lib/create-mutation';
import { formatDateTime, formatRelative } from '../lib/format-time';
import { hasRole } from '../lib/roles';
import { useCurrentUser } from '../lib/session';
import { createCronStore, type CronStore } from './cron-store';
import { failureLevel, failureText, formatDuration, runStatusLabel } from './cron-format';
import '../gateways/gateways.css';
import './cron.css';

function When(props: { at: string | null; nowMs: number; empty: string; upcoming?: boolean }) {
  // A next run in the past means the gateway hasn't run it yet (or we haven't heard): say so.
  const overdue = (at: string) => props.upcoming === true && new Date(at).getTime() < props.nowMs - 60_000;
  return (
    <Show when={props.at} fallback={<span class="cron-muted">{props.empty}</span>}>
      {(at) => (
        <span class="cron-when">
          <span>
            {overdue(at()) ? 'was due ' : ''}
            {formatRelative(at(), props.nowMs)}
          </span>
          <time class="cron-absolute" datetime={at()}>
            {formatDateTime(at())}
          </time>
        </span>
      )}
    </Show>
  );
}

function RunHistory(props: { store: CronStore; job: CronJob }) {
  const history = () => props.store.runs(props.job.gatewayId, props.job.jobId);
  return (
    <div class="cron-runs">
      <Switch>
        <Match when={history()?.state === 'error' && (history()?.items.length ?? 0) === 0}>
          <ErrorState
            error={history()?.error}
            onRetry={() => void props.store.loadRuns(props.job.gatewayId, props.job.jobId)}
          />
        </Match>
        <Match when={history()?.state === 'loading' && (history()?.items.length ?? 0) === 0}>
          <LoadingState label={`Loading runs of ${props.job.name}…`} />
        </Match>
        <Match when={(history()?.items.length ?? 0) === 0}>
          <EmptyState>No runs recorded yet.</EmptyState>
        </Match>
        <Match when={history()}>
          {(loaded) => (
            <table class="table cron-runs-table">
              <caption class="visually-hidden">Recent runs of {props.job.name}</caption>
              <thead>
                <tr>
                  <th scope="col">Started</th>
                  <th scope="col">Status</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Model</th>
                  <th scope="col">Tokens in / out</th>
                  <th scope="col">Result</th>
                </tr>
              </thead>
              <tbody>
                <For each={loaded().items}>
                  {(run) => (
                    <tr data-status={run.status}>
                      <td data-label="Started">{formatDateTime(run.runAt)}</td>
                      <td data-label="Status">
                        <span class="cron-run-status" data-status={run.status}>
                          {runStatusLabel(run.status)}
                        </span>
                      </td>
                      <td data-label="Duration">{formatDuration(run.durationMs)}</td>
                      <td data-label="Model">{run.model ?? '—'}</td>
                      <td data-label="Tokens in / out">
                        {run.inputTokens ?? '—'} / {run.outputTokens ?? '—'}
                      </td>
                      <td data-label="Result" class="cron-run-result">
                        {run.error ?? run.summary ?? '—'}
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          )}
        </Match>
      </Switch>
    </div>
  );
}

function JobCard(props: { job: CronJob; gateway: GatewayItem | undefined; store: CronStore; nowMs: number; canRun: boolean }) {
  const job = () => props.job;
  const runsId = createUniqueId();
  const hintId = createUniqueId();
  const titleId = createUniqueId();
  const [expanded, setExpanded] = createSignal(false);
  const [notice, setNotice] = createSignal('');
  const runNow = createMutation(() => gatewayApi.cron.runNow.mutate({ gatewayId: props.job.gatewayId, jobId: props.job.jobId }));
  const blocked = () => missingScopeReason(props.gateway, 'operator.admin');
  const level = () => failureLevel(job().consecutiveErrors);

  function toggle() {
    const next = !expanded();
    setExpanded(next);
    if (next) void props.store.loadRuns(job().gatewayId, job().jobId);
    else props.store.dropRuns(job().gatewayId, job().jobId);
  }

  async function handleRun() {
    setNotice('');
    const result = await runNow.run();
    if (result.ok) setNotice('Run requested. The result appears here when it finishes.');
  }

  return (
    <li class="cron-job" data-failures={level()} data-enabled={job().enabled ? 'true' : 'false'} aria-labelledby={titleId}>
      <div class="cron-job-main">
        <div class="cron-job-title">
          <h3 id={titleId}>{job().name}</h3>
          <span class="cron-schedule">{job().schedule}</span>
          <Show when={!job().enabled}>
            <span class="cron-tag">Paused</span>
          </Show>
          <Show when={job().running}>
            <span class="cron-tag" data-kind="running">
              Running
            </span>
          </Show>
        </div>
        <dl class="cron-facts">
          <div>
            <dt>Next run</dt>
            <dd>
              <When
                at={job().enabled ? job().nextRunAt : null}
                nowMs={props.nowMs}
                upcoming
                empty={job().enabled ? 'Not scheduled' : 'Paused'}
              />
            </dd>
          </div>
          <div>
            <dt>Last run</dt>
            <dd>
              <Show when={job().lastStatus}>
                {(status) => (
                  <span class="cron-run-status" data-status={status()}>
                    {runStatusLabel(status())}
                  </span>
                )}
              </Show>{' '}
              <When at={job().lastRunAt} nowMs={props.nowMs} empty="Never" />
            </dd>
          </div>
          <div>
            <dt>Last duration</dt>
            <dd>{formatDuration(job().lastDurationMs)}</dd>
          </div>
          <div>
            <dt>Failures</dt>
            <dd>
              <span class="cron-failures" data-level={level()}>
                {failureText(job().consecutiveErrors)}
              </span>
            </dd>
          </div>
        </dl>
        <Show when={job().consecutiveErrors > 0 && job().lastError}>
          {(error) => (
            <p class="cron-last-error" data-level={level()}>
              Last error: {error()}
            </p>
          )}
        </Show>
      </div>
      <div class="cron-job-actions">
        <button
          type="button"
          class="button"
          aria-expanded={expanded()}
          aria-controls={runsId}
          aria-label={`${expanded() ? 'Hide' : 'Show'} runs of ${job().name}`}
          onClick={toggle}
        >
          {expanded() ? 'Hide runs' : 'Show runs'}
        </button>
        <Show when={props.canRun}>
          <button
            type="button"
            class="button"
            data-variant="primary"
            disabled={runNow.pending() || blocked() !== null}
            aria-label={`Run now: ${job().name}`}
            aria-describedby={blocked() ? hintId : undefined}
            onClick={() => void handleRun()}
          >
            {runNow.pending() ? 'Starting…' : 'Run now'}
          </button>
        </Show>
      </div>
      <Show when={props.canRun && blocked()}>
        {(reason) => (
          <p id={hintId} class="cron-hint">
            {reason()}
          </p>
        )}
      </Show>
      <FormError message={runNow.error()} />
      <p class="form-success" role="status">
        {notice()}
      </p>
      <div id={runsId} class="cron-job-runs" hidden={!expanded()}>
        <Show when={expanded()}>
          <RunHistory store={props.store} job={job()} />
        </Show>
      </div>
    </li>
  );
}

interface GatewayGroup {
  id: string;
  name: string;
  gateway: GatewayItem | undefined;
}

export default function CronPage() {
  const user = useCurrentUser();
  const gateways = useGateways();
  const store = createCronStore();
  const now = useNow();
  const canRun = () => hasRole(user().role, 'admin');

  // Every configured gateway, plus any a job names that the gateway list doesn't (yet).
  const groups = createMemo<GatewayGroup[]>((previous) => {
    const next: GatewayGroup[] = gateways.list.map((gateway) => ({ id: gateway.id, name: gateway.name, gateway }));
    const known = new Set(next.map((group) => group.id));
    for (const job of store.jobs) {
      if (known.has(job.gatewayId)) continue;
      known.add(job.gatewayId);
      next.push({ id: job.gatewayId, name: job.gatewayName, gateway: undefined });
    }
    // Same groups as before: keep the old array so <For> has nothing to do.
    const same =
      previous.length === next.length &&
      previous.every((group, index) => group.id === next[index]?.id && group.name === next[index]?.name && group.gateway === next[index]?.gateway);
    return same ? previous : next;
  }, []);
  const jobsOf = (gatewayId: string) => store.jobs.filter((job) => job.gatewayId === gatewayId);

  return (
    <section class="page cron-page" aria-labelledby="cron-title">
      <div class="page-header">
        <div>
          <h1 id="cron-title">Cron</h1>
          <p class="page-intro">Scheduled jobs on your gateways, live.</p>
        </div>
      </div>
      <Show when={store.lastFailure()}>
        {(failure) => (
          <p class="notice cron-failure-notice" role="status">
            {failure().jobName ?? failure().jobId}
            {failure().gatewayName ? ` on ${failure().gatewayName}` : ''} failed: {failure().error}
          </p>
        )}
      </Show>
      <Switch>
        <Match when={store.jobs.length === 0 && (store.loadState() === 'loading' || gateways.loadState() === 'loading')}>
          <LoadingState label="Loading cron jobs…" />
        </Match>
        <Match when={store.jobs.length === 0 && store.loadState() === 'error'}>
          <ErrorState error={store.loadError()} onRetry={() => void store.reload()} />
        </Match>
        <Match when={groups().length === 0}>
          <section class="card" aria-labelledby="cron-empty-title">
            <h2 id="cron-empty-title">No gateways configured</h2>
            <p>Cron jobs come from OpenClaw gateways Mission Control is connected to.</p>
            <Show when={canRun()} fallback={<p>Ask an admin to add a gateway in Settings → Gateways.</p>}>
              <p>
                <A href="/settings/gateways">Add a gateway in Settings → Gateways</A>
              </p>
            </Show>
          </section>
        </Match>
        <Match when={true}>
          <Show when={store.loadState() === 'error'}>
            <p class="form-error" role="alert">
              Couldn't refresh the cron jobs: {describeError(store.loadError())}
            </p>
          </Show>
          <For each={groups()}>
            {(group) => {
              const headingId = createUniqueId();
              const jobs = createMemo(() => jobsOf(group.id));
              return (
                <section class="cron-group" aria-labelledby={headingId}>
                  <header class="cron-group-header">
                    <h2 id={headingId}>{group.name}</h2>
                    <Show when={group.gateway}>
                      {(gateway) => (
                        <span role="status" aria-label={`${gateway().name} status`}>
                          <GatewayStatusBadge status={gateway().status} />
                        </span>
                      )}
                    </Show>
                    <span class="cron-muted">
                      {jobs().length} {jobs().length === 1 ? 'job' : 'jobs'}
                    </span>
                  </header>
                  <Show when={group.gateway && group.gateway.status !== 'ready'}>
                    <p class="cron-muted">
                      Not connected: the jobs below are as last seen and may be out of date.
                    </p>
                  </Show>
                  <Show when={jobs().length > 0} fallback={<EmptyState>No cron jobs on {group.name}.</EmptyState>}>
                    <ul class="cron-job-list">
                      <For each={jobs()}>
                        {(job) => (
                          <JobCard job={job} gateway={group.gateway} store={store} nowMs={now()} canRun={canRun()} />
                        )}
                      </For>
                    </ul>
                  </Show>
                </section>
              );
            }}
          </For>
        </Match>
      </Switch>
    </section>
  );
}
