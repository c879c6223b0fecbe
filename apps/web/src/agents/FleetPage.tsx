// /agents: every agent, live. Search and filters live in the URL; agents that need input are
// highlighted and listed first; rows update in place from the realtime store (fleet-store.ts).
import { useLocation, useSearchParams } from '@solidjs/router';
import { createEffect, createMemo, createUniqueId, For, Match, on, Show, Switch } from 'solid-js';
import { EmptyState, ErrorState, LoadingState } from '../components/ListStates';
import { describeError } from '../lib/client-errors';
import { AgentRow } from './AgentRow';
import { ConnectAgentHelp } from './ConnectAgentHelp';
import { formatCount, STATUS_LABELS, STATUS_ORDER } from './fleet-format';
import {
  compareAgents,
  DIRECT_GATEWAY,
  distinctValues,
  type FleetFilters,
  type FleetSearchParams,
  hasActiveFilters,
  matchesFilters,
  readFleetFilters,
} from './fleet-filters';
import { type FleetAgent, useFleet } from './fleet-store';
import { createGatewayNames } from './gateway-names';
import { NotifyToggle } from './NotifyToggle';
import { useNow } from './now-ticker';
import './fleet.css';

/** Same agents in the same order: downstream <For> has nothing to do, so skip it. */
function sameOrder(previous: readonly FleetAgent[], next: readonly FleetAgent[]): boolean {
  return previous.length === next.length && previous.every((agent, index) => agent === next[index]);
}

function FilterBar(props: {
  filters: FleetFilters;
  agents: readonly FleetAgent[];
  gatewayName: (gatewayId: string) => string;
  onChange: (changes: FleetSearchParams) => void;
}) {
  const searchId = createUniqueId();
  const statusId = createUniqueId();
  const toolId = createUniqueId();
  const gatewayId = createUniqueId();
  let searchInput: HTMLInputElement | undefined;
  const tools = createMemo(() =>
    distinctValues(
      props.agents.map((agent) => agent.toolName),
      props.filters.tool,
    ),
  );
  const gateways = createMemo(() =>
    distinctValues(
      props.agents.map((agent) => agent.gatewayId),
      props.filters.gateway === DIRECT_GATEWAY ? null : props.filters.gateway,
    ),
  );
  const countByStatus = createMemo(() => {
    const counts = new Map<string, number>();
    for (const agent of props.agents) counts.set(agent.status, (counts.get(agent.status) ?? 0) + 1);
    return counts;
  });

  // The search box is the source while typing; follow the URL only when it changes elsewhere
  // (back/forward, "Clear filters"), so a slow navigation never eats a keystroke.
  createEffect(
    on(
      () => props.filters.query,
      (query) => {
        if (searchInput && document.activeElement !== searchInput && searchInput.value !== query) searchInput.value = query;
      },
    ),
  );

  return (
    <form class="fleet-filters" aria-label="Filter agents" onSubmit={(event) => event.preventDefault()}>
      <div class="field fleet-filter-search">
        <label for={searchId}>Search</label>
        <input
          ref={searchInput}
          id={searchId}
          class="input"
          type="search"
          placeholder="Name, role or activity"
          autocomplete="off"
          value={props.filters.query}
          onInput={(event) => props.onChange({ q: event.currentTarget.value })}
        />
      </div>
      <div class="field">
        <label for={statusId}>Status</label>
        <select id={statusId} class="select" onChange={(event) => props.onChange({ status: event.currentTarget.value })}>
          <option value="" selected={props.filters.status === null}>
            All statuses
          </option>
          <For each={STATUS_ORDER}>
            {(status) => (
              <option value={status} selected={props.filters.status === status}>
                {STATUS_LABELS[status]} ({countByStatus().get(status) ?? 0})
              </option>
            )}
          </For>
        </select>
      </div>
      <div class="field">
        <label for={toolId}>Tool</label>
        <select id={toolId} class="select" onChange={(event) => props.onChange({ tool: event.currentTarget.value })}>
          <option value="" selected={props.filters.tool === null}>
            All tools
          </option>
          <For each={tools()}>
            {(tool) => (
              <option value={tool} selected={props.filters.tool === tool}>
                {tool}
              </option>
            )}
          </For>
        </select>
      </div>
      <div class="field">
        <label for={gatewayId}>Gateway</label>
        <select id={gatewayId} class="select" onChange={(event) => props.onChange({ gateway: event.currentTarget.value })}>
          <option value="" selected={props.filters.gateway === null}>
            All gateways
          </option>
          <option value={DIRECT_GATEWAY} selected={props.filters.gateway === DIRECT_GATEWAY}>
            Direct (no gateway)
          </option>
          <For each={gateways()}>
            {(gateway) => (
              <option value={gateway} selected={props.filters.gateway === gateway}>
                {props.gatewayName(gateway)}
              </option>
            )}
          </For>
        </select>
      </div>
      <Show when={hasActiveFilters(props.filters)}>
        <button
          type="button"
          class="button fleet-filters-clear"
          onClick={() => props.onChange({ q: undefined, status: undefined, tool: undefined, gateway: undefined })}
        >
          Clear filters
        </button>
      </Show>
    </form>
  );
}

