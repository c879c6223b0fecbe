// An agent's status as text with data-status styling (colour only decorates).
import { statusLabel } from './fleet-format';

export function AgentStatusBadge(props: { status: string }) {
  return (
    <span class="agent-status" data-status={props.status}>
      <span class="agent-status-dot" aria-hidden="true" />
      {statusLabel(props.status)}
    </span>
  );
}
