// / : the operator's home. What needs a human now, most urgent first, each with its action one click
// away (open, acknowledge, snooze; operators approve a pipeline step right here), and the fleet at a
// glance. Refetched (debounced) on the events that can change it, so items appear within seconds of
// their cause and vanish when resolved.
import type { AttentionItem } from '@mc/api';
import { A, createAsync, query, revalidate } from '@solidjs/router';
import { createSignal, ErrorBoundary, For, onCleanup, Show, Suspense } from 'solid-js';
import { NotifyToggle } from '../agents/NotifyToggle';
import { EmptyState, ErrorState, LoadingState } from '../components/ListStates';
import { createMutation } from '../lib/create-mutation';
import { formatRelative } from '../lib/format-time';
import { ANY_EVENT, onLiveEvent, onLiveResync } from '../lib/live';
import { hasRole } from '../lib/roles';
import { useCurrentUser } from '../lib/session';
import { trpc } from '../lib/trpc';
import { RecentEvents } from '../overview/RecentEvents';
import { rememberVisibleItems, startHiddenAttentionWatch } from './hidden-watch';
import './attention.css';

const getAttention = query(() => trpc.attention.list.query(), 'attention.list');
const getGlance = query(() => trpc.attention.glance.query(), 'attention.glance');

const REFRESH_DEBOUNCE_MS = 300;
const PRIORITY_LABEL = { critical: 'Urgent', high: 'High', medium: 'Medium' } as const;
const SNOOZE_OPTIONS = [
  { minutes: 60, label: '1 hour' },
  { minutes: 240, label: '4 hours' },
  { minutes: 1440, label: '1 day' },
];
const STATUS_LABEL: Record<string, string> = { needs_input: 'Need input', busy: 'Busy', idle: 'Idle', online: 'Online', error: 'Error', offline: 'Offline' };

/** Events that cannot change what needs attention (per-beat agent updates without a status change). */
function isRelevant(type: string, payload: unknown): boolean {
  if (type === 'agent.updated') return (payload as { statusChanged?: boolean } | null)?.statusChanged === true;
  return !type.startsWith('usage.') && type !== 'test.ping';
}

function ItemRow(props: { item: AttentionItem; onChanged: () => void }) {
  const user = useCurrentUser();
  const acknowledge = createMutation((key: string) => trpc.attention.acknowledge.mutate({ key }));
  const snooze = createMutation((key: string, minutes: number) => trpc.attention.snooze.mutate({ key, minutes }));
  const approve = createMutation((step: { runId: string; stepKey: string }) => trpc.pipelines.runs.approveStep.mutate(step));
  const [snoozeMinutes, setSnoozeMinutes] = createSignal(60);
  const error = () => approve.error() ?? acknowledge.error() ?? snooze.error();
  /** A pipeline step an operator can approve right here (viewers get the link to the run only). */
  const approvable = () => (hasRole(user().role, 'operator') ? props.item.approve : undefined);
  return (
    <li class="attention-item" data-priority={props.item.priority} data-kind={props.item.kind}>
      <span class="attention-priority">{PRIORITY_LABEL[props.item.priority]}</span>
      <div class="attention-body">
        <p class="attention-title">{props.item.title}</p>
        <Show when={props.item.detail}>
          <p class="attention-detail">{props.item.detail}</p>
        </Show>
        <p class="attention-meta">
          <time datetime={props.item.since}>{formatRelative(props.item.since)}</time>
          <Show when={props.item.gatewayName}>
            <span class="attention-gateway">gateway {props.item.gatewayName}</span>
          </Show>
        </p>
        <Show when={error()}>
          <p class="form-error" role="alert">
            {error()}
          </p>
        </Show>
      </div>
      <div class="attention-actions">
        <Show when={approvable()}>
          {(step) => (
            <button
              type="button"
              class="button"
              data-variant="primary"
              disabled={approve.pending()}
              aria-label={`Approve: ${props.item.title}`}
              onClick={async () => {
                if ((await approve.run(step())).ok) props.onChanged();
              }}
            >
              Approve
            </button>
          )}
        </Show>
        <A class="button" data-variant={approvable() ? undefined : 'primary'} href={props.item.href}>
          {props.item.actionLabel}
        </A>
        <button
          type="button"
          class="button"
          disabled={acknowledge.pending()}
          aria-label={`Acknowledge: ${props.item.title}`}
          onClick={async () => {
            if ((await acknowledge.run(props.item.key)).ok) props.onChanged();
          }}
        >
          Acknowledge
        </button>
        <span class="attention-snooze">
          <label class="visually-hidden" for={`snooze-${props.item.key}`}>
            Snooze for
          </label>
          <select id={`snooze-${props.item.key}`} value={snoozeMinutes()} onChange={(e) => setSnoozeMinutes(Number(e.currentTarget.value))}>
            <For each={SNOOZE_OPTIONS}>{(option) => <option value={option.minutes}>{option.label}</option>}</For>
          </select>
          <button
            type="button"
            class="button"
            disabled={snooze.pending()}
            aria-label={`Snooze: ${props.item.title}`}
            onClick={async () => {
              if ((await snooze.run(props.item.key, snoozeMinutes())).ok) props.onChanged();
            }}
          >
            Snooze
          </button>
        </span>
      </div>
    </li>
  );
}

