// One configured gateway in Settings → Gateways: live status, last error with its hint, the
// pairing request when the gateway wants an approval, connection facts and the admin actions.
// It reads the gateway's store proxy field by field, so a gateway.updated patches its text only.
import { createUniqueId, For, type JSX, Show } from 'solid-js';
import { FormError } from '../components/FormError';
import { createMutation } from '../lib/create-mutation';
import { formatDateTime } from '../lib/format-time';
import { type GatewayItem, gatewayApi } from './gateway-api';
import { canRetry, formatLatency } from './gateway-format';
import { GatewayStatusBadge } from './GatewayStatusBadge';
import { PairingPanel } from './PairingPanel';

const AUTH_LABELS: Record<string, string> = { token: 'Token', password: 'Password', none: 'None' };

function Fact(props: { label: string; children: JSX.Element }) {
  return (
    <div class="gateway-fact">
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

export function GatewayErrorBox(props: { gateway: GatewayItem }) {
  return (
    <Show when={props.gateway.status !== 'ready' && !(props.gateway.status === 'pairing_required' && props.gateway.pairing) && props.gateway.lastError}>
      {(error) => (
        <div class="gateway-error">
          <p>
            <strong>{error().message}</strong> <span class="gateway-muted">({error().code})</span>
          </p>
          <Show when={error().hint}>{(hint) => <p class="gateway-hint">{hint()}</p>}</Show>
        </div>
      )}
    </Show>
  );
}

export function GatewayCard(props: {
  gateway: GatewayItem;
  onEdit: (gateway: GatewayItem) => void;
  onRemove: (gateway: GatewayItem) => void;
  /** A view the server returned from an action, ahead of its live event. */
  onSaved: (gateway: GatewayItem) => void;
}) {
  const titleId = createUniqueId();
  const gateway = () => props.gateway;
  const retry = createMutation(async () => props.onSaved(await gatewayApi.gateways.retryNow.mutate({ id: props.gateway.id })));
  const toggle = createMutation(async (enabled: boolean) =>
    props.onSaved(await gatewayApi.gateways.update.mutate({ id: props.gateway.id, enabled })),
  );
  const disabled = () => gateway().status === 'disabled' || gateway().enabled === false;

  return (
    <article class="card gateway-card" data-status={gateway().status} aria-labelledby={titleId}>
      <header class="gateway-card-header">
        <div class="gateway-card-title">
          <h2 id={titleId}>{gateway().name}</h2>
          <code class="gateway-url">{gateway().url}</code>
        </div>
        <span role="status" aria-label={`${gateway().name} status`}>
          <GatewayStatusBadge status={gateway().status} />
        </span>
      </header>
      <Show when={gateway().status === 'pairing_required' ? gateway().pairing : null}>
        {(pairing) => (
          <PairingPanel
            gateway={gateway()}
            pairing={pairing()}
            retry={{ pending: retry.pending(), onRetry: () => void retry.run() }}
          />
        )}
      </Show>
      <GatewayErrorBox gateway={gateway()} />
      <dl class="gateway-facts">
        <Fact label="Latency">{formatLatency(gateway().latencyMs)}</Fact>
        <Fact label="Version">{gateway().serverVersion ?? '—'}</Fact>
        <Fact label="Protocol">{gateway().protocol ?? '—'}</Fact>
        <Fact label="Auth">
          {AUTH_LABELS[gateway().authMode] ?? gateway().authMode}
          {gateway().authMode !== 'none' ? (gateway().hasSecret ? ' (secret stored)' : ' (no secret)') : ''}
        </Fact>
        <Fact label="Scopes">
          <Show when={gateway().scopes.length > 0} fallback="—">
            <ul class="scope-list">
              <For each={gateway().scopes}>
                {(scope) => (
                  <li>
                    <code>{scope}</code>
                  </li>
                )}
              </For>
            </ul>
          </Show>
          <Show when={gateway().adminScopeRequested && gateway().status === 'ready' && !gateway().scopes.includes('operator.admin')}>
            <span class="gateway-hint">Admin scope requested but not granted.</span>
          </Show>
        </Fact>
        <Fact label="Last connected">{formatDateTime(gateway().lastConnectedAt)}</Fact>
        <Show when={gateway().nextRetryAt}>{(at) => <Fact label="Next retry">{formatDateTime(at())}</Fact>}</Show>
        <Fact label="Mirrored">
          {gateway().counts.agents} agents · {gateway().counts.sessions} sessions · {gateway().counts.cronJobs} cron jobs
        </Fact>
      </dl>
      <div class="form-actions">
        {/* A pairing request has its own "Retry now" in the panel. */}
        <Show when={canRetry(gateway()) && !(gateway().status === 'pairing_required' && gateway().pairing)}>
          <button
            type="button"
            class="button"
            data-variant="primary"
            disabled={retry.pending()}
            aria-label={`Retry now: ${gateway().name}`}
            onClick={() => void retry.run()}
          >
            {retry.pending() ? 'Retrying…' : 'Retry now'}
          </button>
        </Show>
        <button type="button" class="button" aria-label={`Edit ${gateway().name}`} onClick={() => props.onEdit(gateway())}>
          Edit
        </button>
        <button
          type="button"
          class="button"
          disabled={toggle.pending()}
          aria-label={`${disabled() ? 'Enable' : 'Disable'} ${gateway().name}`}
          onClick={() => void toggle.run(disabled())}
        >
          {disabled() ? 'Enable' : 'Disable'}
        </button>
        <button
          type="button"
          class="button"
          data-variant="danger"
          aria-label={`Remove gateway ${gateway().name}`}
          onClick={() => props.onRemove(gateway())}
        >
          Remove gateway
        </button>
      </div>
      <FormError message={retry.error() ?? toggle.error()} />
    </article>
  );
}
