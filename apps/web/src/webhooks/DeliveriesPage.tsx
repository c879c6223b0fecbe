// Delivery history (admin): /settings/webhooks/deliveries (all webhooks) and
// /settings/webhooks/:id/deliveries (one). Filters, paging, per-delivery attempts with request and
// response excerpts (secrets redacted by the server), redeliver, send a test event. Refreshes every
// 5 s while the tab is visible: deliveries change without domain events.
import { A, useParams, useSearchParams } from '@solidjs/router';
import { createEffect, createResource, createSignal, createUniqueId, For, on, onCleanup, onMount, Show } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import { EmptyState, ErrorState, LoadingState } from '../components/ListStates';
import { createMutation } from '../lib/create-mutation';
import { formatDateTime } from '../lib/format-time';
import { trpc } from '../lib/trpc';
import { RequireRole } from '../settings/RequireRole';
import { DELIVERY_STATUS_LABELS, type DeliveryRow, type DeliveryStatus } from './webhook-types';
import './webhooks.css';

const PAGE_SIZE = 50;
const REFRESH_MS = 5_000;
const STATUSES = Object.keys(DELIVERY_STATUS_LABELS) as DeliveryStatus[];

function isStatus(value: string): value is DeliveryStatus {
  return (STATUSES as string[]).includes(value);
}

function Attempts(props: { delivery: DeliveryRow }) {
  const [attempts] = createResource(() => `${props.delivery.id}:${props.delivery.attempt}`, () => trpc.webhooks.attempts.query({ id: props.delivery.id }));
  return (
    <Show when={attempts()} fallback={<LoadingState label="Loading attempts…" />}>
      {(rows) => (
        <Show when={rows().length > 0} fallback={<p class="field-hint">Not attempted yet.</p>}>
          <ol class="attempt-list">
            <For each={rows()}>
              {(attempt) => (
                <li>
                  <p>
                    <strong>Attempt {attempt.attempt}</strong> · {attempt.status === 'succeeded' ? 'Succeeded' : 'Failed'} ·{' '}
                    {attempt.httpStatus ? `HTTP ${attempt.httpStatus}` : 'no response'} · {attempt.durationMs} ms · {formatDateTime(attempt.createdAt)}
                  </p>
                  <Show when={attempt.error}>
                    <p class="inline-error">{attempt.error}</p>
                  </Show>
                  <div class="excerpts">
                    <div>
                      <h4>Request</h4>
                      <pre class="excerpt">{attempt.requestExcerpt ?? '—'}</pre>
                    </div>
                    <div>
                      <h4>Response</h4>
                      <pre class="excerpt">{attempt.responseExcerpt ?? '—'}</pre>
                    </div>
                  </div>
                </li>
              )}
            </For>
          </ol>
        </Show>
      )}
    </Show>
  );
}

