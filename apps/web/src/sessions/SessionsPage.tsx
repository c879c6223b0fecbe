// /sessions: every session across all gateways and SDK agents, live. Filters live in the URL;
// rows update in place from `session.updated`; a row opens the transcript drawer with actions.
import { A, useSearchParams } from '@solidjs/router';
import { createEffect, createMemo, createSignal, createUniqueId, For, Match, on, Show, Switch } from 'solid-js';
import { EmptyState, ErrorState, LoadingState } from '../components/ListStates';
import { useNow } from '../agents/now-ticker';
import type { SessionItem } from '../gateways/gateway-api';
import { useGateways } from '../gateways/gateway-store';
import { GatewayStatusStrip } from '../gateways/GatewayStatusStrip';
import { describeError } from '../lib/client-errors';
import { hasRole } from '../lib/roles';
import { useCurrentUser } from '../lib/session';
import { SessionDrawer } from './SessionDrawer';
import { SessionRow } from './SessionRow';
import {
  CLEARED_FILTERS,
  hasActiveFilters,
  readSessionFilters,
  type SessionFilters,
  type SessionSearchParams,
} from './session-filters';
import { formatCount } from './session-format';
import { createSessionsStore, type SessionsStore } from './sessions-store';
import './sessions.css';

function FilterBar(props: {
  filters: SessionFilters;
  store: SessionsStore;
  gateways: ReadonlyArray<{ id: string; name: string }>;
  onChange: (changes: SessionSearchParams) => void;
}) {
  const ids = { search: createUniqueId(), gateway: createUniqueId(), agent: createUniqueId(), status: createUniqueId(), source: createUniqueId() };
  let searchInput: HTMLInputElement | undefined;
  const statuses = createMemo(() => {
    const seen = props.store.seenStatuses();
    const current = props.filters.status;
    const listed = seen.filter((status) => status !== 'busy');
    return current && current !== 'busy' && !listed.includes(current) ? [...listed, current] : listed;
  });
  const agents = createMemo(() => {
    const seen = props.store.seenAgents();
    const current = props.filters.agent;
    return current && !seen.some((agent) => agent.id === current) ? [...seen, { id: current, name: current }] : seen;
  });

  // The search box leads while typing; follow the URL only when it changes elsewhere.
  createEffect(
    on(
      () => props.filters.query,
      (query) => {
        if (searchInput && document.activeElement !== searchInput && searchInput.value !== query) searchInput.value = query;
      },
    ),
  );

  return (
    <form class="session-filters" aria-label="Filter sessions" onSubmit={(event) => event.preventDefault()}>
      <div class="field session-filter-search">
        <label for={ids.search}>Search</label>
        <input
          ref={searchInput}
          id={ids.search}
          class="input"
          type="search"
          placeholder="Title, session key, agent or model"
          autocomplete="off"
          value={props.filters.query}
          onInput={(event) => props.onChange({ q: event.currentTarget.value || undefined })}
        />
      </div>
      <div class="field">
        <label for={ids.gateway}>Gateway</label>
        <select id={ids.gateway} class="select" onChange={(event) => props.onChange({ gateway: event.currentTarget.value || undefined })}>
          <option value="" selected={props.filters.gateway === null}>
            All gateways
          </option>
          <For each={props.gateways}>
            {(gateway) => (
              <option value={gateway.id} selected={props.filters.gateway === gateway.id}>
                {gateway.name}
              </option>
            )}
          </For>
        </select>
      </div>
      <div class="field">
        <label for={ids.agent}>Agent</label>
        <select id={ids.agent} class="select" onChange={(event) => props.onChange({ agent: event.currentTarget.value || undefined })}>
          <option value="" selected={props.filters.agent === null}>
            All agents
          </option>
          <For each={agents()}>
            {(agent) => (
              <option value={agent.id} selected={props.filters.agent === agent.id}>
                {agent.name}
              </option>
            )}
          </For>
        </select>
      </div>
      <div class="field">
        <label for={ids.status}>Status</label>
        <select id={ids.status} class="select" onChange={(event) => props.onChange({ status: event.currentTarget.value || undefined })}>
          <option value="" selected={props.filters.status === null}>
            All statuses
          </option>
          <option value="busy" selected={props.filters.status === 'busy'}>
            Busy (running now)
          </option>
          <For each={statuses()}>
            {(status) => (
              <option value={status} selected={props.filters.status === status}>
                {status}
              </option>
            )}
          </For>
        </select>
      </div>
      <div class="field">
        <label for={ids.source}>Source</label>
        <select id={ids.source} class="select" onChange={(event) => props.onChange({ source: event.currentTarget.value || undefined })}>
          <option value="" selected={props.filters.source === null}>
            All sources
          </option>
          <option value="gateway" selected={props.filters.source === 'gateway'}>
            Gateways
          </option>
          <option value="sdk" selected={props.filters.source === 'sdk'}>
            SDK agents
          </option>
        </select>
      </div>
      <Show when={hasActiveFilters(props.filters)}>
        <button type="button" class="button session-filters-clear" onClick={() => props.onChange(CLEARED_FILTERS)}>
          Clear filters
        </button>
      </Show>
    </form>
  );
}

