// "Agents" in the main navigation with the live count of agents that need input: a badge on
// the link and on the narrow-screen "Menu" button, the count in the link's name, and a polite
// announcement when it changes. Ships in the entry (the header); the fleet pages stay lazy.
import { A, useNavigate } from '@solidjs/router';
import { Show } from 'solid-js';
import { Portal } from 'solid-js/web';
import { useFleet } from './fleet-store';
import { setNotificationOpener } from './needs-input-notifier';
import './nav-badge.css';

export function needsInputText(count: number): string {
  return count === 1 ? '1 agent needs input' : `${count} agents need input`;
}

export function AgentsNavLink() {
  const fleet = useFleet();
  const navigate = useNavigate();
  setNotificationOpener((agentName) => navigate(`/agents/${encodeURIComponent(agentName)}`));
  const count = fleet.needsInputCount;
  const label = () => (count() === 0 ? undefined : `Agents, ${count()} ${count() === 1 ? 'needs' : 'need'} input`);
  return (
    <>
      <A href="/agents" activeClass="is-active" class="agents-nav-link" aria-label={label()}>
        Agents
        <Show when={count() > 0}>
          <span class="needs-input-badge" aria-hidden="true">
            {count()}
          </span>
        </Show>
      </A>
      {/* Outside the collapsible menu, so it is announced on narrow screens too. */}
      <Portal>
        <p class="visually-hidden" aria-live="polite">
          {count() > 0 ? needsInputText(count()) : ''}
        </p>
      </Portal>
    </>
  );
}

/** The count on the narrow-screen "Menu" button, where the navigation is collapsed. */
export function NeedsInputMenuBadge() {
  const fleet = useFleet();
  return (
    <Show when={fleet.needsInputCount() > 0}>
      <span class="needs-input-badge" aria-hidden="true">
        {fleet.needsInputCount()}
      </span>
      <span class="visually-hidden">, {needsInputText(fleet.needsInputCount())}</span>
    </Show>
  );
}