function AttentionList(props: { onChanged: () => void }) {
  const attention = createAsync(() => getAttention());
  return (
    <Show when={attention()}>
      {(data) => {
        rememberVisibleItems(data().items);
        return (
          <>
            <Show when={data().items.length > 0} fallback={<EmptyState>Nothing needs you right now.</EmptyState>}>
              <ul class="attention-list" aria-label="Items needing attention">
                <For each={data().items}>{(item) => <ItemRow item={item} onChanged={props.onChanged} />}</For>
              </ul>
            </Show>
            <Show when={data().hidden > 0}>
              <p class="muted-text">{data().hidden} acknowledged or snoozed item{data().hidden === 1 ? '' : 's'} hidden.</p>
            </Show>
          </>
        );
      }}
    </Show>
  );
}

function Glance() {
  const glance = createAsync(() => getGlance());
  const money = (usd: number) => `$${usd.toFixed(2)}`;
  return (
    <Show when={glance()}>
      {(data) => (
        <div class="glance-grid">
          <section class="glance-card" aria-labelledby="glance-agents">
            <h2 id="glance-agents">Agents</h2>
            <Show when={Object.keys(data().agentsByStatus).length > 0} fallback={<p class="muted-text">No agents yet.</p>}>
              <ul class="glance-counts">
                <For each={Object.entries(data().agentsByStatus)}>
                  {([status, count]) => (
                    <li data-status={status}>
                      <A href={`/agents?status=${status}`}>
                        <strong>{count}</strong> {STATUS_LABEL[status] ?? status}
                      </A>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </section>
          <section class="glance-card" aria-labelledby="glance-spend">
            <h2 id="glance-spend">Spend today</h2>
            <p class="glance-money">
              {money(data().spendToday.costUsd)}
              <Show when={data().spendToday.budgetUsd !== null}> of {money(data().spendToday.budgetUsd ?? 0)} budget</Show>
            </p>
            <Show when={data().spendToday.unpricedRecords > 0}>
              <p class="muted-text">+ {data().spendToday.unpricedRecords} unpriced records</p>
            </Show>
          </section>
          <section class="glance-card" aria-labelledby="glance-gateways">
            <h2 id="glance-gateways">Gateways</h2>
            <Show when={data().gateways.length > 0} fallback={<p class="muted-text">No gateways configured.</p>}>
              <ul class="glance-gateways">
                <For each={data().gateways}>
                  {(gateway) => (
                    <li>
                      <span>{gateway.gatewayName}</span> <span class="muted-text">{gateway.status.replace('_', ' ')}</span>{' '}
                      <span>
                        {gateway.activeSessions} active / {gateway.sessions} sessions
                      </span>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
          </section>
        </div>
      )}
    </Show>
  );
}

export default function AttentionPage() {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const refresh = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void revalidate([getAttention.key, getGlance.key]), REFRESH_DEBOUNCE_MS);
  };
  onLiveResync(refresh);
  onLiveEvent(ANY_EVENT, (event) => {
    if (isRelevant(event.type, event.payload)) refresh();
  });
  onCleanup(startHiddenAttentionWatch());
  onCleanup(() => clearTimeout(timer));
  const retry = (reset: () => void) => void revalidate([getAttention.key, getGlance.key]).then(reset);

  return (
    <section class="page" aria-labelledby="attention-title">
      <div class="page-header">
        <div>
          <h1 id="attention-title">Overview</h1>
          <p class="page-intro">What needs a person now, most urgent first. Acknowledge or snooze what you have seen; it stays hidden for you only.</p>
        </div>
        <NotifyToggle />
      </div>
      <h2 class="section-title" id="attention-list-title">
        Needs attention
      </h2>
      <ErrorBoundary fallback={(error, reset) => <ErrorState error={error} onRetry={() => retry(reset)} />}>
        <Suspense fallback={<LoadingState label="Loading what needs attention…" />}>
          <AttentionList onChanged={() => void revalidate(getAttention.key)} />
        </Suspense>
      </ErrorBoundary>
      <h2 class="section-title">Fleet at a glance</h2>
      <ErrorBoundary fallback={(error, reset) => <ErrorState error={error} onRetry={() => retry(reset)} />}>
        <Suspense fallback={<LoadingState label="Loading the fleet…" />}>
          <Glance />
        </Suspense>
      </ErrorBoundary>
      <RecentEvents />
      <p class="muted-text">
        <A href="/system">System summary</A>
      </p>
    </section>
  );
}
