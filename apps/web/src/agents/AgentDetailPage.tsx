// /agents/:agentRef: one agent's facts (live from the fleet store), connections, usage by model
// over 7 days, status timeline, and for admins its keys and removal.
import { A, createAsyncStore, useParams } from '@solidjs/router';
import { createSignal, ErrorBoundary, For, type JSX, onCleanup, Show, Suspense } from 'solid-js';
import { EmptyState, ErrorState, LoadingState } from '../components/ListStates';
import { errorCode } from '../lib/client-errors';
import { formatDateTime } from '../lib/format-time';
import { onLiveEvent } from '../lib/live';
import { hasRole } from '../lib/roles';
import { useCurrentUser } from '../lib/session';
import { AgentAdminPanel } from './AgentAdminPanel';
import { AgentStatusBadge } from './AgentStatusBadge';
import { type AgentDetail, getAgentDetail, refreshAgentDetail } from './agent-detail-query';
import { formatCount, formatTokens, statusLabel } from './fleet-format';
import { readAgentUpdated, useFleet } from './fleet-store';
import { createGatewayNames } from './gateway-names';
import { LastSeen } from './LastSeen';
import { useNow } from './now-ticker';
import { UsageCost } from './UsageCost';
import './fleet.css';

/** Connections, usage and the timeline change with status changes and usage: refetch at most this often. */
const DETAIL_REFRESH_MS = 1_000;

type UsageRow = AgentDetail['usageByModel'][number];

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value)) return value.length === 0 ? '—' : value.map(String).join(', ');
  if (typeof value === 'object') return Object.keys(value).length === 0 ? '—' : JSON.stringify(value, null, 2);
  return String(value);
}