function DeliveryTableRow(props: { delivery: DeliveryRow; showWebhook: boolean; onChanged: () => void }) {
  const [open, setOpen] = createSignal(false);
  const detailsId = createUniqueId();
  const redeliver = createMutation(() => trpc.webhooks.redeliver.mutate({ id: props.delivery.id }));
  async function handleRedeliver() {
    const result = await redeliver.run();
    if (result.ok) props.onChanged();
  }
  const label = () => `${props.delivery.eventType} #${props.delivery.eventId}`;
  return (
    <>
      <tr data-status={props.delivery.status}>
        <td>
          <code>{props.delivery.eventType}</code> <span class="muted">#{props.delivery.eventId}</span>
        </td>
        <Show when={props.showWebhook}>
          <td class="mono webhook-url">{props.delivery.webhookUrl ?? props.delivery.webhookId}</td>
        </Show>
        <td>{props.delivery.attempt}</td>
        <td>
          <span class="status-badge" data-status={props.delivery.status}>
            {DELIVERY_STATUS_LABELS[props.delivery.status]}
          </span>
          <Show when={props.delivery.error}>
            <span class="webhook-reason">{props.delivery.error}</span>
          </Show>
        </td>
        <td>{props.delivery.httpStatus ?? '—'}</td>
        <td>{props.delivery.durationMs === null ? '—' : `${props.delivery.durationMs} ms`}</td>
        <td>{formatDateTime(props.delivery.nextAttemptAt, '—')}</td>
        <td>{formatDateTime(props.delivery.createdAt)}</td>
        <td>
          <div class="table-actions">
            <button type="button" class="button" data-size="small" aria-expanded={open()} aria-controls={detailsId} aria-label={`Details of ${label()}`} onClick={() => setOpen((value) => !value)}>
              {open() ? 'Hide' : 'Details'}
            </button>
            <button type="button" class="button" data-size="small" disabled={redeliver.pending()} aria-label={`Redeliver ${label()}`} onClick={() => void handleRedeliver()}>
              Redeliver
            </button>
          </div>
          <Show when={redeliver.error()}>
            {(message) => (
              <span class="inline-error" role="alert">
                {message()}
              </span>
            )}
          </Show>
        </td>
      </tr>
      <Show when={open()}>
        <tr id={detailsId} class="delivery-details">
          <td colSpan={props.showWebhook ? 9 : 8}>
            <Attempts delivery={props.delivery} />
          </td>
        </tr>
      </Show>
    </>
  );
}

