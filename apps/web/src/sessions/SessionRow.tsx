// One session row. It reads the session's store proxy field by field, so a session.updated for
// this session updates this row's text nodes only; other rows are never touched.
import { Show } from 'solid-js';
import { formatDateTime, formatRelative } from '../lib/format-time';
import type { SessionItem } from '../gateways/gateway-api';
import { ContextGauge } from './ContextGauge';
import { formatCostExact, formatSessionCost, formatTokens, sessionLabel } from './session-format';

export function SessionBusy(props: { busy: boolean }) {
  return (
    <Show when={props.busy}>
      <span class="session-busy">
        <span class="session-busy-dot" aria-hidden="true" />
        Busy
      </span>
    </Show>
  );
}

export function SessionRow(props: { session: SessionItem; nowMs: number; onOpen: (session: SessionItem) => void }) {
  const session = () => props.session;
  return (
    <tr class="session-row" data-busy={session().busy ? 'true' : 'false'} data-source={session().source}>
      <th scope="row" class="session-cell-title">
        <button
          type="button"
          class="link-button session-open"
          aria-haspopup="dialog"
          onClick={() => props.onOpen(session())}
        >
          {sessionLabel(session())}
        </button>
        <Show when={session().title?.trim()}>
          <span class="session-subtext">{session().sessionKey}</span>
        </Show>
      </th>
      <td data-label="Agent">{session().agentName ?? session().agentId ?? '—'}</td>
      <td data-label="Gateway">{session().source === 'sdk' ? 'SDK' : (session().gatewayName ?? '—')}</td>
      <td data-label="Status">
        <span class="session-cell-status">
          <span class="session-status">{session().status ?? '—'}</span>
          <SessionBusy busy={session().busy} />
        </span>
      </td>
      <td data-label="Model">{session().model ?? '—'}</td>
      <td data-label="Context">
        <ContextGauge tokens={session().contextTokens} limit={session().contextLimit} />
      </td>
      <td data-label="Tokens in / out" class="numeric">
        {formatTokens(session().inputTokens)} / {formatTokens(session().outputTokens)}
      </td>
      <td data-label="Cost" class="numeric">
        <span
          class={session().costUsd === null ? 'unpriced-marker' : undefined}
          title={formatCostExact(session().costUsd)}
        >
          {formatSessionCost(session().costUsd)}
        </span>
      </td>
      <td data-label="Updated">
        <Show when={session().updatedAt} fallback="—">
          {(at) => (
            <time class="session-updated" datetime={at()} title={formatDateTime(at())}>
              {formatRelative(at(), props.nowMs)}
            </time>
          )}
        </Show>
      </td>
    </tr>
  );
}
