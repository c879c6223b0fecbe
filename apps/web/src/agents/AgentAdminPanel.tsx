// Admin-only actions on one agent: create an agent key (secret shown once), revoke keys, remove
// the agent. Rendered only for admins; the server enforces the same (adminProcedure).
import { useNavigate } from '@solidjs/router';
import { createSignal, createUniqueId, For, Show } from 'solid-js';
import { Dialog } from '../components/Dialog';
import { SecretOnceDialog } from '../components/SecretOnceDialog';
import { EmptyState } from '../components/ListStates';
import { createMutation } from '../lib/create-mutation';
import { formatDateTime } from '../lib/format-time';
import { type MutationOutput, trpc } from '../lib/trpc';
import type { AgentDetail, AgentKey } from './agent-detail-query';

type CreatedAgentKey = MutationOutput<typeof trpc.agents.createKey>;

function CreatedAgentKeyDialog(props: { agentName: string; created: CreatedAgentKey; onClose: () => void }) {
  return (
    <SecretOnceDialog
      title="Agent key created"
      warning={`Copy this key now. It won't be shown again: Mission Control stores only a hash of it. It lets a process connect, send heartbeats and report usage as ${props.agentName} only.`}
      label={`Secret for ${props.created.apiKey.name}`}
      secret={props.created.secret}
      noun="key"
      onClose={props.onClose}
    />
  );
}

