// Guards a page by role, saying which role it needs instead of failing on the server's 403.
import type { JSX } from 'solid-js';
import { Show } from 'solid-js';
import { hasRole } from '../lib/roles';
import { useCurrentUser } from '../lib/session';
import type { Role } from '../lib/trpc';

export function RequireRole(props: { role: Role; title: string; purpose: string; children: JSX.Element }) {
  const user = useCurrentUser();
  return (
    <Show
      when={hasRole(user().role, props.role)}
      fallback={
        <section class="page" aria-labelledby="forbidden-title">
          <h1 id="forbidden-title">{props.title}</h1>
          <p class="notice" role="alert">
            You need the {props.role} role to {props.purpose}. You are signed in as {user().username} ({user().role}).
            Ask an admin if you need access.
          </p>
        </section>
      }
    >
      {props.children}
    </Show>
  );
}