function SessionsTable(props: { sessions: readonly SessionItem[]; onOpen: (session: SessionItem) => void }) {
  const now = useNow();
  return (
    <div class="table-wrap">
      <table class="table sessions-table">
        <caption class="visually-hidden">Sessions, most recently active first</caption>
        <thead>
          <tr>
            <th scope="col">Session</th>
            <th scope="col">Agent</th>
            <th scope="col">Gateway</th>
            <th scope="col">Status</th>
            <th scope="col">Model</th>
            <th scope="col">Context</th>
            <th scope="col" class="numeric">
              Tokens in / out
            </th>
            <th scope="col" class="numeric">
              Cost
            </th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          <For each={props.sessions}>{(session) => <SessionRow session={session} nowMs={now()} onOpen={props.onOpen} />}</For>
        </tbody>
      </table>
    </div>
  );
}

function NoGateways() {
  const user = useCurrentUser();
  return (
    <section class="card" aria-labelledby="no-gateways-title">
      <h2 id="no-gateways-title">No gateways configured</h2>
      <p>
        Sessions come from OpenClaw gateways Mission Control is connected to, and from agents that report usage with the
        SDK.
      </p>
      <Show
        when={hasRole(user().role, 'admin')}
        fallback={<p>Ask an admin to add a gateway in Settings → Gateways.</p>}
      >
        <p>
          <A href="/settings/gateways">Add a gateway in Settings → Gateways</A>
        </p>
      </Show>
    </section>
  );
}

export default function SessionsPage() {
  const gateways = useGateways();
  const [params, setParams] = useSearchParams<SessionSearchParams>();
  const filters = createMemo(() => readSessionFilters(params), undefined, {
    equals: (a, b) =>
      a.gateway === b.gateway && a.agent === b.agent && a.status === b.status && a.source === b.source && a.query === b.query,
  });
  const store = createSessionsStore(filters);
  const [openId, setOpenId] = createSignal<string | null>(null);
  const openSession = () => {
    const id = openId();
    return id === null ? undefined : store.byId(id);
  };
  const gatewayOptions = createMemo(() => gateways.list.map((gateway) => ({ id: gateway.id, name: gateway.name })));
  const noGateways = () => gateways.loadState() === 'ready' && gateways.list.length === 0;
  const busyCount = createMemo(() => store.items.reduce((count, session) => (session.busy ? count + 1 : count), 0));
  const summary = () => {
    const total = store.items.length;
    const text = `${formatCount(total)}${store.hasMore ? '+' : ''} ${total === 1 ? 'session' : 'sessions'}`;
    return busyCount() > 0 ? `${text}, ${formatCount(busyCount())} busy` : text;
  };

  function changeFilters(changes: SessionSearchParams) {
    setParams(changes, { replace: true });
  }

  return (
    <section class="page sessions-page" aria-labelledby="sessions-title">
      <div class="page-header">
        <div>
          <h1 id="sessions-title">Sessions</h1>
          <p class="page-intro">Every agent session across your gateways and SDK agents, live.</p>
        </div>
      </div>
      <GatewayStatusStrip gateways={gateways.list} />
      <Switch>
        <Match when={store.items.length === 0 && store.loadState() === 'loading'}>
          <LoadingState label="Loading sessions…" />
        </Match>
        <Match when={store.items.length === 0 && store.loadState() === 'error'}>
          <ErrorState error={store.loadError()} onRetry={() => void store.reload()} />
        </Match>
        <Match when={store.items.length === 0 && noGateways() && !hasActiveFilters(filters())}>
          <NoGateways />
        </Match>
        <Match when={true}>
          <FilterBar filters={filters()} store={store} gateways={gatewayOptions()} onChange={changeFilters} />
          <Show when={store.loadState() === 'error'}>
            <div class="form-error session-refresh-error" role="alert">
              <span>Couldn't refresh the sessions: {describeError(store.loadError())}</span>
              <button type="button" class="button" data-size="small" onClick={() => void store.reload()}>
                Try again
              </button>
            </div>
          </Show>
          <p class="session-summary session-muted" role="status">
            {summary()}
          </p>
          <Show
            when={store.items.length > 0}
            fallback={
              <EmptyState>
                <Show when={hasActiveFilters(filters())} fallback="No sessions yet.">
                  No sessions match these filters.{' '}
                  <button type="button" class="button" data-size="small" onClick={() => changeFilters(CLEARED_FILTERS)}>
                    Clear filters
                  </button>
                </Show>
              </EmptyState>
            }
          >
            <SessionsTable sessions={store.items} onOpen={(session) => setOpenId(session.id)} />
          </Show>
          <Show when={store.hasMore}>
            <div class="form-actions">
              <button type="button" class="button" disabled={store.loadingMore()} onClick={() => void store.loadMore()}>
                {store.loadingMore() ? 'Loading…' : 'Load more sessions'}
              </button>
            </div>
            <Show when={store.loadMoreError()}>
              {(error) => (
                <p class="form-error" role="alert">
                  {describeError(error())}
                </p>
              )}
            </Show>
          </Show>
        </Match>
      </Switch>
      <Show when={openSession()}>
        {(session) => (
          <SessionDrawer
            session={session()}
            gateway={gateways.byId(session().gatewayId)}
            onClose={() => setOpenId(null)}
            onDeleted={() => {
              const id = openId();
              setOpenId(null);
              if (id) store.forget(id);
            }}
          />
        )}
      </Show>
    </section>
  );
}
