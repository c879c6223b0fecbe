// One fleet table row. It reads the agent's store proxy field by field, so an event that
// changes one agent updates that row's text nodes only; other rows are never touched.
import { A } from '@solidjs/router';
import { Show } from 'solid-js';
import { AgentStatusBadge } from './AgentStatusBadge';
import { agentPath, formatCount, formatTokens } from './fleet-format';
import type { FleetAgent } from './fleet-store';
import { LastSeen } from './LastSeen';
import { UsageCost } from './UsageCost';

export function AgentRow(props: {
  agent: FleetAgent;
  nowMs: number;
  showGateway: boolean;
  gatewayName: (gatewayId: string) => string;
}) {
  const agent = () => props.agent;
  return (
    <tr class="agent-row" data-status={agent().status}>
      <th scope="row" class="agent-cell-name">
        <A href={agentPath(agent().name)} class="agent-name">
          {agent().name}
        </A>
        <Show when={agent().role}>{(role) => <span class="agent-subtext">{role()}</span>}</Show>
      </th>
      <td data-label="Status">
        <AgentStatusBadge status={agent().status} />
      </td>
      <td data-label="Activity" class="agent-cell-activity">
        <span class="agent-activity">{agent().activity ?? '—'}</span>
        <Show when={agent().currentTaskId}>{(taskId) => <span class="agent-subtext">Task {taskId()}</span>}</Show>
      </td>
      <td data-label="Tool">
        <Show when={agent().toolName} fallback="—">
          {(tool) => (
            <span class="agent-tool">
              {tool()}
              <Show when={agent().toolVersion}>{(version) => <span class="agent-version">{version()}</span>}</Show>
            </span>
          )}
        </Show>
      </td>
      <Show when={props.showGateway}>
        <td data-label="Gateway">
          <Show when={agent().gatewayId} fallback="Direct">
            {(gatewayId) => props.gatewayName(gatewayId())}
          </Show>
        </td>
      </Show>
      <td data-label="Last seen">
        <LastSeen at={agent().lastSeenAt} nowMs={props.nowMs} />
      </td>
      <td data-label="Tokens today" class="numeric" title={formatCount(agent().tokensToday)}>
        {formatTokens(agent().tokensToday)}
      </td>
      <td data-label="Cost today" class="numeric">
        <UsageCost costUsd={agent().costTodayUsd} unpriced={agent().unpricedToday} />
      </td>
    </tr>
  );
}
