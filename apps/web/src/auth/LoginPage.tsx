// /login: username + password; shows the server's error text (bad credentials, rate limit).
import { createAsync, Navigate, useLocation, useNavigate, useSearchParams } from '@solidjs/router';
import { createUniqueId, onMount, Show } from 'solid-js';
import { FormError } from '../components/FormError';
import { createMutation } from '../lib/create-mutation';
import { readField } from '../lib/form-fields';
import { getSession, reloadSession } from '../lib/session';
import { trpc } from '../lib/trpc';
import { AuthCard } from './AuthCard';
import { safeNextPath } from './safe-next-path';

function readNotice(state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null || !('notice' in state)) return undefined;
  return typeof state.notice === 'string' ? state.notice : undefined;
}

export default function LoginPage() {
  const session = createAsync(() => getSession());
  const [searchParams] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const nextPath = () => safeNextPath(searchParams.next);
  const usernameId = createUniqueId();
  const passwordId = createUniqueId();
  const errorId = createUniqueId();
  let usernameInput: HTMLInputElement | undefined;
  let passwordInput: HTMLInputElement | undefined;
  onMount(() => usernameInput?.focus());
  const login = createMutation((username: string, password: string) =>
    trpc.auth.login.mutate({ username, password }),
  );

  async function handleSubmit(event: SubmitEvent & { currentTarget: HTMLFormElement }) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = await login.run(readField(form, 'username'), readField(form, 'password'));
    if (!result.ok) {
      passwordInput?.select();
      return;
    }
    await reloadSession();
    navigate(nextPath(), { replace: true });
  }

  return (
    <Show when={!session()?.user} fallback={<Navigate href={nextPath()} />}>
      <AuthCard title="Sign in">
        <Show when={readNotice(location.state)}>{(notice) => <p class="form-success">{notice()}</p>}</Show>
        <Show when={session()?.setupRequired}>
          <p class="notice">
            No admin account exists yet. Open the one-time setup link printed in the server log to create one.
          </p>
        </Show>
        <form class="form" onSubmit={(event) => void handleSubmit(event)} aria-describedby={login.error() ? errorId : undefined}>
          <div class="field">
            <label for={usernameId}>Username</label>
            <input
              id={usernameId}
              ref={usernameInput}
              class="input"
              name="username"
              autocomplete="username"
              required
            />
          </div>
          <div class="field">
            <label for={passwordId}>Password</label>
            <input
              id={passwordId}
              ref={passwordInput}
              class="input"
              name="password"
              type="password"
              autocomplete="current-password"
              required
            />
          </div>
          <FormError id={errorId} message={login.error()} />
          <button type="submit" class="button" data-variant="primary" disabled={login.pending()}>
            {login.pending() ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </AuthCard>
    </Show>
  );
}
