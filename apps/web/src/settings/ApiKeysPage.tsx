// /settings/api-keys (operator+; admins see every key): create a key (secret shown once),
// list keys, revoke with a confirmation.
import { createAsyncStore, query, revalidate } from '@solidjs/router';
import { createSignal, createUniqueId, ErrorBoundary, For, Show, Suspense } from 'solid-js';
import { FormError } from '../components/FormError';
import { EmptyState, ErrorState, LoadingState } from '../components/ListStates';
import { createMutation } from '../lib/create-mutation';
import { readField } from '../lib/form-fields';
import { formatDateTime } from '../lib/format-time';
import { hasRole, isRole, ROLES, roleLabel } from '../lib/roles';
import { useCurrentUser } from '../lib/session';
import { type ApiKeyRow, type CreatedApiKey, type Role, trpc } from '../lib/trpc';
import { CreatedKeyDialog, RevokeKeyDialog } from './ApiKeyDialogs';
import { RequireRole } from './RequireRole';

const listApiKeys = query(() => trpc.apiKeys.list.query(), 'apiKeys.list');
const MAX_EXPIRY_DAYS = 3650;

function refreshApiKeys(): Promise<void> {
  return revalidate(listApiKeys.key);
}

type KeyStatus = 'active' | 'revoked' | 'expired';

function keyStatus(key: ApiKeyRow, nowMs: number): KeyStatus {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && new Date(key.expiresAt).getTime() <= nowMs) return 'expired';
  return 'active';
}

const STATUS_LABELS: Record<KeyStatus, string> = { active: 'Active', revoked: 'Revoked', expired: 'Expired' };

function CreateKeyForm(props: { onCreated: (created: CreatedApiKey) => void; onCancel: () => void }) {
  const user = useCurrentUser();
  const nameId = createUniqueId();
  const roleId = createUniqueId();
  const expiresId = createUniqueId();
  const expiresHintId = createUniqueId();
  // A key can't have more power than the person creating it.
  const allowedRoles = () => ROLES.filter((role) => hasRole(user().role, role));
  const defaultRole = (): Role => (hasRole(user().role, 'operator') ? 'operator' : 'viewer');
  const create = createMutation((name: string, role: Role, expiresInDays: number | undefined) =>
    trpc.apiKeys.create.mutate(expiresInDays === undefined ? { name, role } : { name, role, expiresInDays }),
  );

  async function handleSubmit(event: SubmitEvent & { currentTarget: HTMLFormElement }) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const role = readField(form, 'role');
    if (!isRole(role)) return;
    const expiresText = readField(form, 'expiresInDays').trim();
    const expiresInDays = expiresText === '' ? undefined : Number(expiresText);
    const result = await create.run(readField(form, 'name').trim(), role, expiresInDays);
    if (!result.ok) return;
    props.onCreated(result.value);
  }

  return (
    <section class="card" aria-labelledby="create-key-title">
      <h2 id="create-key-title">New API key</h2>
      <form
        class="form"
        onSubmit={(event) => void handleSubmit(event)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') props.onCancel();
        }}
      >
        <div class="form-row">
          <div class="field">
            <label for={nameId}>Name</label>
            <input
              id={nameId}
              class="input"
              name="name"
              required
              maxLength={100}
              autocomplete="off"
              placeholder="e.g. builder-1 on ci-runner"
              ref={(input) => queueMicrotask(() => input.focus())}
            />
          </div>
          <div class="field">
            <label for={roleId}>Role</label>
            <select id={roleId} class="select" name="role">
              <For each={allowedRoles()}>
                {(role) => (
                  <option value={role} selected={role === defaultRole()}>
                    {roleLabel(role)}
                  </option>
                )}
              </For>
            </select>
          </div>
          <div class="field">
            <label for={expiresId}>Expires in (days)</label>
            <input
              id={expiresId}
              class="input"
              name="expiresInDays"
              type="number"
              inputmode="numeric"
              min="1"
              max={MAX_EXPIRY_DAYS}
              step="1"
              placeholder="Never"
              aria-describedby={expiresHintId}
            />
          </div>
        </div>
        <p id={expiresHintId} class="field-hint">
          Leave "Expires in" empty for a key that never expires.
        </p>
        <FormError message={create.error()} />
        <div class="form-actions">
          <button type="submit" class="button" data-variant="primary" disabled={create.pending()}>
            {create.pending() ? 'Creating…' : 'Create key'}
          </button>
          <button type="button" class="button" onClick={() => props.onCancel()}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