function FleetTable(props: {
  agents: readonly FleetAgent[];
  showGateway: boolean;
  gatewayName: (gatewayId: string) => string;
}) {
  const now = useNow();
  return (
    <div class="table-wrap">
      <table class="table fleet-table">
        <caption class="visually-hidden">Agents, those that need input first</caption>
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">Status</th>
            <th scope="col">Activity</th>
            <th scope="col">Tool</th>
            <Show when={props.showGateway}>
              <th scope="col">Gateway</th>
            </Show>
            <th scope="col">Last seen</th>
            <th scope="col" class="numeric">
              Tokens today
            </th>
            <th scope="col" class="numeric">
              Cost today
            </th>
          </tr>
        </thead>
        <tbody>
          <For each={props.agents}>
            {(agent) => (
              <AgentRow agent={agent} nowMs={now()} showGateway={props.showGateway} gatewayName={props.gatewayName} />
            )}
          </For>
        </tbody>
      </table>
    </div>
  );
}

export default function FleetPage() {
  const fleet = useFleet();
  const location = useLocation<{ notice?: string } | undefined>();
  const [params, setParams] = useSearchParams<FleetSearchParams>();
  const filters = createMemo(() => readFleetFilters(params));
  const sorted = createMemo(() => [...fleet.agents].sort(compareAgents), [], { equals: sameOrder });
  const visible = createMemo(
    () => {
      const active = filters();
      return hasActiveFilters(active) ? sorted().filter((agent) => matchesFilters(agent, active)) : sorted();
    },
    [],
    { equals: sameOrder },
  );
  const showGateway = createMemo(() => fleet.agents.some((agent) => agent.gatewayId !== null));
  const gatewayName = createGatewayNames(showGateway);
  const summary = () => {
    const total = fleet.agents.length;
    const shown = visible().length;
    const agentsText = `${formatCount(total)} ${total === 1 ? 'agent' : 'agents'}`;
    return shown === total ? agentsText : `Showing ${formatCount(shown)} of ${agentsText}`;
  };

  function changeFilters(changes: FleetSearchParams) {
    setParams(changes, { replace: true });
  }

  return (
    <section class="page fleet-page" aria-labelledby="fleet-title">
      <div class="page-header">
        <div>
          <h1 id="fleet-title">Agents</h1>
          <p class="page-intro">Every agent connected to this server, live.</p>
        </div>
        <NotifyToggle />
      </div>
      <Show when={location.state?.notice}>
        {(notice) => (
          <p class="form-success" role="status">
            {notice()}
          </p>
        )}
      </Show>
      <Switch>
        <Match when={fleet.agents.length === 0 && fleet.loadState() === 'loading'}>
          <LoadingState label="Loading agents…" />
        </Match>
        <Match when={fleet.agents.length === 0 && fleet.loadState() === 'error'}>
          <ErrorState error={fleet.loadError()} onRetry={() => void fleet.reload()} />
        </Match>
        <Match when={fleet.agents.length === 0}>
          <ConnectAgentHelp />
        </Match>
        <Match when={fleet.agents.length > 0}>
          <FilterBar filters={filters()} agents={fleet.agents} gatewayName={gatewayName} onChange={changeFilters} />
          <Show when={fleet.loadState() === 'error'}>
            <div class="form-error fleet-refresh-error" role="alert">
              <span>Couldn't refresh the agents: {describeError(fleet.loadError())}</span>
              <button type="button" class="button" data-size="small" onClick={() => void fleet.reload()}>
                Try again
              </button>
            </div>
          </Show>
          <p class="fleet-summary agent-muted" role="status">
            {summary()}
          </p>
          <Show
            when={visible().length > 0}
            fallback={
              <EmptyState>
                No agents match these filters.{' '}
                <button
                  type="button"
                  class="button"
                  data-size="small"
                  onClick={() => changeFilters({ q: undefined, status: undefined, tool: undefined, gateway: undefined })}
                >
                  Clear filters
                </button>
              </EmptyState>
            }
          >
            <FleetTable agents={visible()} showGateway={showGateway()} gatewayName={gatewayName} />
          </Show>
        </Match>
      </Switch>
    </section>
  );
}
