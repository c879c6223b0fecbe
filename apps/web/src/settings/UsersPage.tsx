// /settings/users (admin): list users, create one, change roles, disable/enable, reset passwords.
import { createAsyncStore, query, revalidate } from '@solidjs/router';
import { createSignal, createUniqueId, ErrorBoundary, For, Show, Suspense } from 'solid-js';
import { Dialog } from '../components/Dialog';
import { FormError } from '../components/FormError';
import { EmptyState, ErrorState, LoadingState } from '../components/ListStates';
import { createMutation } from '../lib/create-mutation';
import { readField } from '../lib/form-fields';
import { formatDateTime } from '../lib/format-time';
import { isRole, ROLES, roleLabel } from '../lib/roles';
import { useCurrentUser } from '../lib/session';
import { type Role, trpc, type UserRow } from '../lib/trpc';
import { RequireRole } from './RequireRole';

const listUsers = query(() => trpc.users.list.query(), 'users.list');

function refreshUsers(): Promise<void> {
  return revalidate(listUsers.key);
}

function CreateUserForm(props: { onCreated: (username: string) => void }) {
  const usernameId = createUniqueId();
  const passwordId = createUniqueId();
  const roleId = createUniqueId();
  const create = createMutation((username: string, password: string, role: Role) =>
    trpc.users.create.mutate({ username, password, role }),
  );

  async function handleSubmit(event: SubmitEvent & { currentTarget: HTMLFormElement }) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const username = readField(form, 'username').trim();
    const role = readField(form, 'role');
    if (!isRole(role)) return;
    const result = await create.run(username, readField(form, 'password'), role);
    if (!result.ok) return;
    formElement.reset();
    await refreshUsers();
    props.onCreated(username);
  }

  return (
    <section class="card" aria-labelledby="create-user-title">
      <h2 id="create-user-title">Create user</h2>
      <form class="form" onSubmit={(event) => void handleSubmit(event)}>
        <div class="form-row">
          <div class="field">
            <label for={usernameId}>Username</label>
            <input id={usernameId} class="input" name="username" autocomplete="off" required />
          </div>
          <div class="field">
            <label for={passwordId}>Password</label>
            <input id={passwordId} class="input" name="password" type="password" autocomplete="new-password" required />
          </div>
          <div class="field">
            <label for={roleId}>Role</label>
            <select id={roleId} class="select" name="role">
              <For each={ROLES}>{(role) => <option value={role}>{roleLabel(role)}</option>}</For>
            </select>
          </div>
          <button type="submit" class="button" data-variant="primary" disabled={create.pending()}>
            {create.pending() ? 'Creating…' : 'Create user'}
          </button>
        </div>
        <FormError message={create.error()} />
      </form>
    </section>
  );
}

function UserTableRow(props: { user: UserRow; onResetPassword: (user: UserRow) => void }) {
  const currentUser = useCurrentUser();
  const isSelf = () => props.user.id === currentUser().id;
  const setRole = createMutation((role: Role) => trpc.users.setRole.mutate({ userId: props.user.id, role }));
  const setDisabled = createMutation((disabled: boolean) =>
    trpc.users.setDisabled.mutate({ userId: props.user.id, disabled }),
  );

  async function handleRoleChange(select: HTMLSelectElement) {
    const role = select.value;
    if (!isRole(role)) return;
    const result = await setRole.run(role);
    // On failure put the select back to the role the server still has.
    if (!result.ok) select.value = props.user.role;
    await refreshUsers();
  }

  async function toggleDisabled() {
    await setDisabled.run(props.user.disabledAt === null);
    await refreshUsers();
  }

  const rowError = () => setRole.error() ?? setDisabled.error();

  return (
    <tr data-status={props.user.disabledAt ? 'disabled' : 'active'}>
      <td>
        {props.user.username}
        <Show when={isSelf()}>
          <span class="you-badge">(you)</span>
        </Show>
      </td>
      <td>
        <select
          class="select"
          data-size="small"
          aria-label={`Role for ${props.user.username}`}
          disabled={isSelf() || setRole.pending()}
          onChange={(event) => void handleRoleChange(event.currentTarget)}
        >
          <For each={ROLES}>
            {(role) => (
              <option value={role} selected={role === props.user.role}>
                {roleLabel(role)}
              </option>
            )}
          </For>
        </select>
      </td>
      <td>
        <span class="status-badge" data-status={props.user.disabledAt ? 'disabled' : 'active'}>
          {props.user.disabledAt ? 'Disabled' : 'Active'}
        </span>
      </td>
      <td>{formatDateTime(props.user.lastLoginAt)}</td>
      <td>{formatDateTime(props.user.createdAt)}</td>
      <td>
        <div class="table-actions">
          <Show when={rowError()}>
            {(message) => (
              <span class="inline-error" role="alert">
                {message()}
              </span>
            )}
          </Show>
          <Show when={!isSelf()}>
            <button
              type="button"
              class="button"
              data-size="small"
              aria-label={`${props.user.disabledAt ? 'Enable' : 'Disable'} ${props.user.username}`}
              disabled={setDisabled.pending()}
              onClick={() => void toggleDisabled()}
            >
              {props.user.disabledAt ? 'Enable' : 'Disable'}
            </button>
          </Show>
          <button
            type="button"
            class="button"
            data-size="small"
            aria-label={`Reset password for ${props.user.username}`}
            onClick={() => props.onResetPassword(props.user)}
          >
            Reset password
          </button>
        </div>
      </td>
    </tr>
  );
}

