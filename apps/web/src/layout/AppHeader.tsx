// Top bar: brand, main navigation (collapses behind "Menu" on narrow screens), live
// indicator, the signed-in user and "Sign out".
import { A, useLocation, useNavigate } from '@solidjs/router';
import { createEffect, createSignal, createUniqueId, on, Show } from 'solid-js';
import { AgentsNavLink, NeedsInputMenuBadge } from '../agents/AgentsNavLink';
import { createMutation } from '../lib/create-mutation';
import { roleLabel } from '../lib/roles';
import { useCurrentUser } from '../lib/session';
import { leaveSignedInApp } from '../lib/sign-out';
import { trpc } from '../lib/trpc';
import { LiveIndicator } from './LiveIndicator';

export function AppHeader() {
  const user = useCurrentUser();
  const navigate = useNavigate();
  const location = useLocation();
  const [menuOpen, setMenuOpen] = createSignal(false);
  const menuId = createUniqueId();
  const signOut = createMutation(() => trpc.auth.logout.mutate());

  // Close the narrow-screen menu after navigating.
  createEffect(on(() => location.pathname, () => setMenuOpen(false), { defer: true }));

  async function handleSignOut() {
    const result = await signOut.run();
    if (result.ok) leaveSignedInApp(navigate);
  }

  return (
    <header class="app-header">
      <div class="app-header-bar">
        <A href="/" class="brand" end>
          <span class="brand-mark" aria-hidden="true" />
          Mission Control
        </A>
        <LiveIndicator />
        <button
          type="button"
          class="button menu-toggle"
          aria-expanded={menuOpen()}
          aria-controls={menuId}
          onClick={() => setMenuOpen((open) => !open)}
        >
          Menu
          <NeedsInputMenuBadge />
        </button>
      </div>
      <div id={menuId} class="app-header-menu" data-open={menuOpen() ? 'true' : 'false'}>
        <nav aria-label="Main" class="main-nav">
          <A href="/" end activeClass="is-active">
            Overview
          </A>
          <AgentsNavLink />
          <A href="/tasks" activeClass="is-active">
            Tasks
          </A>
          <A href="/pipelines" activeClass="is-active">
            Pipelines
          </A>
          <A href="/sessions" activeClass="is-active">
            Sessions
          </A>
          <A href="/cron" activeClass="is-active">
            Cron
          </A>
          <A href="/costs" activeClass="is-active">
            Costs
          </A>
          <A href="/settings" activeClass="is-active">
            Settings
          </A>
        </nav>
        <div class="app-header-status">
          <span class="current-user">
            <span class="current-user-name">{user().username}</span>
            <span class="role-badge" data-role={user().role}>
              {roleLabel(user().role)}
            </span>
          </span>
          <button type="button" class="button" disabled={signOut.pending()} onClick={() => void handleSignOut()}>
            {signOut.pending() ? 'Signing out…' : 'Sign out'}
          </button>
          <Show when={signOut.error()}>
            {(message) => (
              <span class="inline-error" role="alert">
                {message()}
              </span>
            )}
          </Show>
        </div>
      </div>
    </header>
  );
}
