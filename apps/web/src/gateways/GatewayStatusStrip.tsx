// Read-only gateway health for everyone on /sessions and /cron: each gateway's live status, and
// why it isn't connected. Admins get a link to Settings → Gateways to act on it.
import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import { hasRole } from '../lib/roles';
import { useCurrentUser } from '../lib/session';
import type { GatewayItem } from './gateway-api';
import { GatewayStatusBadge } from './GatewayStatusBadge';
import './gateways.css';

export function GatewayStatusStrip(props: { gateways: readonly GatewayItem[] }) {
  const user = useCurrentUser();
  const isAdmin = () => hasRole(user().role, 'admin');
  return (
    <Show when={props.gateways.length > 0}>
      <section class="gateway-strip" aria-label="Gateway status">
        <ul class="gateway-strip-list">
          <For each={props.gateways}>
            {(gateway) => (
              <li class="gateway-strip-item" data-status={gateway.status}>
                <span class="gateway-strip-name">{gateway.name}</span>
                <span role="status" aria-label={`${gateway.name} status`}>
                  <GatewayStatusBadge status={gateway.status} />
                </span>
                <Show when={gateway.status === 'pairing_required'}>
                  <span class="gateway-strip-detail">
                    {isAdmin() ? 'Waiting for approval on the gateway host.' : 'Waiting for an admin to approve it on the gateway host.'}
                  </span>
                </Show>
                <Show when={gateway.status !== 'ready' && gateway.status !== 'pairing_required' && gateway.lastError}>
                  {(error) => <span class="gateway-strip-detail">{error().message}</span>}
                </Show>
              </li>
            )}
          </For>
        </ul>
        <Show when={isAdmin()}>
          <A href="/settings/gateways" class="gateway-strip-link">
            Manage gateways
          </A>
        </Show>
      </section>
    </Show>
  );
}