function ApiKeyTableRow(props: { apiKey: ApiKeyRow; showOwner: boolean; onRevoke: (key: ApiKeyRow) => void }) {
  const status = () => keyStatus(props.apiKey, Date.now());
  const owner = () => {
    if (props.apiKey.agentName) return `Agent ${props.apiKey.agentName}`;
    return props.apiKey.ownerUsername ?? '—';
  };
  return (
    <tr data-status={status()}>
      <td>{props.apiKey.name}</td>
      <td>
        <code>{props.apiKey.displayPrefix}…</code>
      </td>
      <td>{roleLabel(props.apiKey.role)}</td>
      <Show when={props.showOwner}>
        <td>{owner()}</td>
      </Show>
      <td>{formatDateTime(props.apiKey.createdAt)}</td>
      <td>{formatDateTime(props.apiKey.lastUsedAt)}</td>
      <td>{formatDateTime(props.apiKey.expiresAt)}</td>
      <td>
        <span class="status-badge" data-status={status()}>
          {STATUS_LABELS[status()]}
        </span>
      </td>
      <td>
        <div class="table-actions">
          <Show when={status() !== 'revoked'}>
            <button
              type="button"
              class="button"
              data-size="small"
              aria-label={`Revoke ${props.apiKey.name}`}
              onClick={() => props.onRevoke(props.apiKey)}
            >
              Revoke
            </button>
          </Show>
        </div>
      </td>
    </tr>
  );
}

function ApiKeysTable(props: { onRevoke: (key: ApiKeyRow) => void }) {
  const user = useCurrentUser();
  const showOwner = () => hasRole(user().role, 'admin');
  const keys = createAsyncStore(() => listApiKeys(), { reconcile: { key: 'id' } });
  return (
    <Show when={keys()}>
      {(rows) => (
        <Show
          when={rows().length > 0}
          fallback={<EmptyState>No API keys yet. Create one to connect an agent or script.</EmptyState>}
        >
          <div class="table-wrap">
            <table class="table">
              <caption class="visually-hidden">API keys</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Prefix</th>
                  <th scope="col">Role</th>
                  <Show when={showOwner()}>
                    <th scope="col">Owner</th>
                  </Show>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                <For each={rows()}>
                  {(apiKey) => <ApiKeyTableRow apiKey={apiKey} showOwner={showOwner()} onRevoke={props.onRevoke} />}
                </For>
              </tbody>
            </table>
          </div>
        </Show>
      )}
    </Show>
  );
}

function ApiKeysManager() {
  const user = useCurrentUser();
  const [creating, setCreating] = createSignal(false);
  const [created, setCreated] = createSignal<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = createSignal<ApiKeyRow | null>(null);
  const [notice, setNotice] = createSignal<string | null>(null);
  let createButton: HTMLButtonElement | undefined;

  return (
    <section class="page" aria-labelledby="api-keys-title">
      <div class="page-header">
        <div>
          <h1 id="api-keys-title">API keys</h1>
          <p class="page-intro">
            {hasRole(user().role, 'admin')
              ? 'Keys let agents and scripts call the API. As an admin you see every key.'
              : 'Keys let agents and scripts call the API. You see the keys you created.'}
          </p>
        </div>
        <button
          ref={createButton}
          type="button"
          class="button"
          data-variant="primary"
          aria-expanded={creating()}
          onClick={() => {
            setNotice(null);
            setCreating((open) => !open);
          }}
        >
          Create API key
        </button>
      </div>
      <Show when={creating()}>
        <CreateKeyForm
          onCancel={() => {
            setCreating(false);
            createButton?.focus();
          }}
          onCreated={(result) => {
            setCreating(false);
            setCreated(result);
            void refreshApiKeys();
          }}
        />
      </Show>
      <p class="form-success" role="status">
        {notice() ?? ''}
      </p>
      <ErrorBoundary
        fallback={(error, reset) => <ErrorState error={error} onRetry={() => void refreshApiKeys().then(reset)} />}
      >
        <Suspense fallback={<LoadingState label="Loading API keys…" />}>
          <ApiKeysTable onRevoke={(key) => setRevoking(key)} />
        </Suspense>
      </ErrorBoundary>
      <Show when={created()}>
        {(result) => (
          <CreatedKeyDialog
            created={result()}
            onClose={() => {
              // Drop the secret from memory: it is shown exactly once.
              setCreated(null);
              createButton?.focus();
            }}
          />
        )}
      </Show>
      <Show when={revoking()}>
        {(apiKey) => (
          <RevokeKeyDialog
            apiKey={apiKey()}
            onClose={() => setRevoking(null)}
            onRevoked={async () => {
              const name = apiKey().name;
              await refreshApiKeys();
              setNotice(`Revoked ${name}.`);
              setRevoking(null);
            }}
          />
        )}
      </Show>
    </section>
  );
}

export default function ApiKeysPage() {
  return (
    <RequireRole role="operator" title="API keys" purpose="create or manage API keys">
      <ApiKeysManager />
    </RequireRole>
  );
}
