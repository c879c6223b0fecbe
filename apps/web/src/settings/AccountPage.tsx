// /settings/account: change your own password, and sign out of every session.
import { useNavigate } from '@solidjs/router';
import { createSignal, createUniqueId, Show } from 'solid-js';
import { Dialog } from '../components/Dialog';
import { FormError } from '../components/FormError';
import { createMutation } from '../lib/create-mutation';
import { readField } from '../lib/form-fields';
import { roleLabel } from '../lib/roles';
import { useCurrentUser } from '../lib/session';
import { leaveSignedInApp } from '../lib/sign-out';
import { trpc } from '../lib/trpc';

function ChangePasswordForm() {
  const user = useCurrentUser();
  const currentId = createUniqueId();
  const newId = createUniqueId();
  const confirmId = createUniqueId();
  const [mismatch, setMismatch] = createSignal(false);
  const [done, setDone] = createSignal('');
  const change = createMutation((currentPassword: string, newPassword: string) =>
    trpc.auth.changePassword.mutate({ currentPassword, newPassword }),
  );

  async function handleSubmit(event: SubmitEvent & { currentTarget: HTMLFormElement }) {
    event.preventDefault();
    setDone('');
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const newPassword = readField(form, 'newPassword');
    if (newPassword !== readField(form, 'confirmPassword')) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    const result = await change.run(readField(form, 'currentPassword'), newPassword);
    if (!result.ok) return;
    formElement.reset();
    setDone('Password changed.');
  }

  const errorText = () => (mismatch() ? "The new passwords don't match." : change.error());

  return (
    <section class="card" aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      <form class="form form-narrow" onSubmit={(event) => void handleSubmit(event)}>
        {/* Lets password managers tie the new password to this account. */}
        <input type="text" name="username" autocomplete="username" value={user().username} hidden readOnly />
        <div class="field">
          <label for={currentId}>Current password</label>
          <input
            id={currentId}
            class="input"
            name="currentPassword"
            type="password"
            autocomplete="current-password"
            required
          />
        </div>
        <div class="field">
          <label for={newId}>New password</label>
          <input id={newId} class="input" name="newPassword" type="password" autocomplete="new-password" required />
        </div>
        <div class="field">
          <label for={confirmId}>Confirm new password</label>
          <input
            id={confirmId}
            class="input"
            name="confirmPassword"
            type="password"
            autocomplete="new-password"
            required
          />
        </div>
        <FormError message={errorText()} />
        <p class="form-success" role="status">
          {done()}
        </p>
        <div class="form-actions">
          <button type="submit" class="button" data-variant="primary" disabled={change.pending()}>
            {change.pending() ? 'Changing…' : 'Change password'}
          </button>
        </div>
      </form>
    </section>
  );
}

function SignOutEverywhere() {
  const navigate = useNavigate();
  const [confirming, setConfirming] = createSignal(false);
  const signOutAll = createMutation(() => trpc.auth.logoutEverywhere.mutate());

  async function handleConfirm() {
    const result = await signOutAll.run();
    if (!result.ok) return;
    const count = result.value.revoked;
    leaveSignedInApp(navigate, `Signed out of ${count} ${count === 1 ? 'session' : 'sessions'}. Sign in again to continue.`);
  }

  return (
    <section class="card danger-zone" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      <p class="page-intro">
        Signs you out on every browser and device, including this one. Use it if you signed in somewhere you no longer
        trust.
      </p>
      <div class="form-actions">
        <button type="button" class="button" data-variant="danger" onClick={() => setConfirming(true)}>
          Sign out everywhere
        </button>
      </div>
      <Show when={confirming()}>
        <Dialog
          role="alertdialog"
          title="Sign out everywhere?"
          description="Every session of your account ends, this one too."
          onClose={() => setConfirming(false)}
        >
          <FormError message={signOutAll.error()} />
          <div class="dialog-actions">
            <button type="button" class="button" data-autofocus onClick={() => setConfirming(false)}>
              Cancel
            </button>
            <button
              type="button"
              class="button"
              data-variant="danger"
              disabled={signOutAll.pending()}
              onClick={() => void handleConfirm()}
            >
              {signOutAll.pending() ? 'Signing out…' : 'Sign out all sessions'}
            </button>
          </div>
        </Dialog>
      </Show>
    </section>
  );
}

export default function AccountPage() {
  const user = useCurrentUser();
  return (
    <section class="page" aria-labelledby="account-title">
      <div>
        <h1 id="account-title">Account</h1>
        <p class="page-intro">
          Signed in as <strong>{user().username}</strong> with the {roleLabel(user().role).toLowerCase()} role.
        </p>
      </div>
      <ChangePasswordForm />
      <SignOutEverywhere />
    </section>
  );
}
