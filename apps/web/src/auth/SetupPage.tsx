// /setup?token=…: creates the first admin with the one-time token the server printed.
import { A, createAsync, useNavigate, useSearchParams } from '@solidjs/router';
import { createUniqueId, Match, Switch } from 'solid-js';
import { FormError } from '../components/FormError';
import { createMutation } from '../lib/create-mutation';
import { readField } from '../lib/form-fields';
import { getSession, reloadSession } from '../lib/session';
import { trpc } from '../lib/trpc';
import { AuthCard } from './AuthCard';

export default function SetupPage() {
  const session = createAsync(() => getSession());
  const [searchParams] = useSearchParams();
  const navigate = useNavigate();
  const token = () => {
    const value = searchParams.token;
    return (Array.isArray(value) ? value[0] : value) ?? '';
  };
  const usernameId = createUniqueId();
  const passwordId = createUniqueId();
  const setup = createMutation((username: string, password: string) =>
    trpc.auth.setupAdmin.mutate({ token: token(), username, password }),
  );

  async function handleSubmit(event: SubmitEvent & { currentTarget: HTMLFormElement }) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = await setup.run(readField(form, 'username'), readField(form, 'password'));
    if (!result.ok) return;
    await reloadSession();
    navigate('/', { replace: true });
  }

  return (
    <AuthCard title="Create the first admin" intro="This account manages users, API keys and settings.">
      <Switch>
        <Match when={session() && !session()?.setupRequired}>
          <p class="notice">
            An admin account already exists, so this setup link no longer works. <A href="/login">Sign in</A>{' '}
            instead.
          </p>
        </Match>
        <Match when={!token()}>
          <p class="form-error" role="alert">
            This setup link has no token. Open the exact link printed in the server log.
          </p>
        </Match>
        <Match when={true}>
          <form class="form" onSubmit={(event) => void handleSubmit(event)}>
            <div class="field">
              <label for={usernameId}>Username</label>
              <input id={usernameId} class="input" name="username" autocomplete="username" required />
            </div>
            <div class="field">
              <label for={passwordId}>Password</label>
              <input
                id={passwordId}
                class="input"
                name="password"
                type="password"
                autocomplete="new-password"
                required
              />
            </div>
            <FormError message={setup.error()} />
            <button type="submit" class="button" data-variant="primary" disabled={setup.pending()}>
              {setup.pending() ? 'Creating admin…' : 'Create admin'}
            </button>
          </form>
        </Match>
      </Switch>
    </AuthCard>
  );
}
