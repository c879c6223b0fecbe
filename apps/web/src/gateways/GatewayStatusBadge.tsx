// A gateway's status as text with data-status styling (colour only decorates).
import { gatewayStatusLabel } from './gateway-format';

export function GatewayStatusBadge(props: { status: string }) {
  return (
    <span class="gateway-status" data-status={props.status}>
      <span class="gateway-status-dot" aria-hidden="true" />
      {gatewayStatusLabel(props.status)}
    </span>
  );
}