function Fact(props: { label: string; children: JSX.Element }) {
  return (
    <div class="agent-fact">
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

function AgentFacts(props: { detail: AgentDetail }) {
  const fleet = useFleet();
  const now = useNow();
  // The fleet store has the newest status, activity and last seen (it is patched per event).
  const agent = () => fleet.byId(props.detail.agent.id) ?? props.detail.agent;
  const gatewayName = createGatewayNames(() => agent().gatewayId !== null);
  const metadata = () => describeValue(props.detail.agent.metadata);
  return (
    <section class="card" aria-labelledby="agent-facts-title">
      <h2 id="agent-facts-title">Details</h2>
      <dl class="agent-facts">
        <Fact label="Status">
          <AgentStatusBadge status={agent().status} />
        </Fact>
        <Fact label="Activity">{agent().activity ?? '—'}</Fact>
        <Fact label="Current task">{agent().currentTaskId ?? '—'}</Fact>
        <Fact label="Last seen">
          <LastSeen at={agent().lastSeenAt} nowMs={now()} />
        </Fact>
        <Fact label="Status since">{formatDateTime(agent().statusChangedAt)}</Fact>
        <Fact label="Tool">
          {agent().toolName ?? '—'}
          <Show when={agent().toolVersion}>{(version) => <span class="agent-version">{version()}</span>}</Show>
        </Fact>
        <Fact label="Role">{agent().role ?? '—'}</Fact>
        <Fact label="Connected through">
          <Show when={agent().gatewayId} fallback={`Directly (${agent().source})`}>
            {(gatewayId) => `Gateway ${gatewayName(gatewayId())}`}
          </Show>
        </Fact>
        <Fact label="Framework">{props.detail.agent.framework ?? '—'}</Fact>
        <Fact label="Capabilities">{describeValue(props.detail.agent.capabilities)}</Fact>
        <Fact label="Heartbeat every">{agent().heartbeatIntervalS} s</Fact>
        <Fact label="First seen">{formatDateTime(agent().createdAt)}</Fact>
      </dl>
      <Show when={metadata() !== '—'}>
        <details class="agent-metadata">
          <summary>Metadata</summary>
          <pre class="code-block">{metadata()}</pre>
        </details>
      </Show>
    </section>
  );
}

function ConnectionsTable(props: { connections: AgentDetail['connections'] }) {
  return (
    <section class="card" aria-labelledby="agent-connections-title">
      <h2 id="agent-connections-title">Connections</h2>
      <Show when={props.connections.length > 0} fallback={<EmptyState>No connections yet.</EmptyState>}>
        <div class="table-wrap">
          <table class="table">
            <caption class="visually-hidden">Connections, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Last heartbeat</th>
                <th scope="col">Tool</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              <For each={props.connections}>
                {(connection) => (
                  <tr>
                    <td>{formatDateTime(connection.startedAt)}</td>
                    <td>{formatDateTime(connection.lastHeartbeatAt)}</td>
                    <td>{[connection.toolName, connection.toolVersion].filter(Boolean).join(' ') || '—'}</td>
                    <td>
                      <Show when={connection.endedAt} fallback={<span class="connection-state" data-state="live">Live</span>}>
                        {(endedAt) => (
                          <span class="connection-state" data-state="ended">
                            Ended {formatDateTime(endedAt())}
                            {connection.endReason ? ` (${connection.endReason})` : ''}
                          </span>
                        )}
                      </Show>
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </Show>
    </section>
  );
}

function usageTotals(rows: readonly UsageRow[]) {
  return rows.reduce(
    (total, row) => ({
      records: total.records + row.records,
      inputTokens: total.inputTokens + row.inputTokens,
      outputTokens: total.outputTokens + row.outputTokens,
      cacheTokens: total.cacheTokens + row.cacheReadTokens + row.cacheWriteTokens,
      costUsd: total.costUsd + (row.costUsd ?? 0),
      unpriced: total.unpriced + row.unpriced,
    }),
    { records: 0, inputTokens: 0, outputTokens: 0, cacheTokens: 0, costUsd: 0, unpriced: 0 },
  );
}

function UsageByModel(props: { rows: AgentDetail['usageByModel'] }) {
  const totals = () => usageTotals(props.rows);
  return (
    <section class="card" aria-labelledby="agent-usage-title">
      <h2 id="agent-usage-title">Usage by model, last 7 days</h2>
      <Show when={props.rows.length > 0} fallback={<EmptyState>No token usage reported in the last 7 days.</EmptyState>}>
        <div class="table-wrap">
          <table class="table">
            <caption class="visually-hidden">Usage by model over the last 7 days</caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col" class="numeric">Records</th>
                <th scope="col" class="numeric">Input</th>
                <th scope="col" class="numeric">Output</th>
                <th scope="col" class="numeric">Cache</th>
                <th scope="col" class="numeric">Cost</th>
              </tr>
            </thead>
            <tbody>
              <For each={props.rows}>
                {(row) => (
                  <tr>
                    <th scope="row" class="mono">
                      {row.model}
                    </th>
                    <td class="numeric">{formatCount(row.records)}</td>
                    <td class="numeric" title={formatCount(row.inputTokens)}>
                      {formatTokens(row.inputTokens)}
                    </td>
                    <td class="numeric" title={formatCount(row.outputTokens)}>
                      {formatTokens(row.outputTokens)}
                    </td>
                    <td class="numeric" title={formatCount(row.cacheReadTokens + row.cacheWriteTokens)}>
                      {formatTokens(row.cacheReadTokens + row.cacheWriteTokens)}
                    </td>
                    <td class="numeric">
                      <UsageCost costUsd={row.costUsd ?? 0} unpriced={row.unpriced} />
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">Total</th>
                <td class="numeric">{formatCount(totals().records)}</td>
                <td class="numeric">{formatTokens(totals().inputTokens)}</td>
                <td class="numeric">{formatTokens(totals().outputTokens)}</td>
                <td class="numeric">{formatTokens(totals().cacheTokens)}</td>
                <td class="numeric">
                  <UsageCost costUsd={totals().costUsd} unpriced={totals().unpriced} />
                </td>
              </tr>
            </tfoot>
          </table>
        </div>
      </Show>
    </section>
  );
}

function StatusTimeline(props: { timeline: AgentDetail['timeline'] }) {
  return (
    <section class="card" aria-labelledby="agent-timeline-title">
      <h2 id="agent-timeline-title">Status timeline</h2>
      <Show when={props.timeline.length > 0} fallback={<EmptyState>No status changes yet.</EmptyState>}>
        <ol class="status-timeline">
          <For each={props.timeline}>
            {(entry) => (
              <li class="status-timeline-entry" data-status={entry.toStatus}>
                <time datetime={entry.at}>{formatDateTime(entry.at)}</time>
                <span class="status-timeline-change">
                  {entry.fromStatus ? `${statusLabel(entry.fromStatus)} → ` : ''}
                  <strong>{statusLabel(entry.toStatus)}</strong>
                </span>
                <Show when={entry.activity}>{(activity) => <span class="agent-subtext">{activity()}</span>}</Show>
              </li>
            )}
          </For>
        </ol>
      </Show>
    </section>
  );
}

function AgentDetailView(props: { agentRef: string }) {
  const user = useCurrentUser();
  const fleet = useFleet();
  const detail = createAsyncStore(() => getAgentDetail(props.agentRef), { reconcile: { key: 'id' } });
  const [removed, setRemoved] = createSignal(false);

  // Refetch the tables when this agent's status changes or it reports usage, at most once a second.
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  function scheduleRefresh() {
    refreshTimer ??= setTimeout(() => {
      refreshTimer = undefined;
      void refreshAgentDetail(props.agentRef);
    }, DETAIL_REFRESH_MS);
  }
  onCleanup(() => clearTimeout(refreshTimer));
  const isThisAgent = (agentId: string | null | undefined) => agentId !== undefined && agentId === detail()?.agent.id;
  onLiveEvent('agent.updated', (event) => {
    const update = readAgentUpdated(event.payload);
    if (update && isThisAgent(update.agentId) && (update.statusChanged || update.usage)) scheduleRefresh();
  });
  onLiveEvent('usage.recorded', (event) => {
    const payload = event.payload as { agentId?: string } | null;
    if (isThisAgent(payload?.agentId)) scheduleRefresh();
  });
  onLiveEvent('agent.removed', (event) => {
    const payload = event.payload as { agentId?: string } | null;
    if (isThisAgent(payload?.agentId)) setRemoved(true);
  });

  return (
    <Show when={detail()}>
      {(data) => (
        <>
          <div class="page-header">
            <div>
              <div class="agent-title">
                <h1 id="agent-title">{data().agent.name}</h1>
                <AgentStatusBadge status={(fleet.byId(data().agent.id) ?? data().agent).status} />
              </div>
              <p class="page-intro">{data().agent.role ?? 'Agent'}</p>
            </div>
          </div>
          <Show when={removed()}>
            <p class="notice" role="alert">
              This agent was removed. <A href="/agents">Back to all agents</A>
            </p>
          </Show>
          <AgentFacts detail={data()} />
          <ConnectionsTable connections={data().connections} />
          <UsageByModel rows={data().usageByModel} />
          <StatusTimeline timeline={data().timeline} />
          <Show when={hasRole(user().role, 'admin')}>
            <AgentAdminPanel detail={data()} onKeysChanged={() => refreshAgentDetail(props.agentRef)} />
          </Show>
        </>
      )}
    </Show>
  );
}

export default function AgentDetailPage() {
  const params = useParams<{ agentRef: string }>();
  return (
    <section class="page agent-detail-page" aria-labelledby="agent-title">
      <nav aria-label="Breadcrumb" class="agent-breadcrumb">
        <A href="/agents">← All agents</A>
      </nav>
      {/* Keyed: another agent gets a fresh error boundary and loading state. */}
      <Show when={params.agentRef} keyed>
        {(agentRef) => (
      <ErrorBoundary
        fallback={(error, reset) => (
          <Show
            when={errorCode(error) === 'NOT_FOUND'}
            fallback={<ErrorState error={error} onRetry={() => void refreshAgentDetail(agentRef).then(reset)} />}
          >
            <h1 id="agent-title">Agent not found</h1>
            <p class="notice" role="alert">
              There is no agent named {agentRef}. It may have been removed. <A href="/agents">See all agents</A>
            </p>
          </Show>
        )}
      >
        <Suspense fallback={<LoadingState label="Loading agent…" />}>
          <AgentDetailView agentRef={agentRef} />
        </Suspense>
      </ErrorBoundary>
        )}
      </Show>
    </section>
  );
}
