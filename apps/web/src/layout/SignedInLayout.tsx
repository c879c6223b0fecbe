// Everything behind sign-in: checks the session, provides the current user, runs the
// live stream while mounted, and sends signed-out visitors to /login?next=<path>.
import { createAsync, Navigate, type RouteSectionProps, useLocation } from '@solidjs/router';
import { Match, onCleanup, onMount, Suspense, Switch } from 'solid-js';
import { LoadingState } from '../components/ListStates';
import { startLive, stopLive } from '../lib/live';
import { CurrentUserContext, getSession } from '../lib/session';
import { AppHeader } from './AppHeader';
import './layout.css';

function RedirectToLogin() {
  const location = useLocation();
  const next = `${location.pathname}${location.search}`;
  return <Navigate href={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} />;
}

function LiveStream() {
  onMount(startLive);
  onCleanup(stopLive);
  return null;
}

export function SignedInLayout(props: RouteSectionProps) {
  const session = createAsync(() => getSession());
  return (
    <Switch>
      <Match when={session()?.user}>
        {(user) => (
          <CurrentUserContext.Provider value={user}>
            <LiveStream />
            <div class="shell">
              <a class="skip-link" href="#main">
                Skip to content
              </a>
              <AppHeader />
              <main id="main" class="shell-main" tabindex="-1">
                <Suspense fallback={<LoadingState label="Loading page…" />}>{props.children}</Suspense>
              </main>
            </div>
          </CurrentUserContext.Provider>
        )}
      </Match>
      <Match when={session()}>
        <RedirectToLogin />
      </Match>
    </Switch>
  );
}