function UsersTable(props: { onResetPassword: (user: UserRow) => void }) {
  const users = createAsyncStore(() => listUsers(), { reconcile: { key: 'id' } });
  return (
    <Show when={users()}>
      {(rows) => (
        <Show when={rows().length > 0} fallback={<EmptyState>No users yet.</EmptyState>}>
          <div class="table-wrap">
            <table class="table">
              <caption class="visually-hidden">Users</caption>
              <thead>
                <tr>
                  <th scope="col">Username</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last sign-in</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                <For each={rows()}>{(user) => <UserTableRow user={user} onResetPassword={props.onResetPassword} />}</For>
              </tbody>
            </table>
          </div>
        </Show>
      )}
    </Show>
  );
}

function ResetPasswordDialog(props: { user: UserRow; onDone: (message: string) => void; onClose: () => void }) {
  const passwordId = createUniqueId();
  const reset = createMutation((newPassword: string) =>
    trpc.users.resetPassword.mutate({ userId: props.user.id, newPassword }),
  );

  async function handleSubmit(event: SubmitEvent & { currentTarget: HTMLFormElement }) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = await reset.run(readField(form, 'newPassword'));
    if (!result.ok) return;
    props.onDone(`Password reset for ${props.user.username}.`);
  }

  return (
    <Dialog
      title={`Reset password for ${props.user.username}`}
      description="They will need the new password to sign in."
      onClose={props.onClose}
    >
      <form class="form" onSubmit={(event) => void handleSubmit(event)}>
        <div class="field">
          <label for={passwordId}>New password</label>
          <input
            id={passwordId}
            class="input"
            name="newPassword"
            type="password"
            autocomplete="new-password"
            required
            data-autofocus
          />
        </div>
        <FormError message={reset.error()} />
        <div class="dialog-actions">
          <button type="button" class="button" onClick={() => props.onClose()}>
            Cancel
          </button>
          <button type="submit" class="button" data-variant="primary" disabled={reset.pending()}>
            {reset.pending() ? 'Resetting…' : 'Reset password'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function UsersAdmin() {
  const [resetTarget, setResetTarget] = createSignal<UserRow | null>(null);
  const [notice, setNotice] = createSignal<string | null>(null);
  return (
    <section class="page" aria-labelledby="users-title">
      <div>
        <h1 id="users-title">Users</h1>
        <p class="page-intro">People who can sign in to Mission Control, and what they may do.</p>
      </div>
      <CreateUserForm onCreated={(username) => setNotice(`Created user ${username}.`)} />
      <p class="form-success" role="status">
        {notice() ?? ''}
      </p>
      <ErrorBoundary
        fallback={(error, reset) => <ErrorState error={error} onRetry={() => void refreshUsers().then(reset)} />}
      >
        <Suspense fallback={<LoadingState label="Loading users…" />}>
          <UsersTable onResetPassword={(user) => setResetTarget(user)} />
        </Suspense>
      </ErrorBoundary>
      <Show when={resetTarget()}>
        {(user) => (
          <ResetPasswordDialog
            user={user()}
            onClose={() => setResetTarget(null)}
            onDone={(message) => {
              setResetTarget(null);
              setNotice(message);
            }}
          />
        )}
      </Show>
    </section>
  );
}

export default function UsersPage() {
  return (
    <RequireRole role="admin" title="Users" purpose="manage users">
      <UsersAdmin />
    </RequireRole>
  );
}