function DeliveryHistory() {
  const params = useParams<{ id?: string }>();
  const [search, setSearch] = useSearchParams<{ status?: string; event?: string; webhook?: string }>();
  const statusId = createUniqueId();
  const eventId = createUniqueId();
  const webhookSelectId = createUniqueId();
  const [state, setState] = createStore({ items: [] as DeliveryRow[], nextCursor: null as string | null, loaded: false, error: null as unknown });
  const [webhooks] = createResource(() => trpc.webhooks.list.query());
  const [notice, setNotice] = createSignal('');
  const current = () => webhooks()?.find((webhook) => webhook.id === params.id);
  const sendTest = createMutation((id: string) => trpc.webhooks.sendTest.mutate({ id }));

  // setSearch updates the URL asynchronously, so applying filters sets this first and the URL follows.
  let applied: { status?: string; event?: string; webhook?: string } = { status: search.status, event: search.event, webhook: search.webhook };
  const filter = () => {
    const status = applied.status && isStatus(applied.status) ? applied.status : undefined;
    const webhook = params.id ?? applied.webhook;
    return { ...(webhook ? { webhookId: webhook } : {}), ...(status ? { status } : {}), ...(applied.event ? { eventType: applied.event } : {}) };
  };

  /** Reloads the first pages (as many rows as shown), keeping unchanged rows' DOM (keyed reconcile). */
  // Responses to an older filter (or an older refresh) can arrive late: only the latest may write.
  let generation = 0;
  async function load() {
    const mine = ++generation;
    try {
      const page = await trpc.webhooks.deliveries.query({ ...filter(), limit: Math.max(PAGE_SIZE, Math.min(200, state.items.length)) });
      if (mine !== generation) return;
      setState('items', reconcile(page.items, { key: 'id' }));
      setState({ nextCursor: page.nextCursor, loaded: true, error: null });
    } catch (error) {
      if (mine === generation) setState({ error, loaded: true });
    }
  }

  async function loadMore() {
    if (!state.nextCursor) return;
    const mine = ++generation;
    const page = await trpc.webhooks.deliveries.query({ ...filter(), limit: PAGE_SIZE, cursor: state.nextCursor });
    if (mine !== generation) return;
    setState({ items: [...state.items, ...page.items], nextCursor: page.nextCursor });
  }

  // The same page instance serves every webhook: moving to another one reloads.
  createEffect(on(() => params.id, () => {
    setState({ items: [], nextCursor: null, loaded: false });
    void load();
  }, { defer: true }));
  onMount(() => {
    void load();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void load();
    }, REFRESH_MS);
    onCleanup(() => clearInterval(timer));
  });

  function applyFilters(event: SubmitEvent & { currentTarget: HTMLFormElement }) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    applied = {
      status: String(form.get('status') ?? '') || undefined,
      event: String(form.get('event') ?? '').trim() || undefined,
      ...(params.id ? {} : { webhook: String(form.get('webhook') ?? '') || undefined }),
    };
    setSearch(applied);
    setState({ items: [], nextCursor: null });
    void load();
  }

  async function handleSendTest() {
    const id = params.id;
    if (!id) return;
    const result = await sendTest.run(id);
    if (result.ok) {
      setNotice('Test event queued.');
      void load();
    }
  }

  return (
    <section class="page" aria-labelledby="deliveries-title">
      <div class="page-header">
        <div>
          <h1 id="deliveries-title">{params.id ? 'Webhook deliveries' : 'Delivery history'}</h1>
          <p class="page-intro">
            <Show when={params.id} fallback="Every delivery to every webhook, newest first.">
              <span class="mono">{current()?.url ?? ''}</span>
            </Show>{' '}
            <A href="/settings/webhooks">Back to webhooks</A>
          </p>
        </div>
        <Show when={params.id}>
          <button type="button" class="button" data-variant="primary" disabled={sendTest.pending()} onClick={() => void handleSendTest()}>
            Send test event
          </button>
        </Show>
      </div>
      <form class="filters" onSubmit={applyFilters}>
        <Show when={!params.id}>
          <div class="field">
            <label for={webhookSelectId}>Webhook</label>
            <select id={webhookSelectId} class="select" name="webhook">
              <option value="">All webhooks</option>
              <For each={webhooks() ?? []}>
                {(webhook) => (
                  <option value={webhook.id} selected={webhook.id === search.webhook}>
                    {webhook.description || webhook.url}
                  </option>
                )}
              </For>
            </select>
          </div>
        </Show>
        <div class="field">
          <label for={statusId}>Status</label>
          <select id={statusId} class="select" name="status">
            <option value="">Any status</option>
            <For each={STATUSES}>
              {(status) => (
                <option value={status} selected={status === search.status}>
                  {DELIVERY_STATUS_LABELS[status]}
                </option>
              )}
            </For>
          </select>
        </div>
        <div class="field">
          <label for={eventId}>Event type</label>
          <input id={eventId} class="input mono" name="event" maxLength={100} placeholder="agent. or task.created" value={search.event ?? ''} />
        </div>
        <div class="form-actions">
          <button type="submit" class="button">
            Apply filters
          </button>
        </div>
      </form>
      <p class="form-success" role="status">
        {notice() || (sendTest.error() ?? '')}
      </p>
      <Show when={state.loaded} fallback={<LoadingState label="Loading deliveries…" />}>
        <Show when={!state.error} fallback={<ErrorState error={state.error} onRetry={() => void load()} />}>
          <Show when={state.items.length > 0} fallback={<EmptyState>No deliveries match.</EmptyState>}>
            <div class="table-wrap">
              <table class="table">
                <caption class="visually-hidden">Deliveries</caption>
                <thead>
                  <tr>
                    <th scope="col">Event</th>
                    <Show when={!params.id}>
                      <th scope="col">Webhook</th>
                    </Show>
                    <th scope="col">Attempts</th>
                    <th scope="col">Status</th>
                    <th scope="col">HTTP</th>
                    <th scope="col">Duration</th>
                    <th scope="col">Next retry</th>
                    <th scope="col">Queued</th>
                    <th scope="col">
                      <span class="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  <For each={state.items}>{(delivery) => <DeliveryTableRow delivery={delivery} showWebhook={!params.id} onChanged={() => void load()} />}</For>
                </tbody>
              </table>
            </div>
            <Show when={state.nextCursor}>
              <button type="button" class="button" onClick={() => void loadMore()}>
                Load more
              </button>
            </Show>
          </Show>
        </Show>
      </Show>
    </section>
  );
}

export default function DeliveriesPage() {
  return (
    <RequireRole role="admin" title="Delivery history" purpose="see webhook deliveries">
      <DeliveryHistory />
    </RequireRole>
  );
}