function CreateAgentKeyForm(props: { agentId: string; onCreated: (created: CreatedAgentKey) => void; onCancel: () => void }) {
  const nameId = createUniqueId();
  const create = createMutation((name: string) => trpc.agents.createKey.mutate({ agentId: props.agentId, name }));

  async function handleSubmit(event: SubmitEvent & { currentTarget: HTMLFormElement }) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get('name') ?? '').trim();
    if (!name) return;
    const result = await create.run(name);
    if (result.ok) props.onCreated(result.value);
  }

  return (
    <form
      class="form agent-key-form"
      aria-label="New agent key"
      onSubmit={(event) => void handleSubmit(event)}
      onKeyDown={(event) => {
        if (event.key === 'Escape') props.onCancel();
      }}
    >
      <div class="form-row">
        <div class="field">
          <label for={nameId}>Key name</label>
          <input
            id={nameId}
            class="input"
            name="name"
            required
            maxLength={100}
            autocomplete="off"
            placeholder="e.g. ci-runner-7"
            ref={(input) => queueMicrotask(() => input.focus())}
          />
        </div>
      </div>
      <Show when={create.error()}>
        {(message) => (
          <p class="form-error" role="alert">
            {message()}
          </p>
        )}
      </Show>
      <div class="form-actions">
        <button type="submit" class="button" data-variant="primary" disabled={create.pending()}>
          {create.pending() ? 'Creating…' : 'Create key'}
        </button>
        <button type="button" class="button" onClick={() => props.onCancel()}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function RevokeAgentKeyDialog(props: { agentKey: AgentKey; onClose: () => void; onRevoked: () => Promise<void> }) {
  const revoke = createMutation(() => trpc.agents.revokeKey.mutate({ id: props.agentKey.id }));
  async function handleConfirm() {
    const result = await revoke.run();
    if (result.ok) await props.onRevoked();
  }
  return (
    <Dialog
      role="alertdialog"
      title={`Revoke ${props.agentKey.name}?`}
      description="Anything using this key stops working immediately. This cannot be undone."
      onClose={props.onClose}
    >
      <Show when={revoke.error()}>
        {(message) => (
          <p class="form-error" role="alert">
            {message()}
          </p>
        )}
      </Show>
      <div class="dialog-actions">
        <button type="button" class="button" data-autofocus onClick={() => props.onClose()}>
          Cancel
        </button>
        <button type="button" class="button" data-variant="danger" disabled={revoke.pending()} onClick={() => void handleConfirm()}>
          {revoke.pending() ? 'Revoking…' : 'Revoke key'}
        </button>
      </div>
    </Dialog>
  );
}

function RemoveAgentDialog(props: { agent: AgentDetail['agent']; onClose: () => void }) {
  const navigate = useNavigate();
  const remove = createMutation(() => trpc.agents.remove.mutate({ agentId: props.agent.id }));
  async function handleConfirm() {
    const result = await remove.run();
    if (result.ok) navigate('/agents', { state: { notice: `Removed ${props.agent.name}.` } });
  }
  return (
    <Dialog
      role="alertdialog"
      title={`Remove ${props.agent.name}?`}
      description="Its connections, status history and keys are deleted; its usage stays in the cost history. If the agent connects again it comes back as a new agent."
      onClose={props.onClose}
    >
      <Show when={remove.error()}>
        {(message) => (
          <p class="form-error" role="alert">
            {message()}
          </p>
        )}
      </Show>
      <div class="dialog-actions">
        <button type="button" class="button" data-autofocus onClick={() => props.onClose()}>
          Cancel
        </button>
        <button type="button" class="button" data-variant="danger" disabled={remove.pending()} onClick={() => void handleConfirm()}>
          {remove.pending() ? 'Removing…' : 'Remove agent'}
        </button>
      </div>
    </Dialog>
  );
}

function keyState(key: AgentKey): 'active' | 'revoked' {
  return key.revokedAt ? 'revoked' : 'active';
}

export function AgentAdminPanel(props: { detail: AgentDetail; onKeysChanged: () => Promise<void> }) {
  const [creating, setCreating] = createSignal(false);
  const [created, setCreated] = createSignal<CreatedAgentKey | null>(null);
  const [revoking, setRevoking] = createSignal<AgentKey | null>(null);
  const [removing, setRemoving] = createSignal(false);
  const [notice, setNotice] = createSignal('');
  const fromGateway = () => props.detail.agent.source === 'gateway';
  let createButton: HTMLButtonElement | undefined;

  return (
    <>
      <section class="card" aria-labelledby="agent-keys-title">
        <div class="page-header">
          <div>
            <h2 id="agent-keys-title">Agent keys</h2>
            <p class="page-intro">
              A key bound to {props.detail.agent.name}: it can connect, heartbeat and report usage as this agent only.
            </p>
          </div>
          <button
            ref={createButton}
            type="button"
            class="button"
            data-variant="primary"
            aria-expanded={creating()}
            onClick={() => {
              setNotice('');
              setCreating((open) => !open);
            }}
          >
            Create agent key
          </button>
        </div>
        <Show when={creating()}>
          <CreateAgentKeyForm
            agentId={props.detail.agent.id}
            onCancel={() => {
              setCreating(false);
              createButton?.focus();
            }}
            onCreated={(result) => {
              setCreating(false);
              setCreated(result);
              void props.onKeysChanged();
            }}
          />
        </Show>
        <p class="form-success" role="status">
          {notice()}
        </p>
        <Show when={props.detail.keys.length > 0} fallback={<EmptyState>No keys for this agent.</EmptyState>}>
          <div class="table-wrap">
            <table class="table">
              <caption class="visually-hidden">Keys of {props.detail.agent.name}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Prefix</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                <For each={props.detail.keys}>
                  {(agentKey) => (
                    <tr data-status={keyState(agentKey)}>
                      <td>{agentKey.name}</td>
                      <td>
                        <code>{agentKey.displayPrefix}…</code>
                      </td>
                      <td>{formatDateTime(agentKey.createdAt)}</td>
                      <td>{formatDateTime(agentKey.lastUsedAt)}</td>
                      <td>
                        <span class="status-badge" data-status={keyState(agentKey)}>
                          {agentKey.revokedAt ? 'Revoked' : 'Active'}
                        </span>
                      </td>
                      <td>
                        <div class="table-actions">
                          <Show when={!agentKey.revokedAt}>
                            <button
                              type="button"
                              class="button"
                              data-size="small"
                              aria-label={`Revoke ${agentKey.name}`}
                              onClick={() => setRevoking(agentKey)}
                            >
                              Revoke
                            </button>
                          </Show>
                        </div>
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
        </Show>
      </section>
      <section class="card danger-zone" aria-labelledby="agent-remove-title">
        <h2 id="agent-remove-title">Remove this agent</h2>
        <Show
          when={!fromGateway()}
          fallback={<p>This agent is mirrored from a gateway. Remove it on the gateway; it disappears here after that.</p>}
        >
          <p>Removes the agent with its connections, status history and keys. Its token usage stays in the cost history.</p>
          <div>
            <button type="button" class="button" data-variant="danger" onClick={() => setRemoving(true)}>
              Remove agent
            </button>
          </div>
        </Show>
      </section>
      <Show when={created()}>
        {(result) => (
          <CreatedAgentKeyDialog
            agentName={props.detail.agent.name}
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
        {(agentKey) => (
          <RevokeAgentKeyDialog
            agentKey={agentKey()}
            onClose={() => setRevoking(null)}
            onRevoked={async () => {
              const name = agentKey().name;
              await props.onKeysChanged();
              setNotice(`Revoked ${name}.`);
              setRevoking(null);
            }}
          />
        )}
      </Show>
      <Show when={removing()}>
        <RemoveAgentDialog agent={props.detail.agent} onClose={() => setRemoving(false)} />
      </Show>
    </>
  );
}
