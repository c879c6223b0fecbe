// /settings/gateways (admin): OpenClaw gateways Mission Control connects to. Add (with a
// connection test before saving), edit, enable/disable, retry and remove; statuses are live.
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { Dialog } from '../components/Dialog';
import { FormError } from '../components/FormError';
import { EmptyState, ErrorState, LoadingState } from '../components/ListStates';
import { createMutation } from '../lib/create-mutation';
import { describeError } from '../lib/client-errors';
import { RequireRole } from '../settings/RequireRole';
import { type GatewayItem, gatewayApi } from './gateway-api';
import { useGateways } from './gateway-store';
import { GatewayCard } from './GatewayCard';
import { GatewayForm } from './GatewayForm';
import './gateways.css';

function RemoveGatewayDialog(props: { gateway: GatewayItem; onClose: () => void; onRemoved: () => void }) {
  const remove = createMutation(() => gatewayApi.gateways.remove.mutate({ id: props.gateway.id }));
  async function handleConfirm() {
    const result = await remove.run();
    if (result.ok) props.onRemoved();
  }
  return (
    <Dialog
      role="alertdialog"
      title={`Remove ${props.gateway.name}?`}
      description="Mission Control disconnects and forgets this gateway's mirrored sessions, cron jobs and its device identity. Nothing changes on the gateway itself."
      onClose={props.onClose}
    >
      <FormError message={remove.error()} />
      <div class="dialog-actions">
        <button type="button" class="button" data-autofocus onClick={() => props.onClose()}>
          Cancel
        </button>
        <button type="button" class="button" data-variant="danger" disabled={remove.pending()} onClick={() => void handleConfirm()}>
          {remove.pending() ? 'Removing…' : 'Remove gateway'}
        </button>
      </div>
    </Dialog>
  );
}

function GatewaysManager() {
  const gateways = useGateways();
  const [adding, setAdding] = createSignal(false);
  const [editingId, setEditingId] = createSignal<string | null>(null);
  const [removing, setRemoving] = createSignal<GatewayItem | null>(null);
  const [notice, setNotice] = createSignal<string | null>(null);
  let addButton: HTMLButtonElement | undefined;

  function finish(message: string, saved?: GatewayItem) {
    setNotice(message);
    // The saved view is newer than the list; its later changes arrive as gateway.updated.
    if (saved) gateways.apply(saved);
  }

  return (
    <section class="page gateways-page" aria-labelledby="gateways-title">
      <div class="page-header">
        <div>
          <h1 id="gateways-title">Gateways</h1>
          <p class="page-intro">
            OpenClaw gateways Mission Control connects to. Their agents, sessions and cron jobs show up on the Sessions and
            Cron pages.
          </p>
        </div>
        <button
          ref={addButton}
          type="button"
          class="button"
          data-variant="primary"
          aria-expanded={adding()}
          onClick={() => {
            setNotice(null);
            setEditingId(null);
            setAdding((open) => !open);
          }}
        >
          Add gateway
        </button>
      </div>
      <Show when={adding()}>
        <GatewayForm
          onCancel={() => {
            setAdding(false);
            addButton?.focus();
          }}
          onSaved={(saved) => {
            setAdding(false);
            finish(`Added ${saved.name}. It connects in the background; its status updates here.`, saved);
          }}
        />
      </Show>
      <p class="form-success" role="status">
        {notice() ?? ''}
      </p>
      <Switch>
        <Match when={gateways.list.length === 0 && gateways.loadState() === 'loading'}>
          <LoadingState label="Loading gateways…" />
        </Match>
        <Match when={gateways.list.length === 0 && gateways.loadState() === 'error'}>
          <ErrorState error={gateways.loadError()} onRetry={() => void gateways.reload()} />
        </Match>
        <Match when={gateways.list.length === 0}>
          <EmptyState>No gateways yet. Add one to see its sessions and cron jobs in Mission Control.</EmptyState>
        </Match>
        <Match when={gateways.list.length > 0}>
          <Show when={gateways.loadState() === 'error'}>
            <p class="form-error" role="alert">
              Couldn't refresh the gateways: {describeError(gateways.loadError())}
            </p>
          </Show>
          <div class="gateway-list">
            <For each={gateways.list}>
              {(gateway) => (
                <Show
                  when={editingId() === gateway.id}
                  fallback={
                    <GatewayCard
                      gateway={gateway}
                      onEdit={(item) => {
                        setAdding(false);
                        setNotice(null);
                        setEditingId(item.id);
                      }}
                      onRemove={(item) => setRemoving(item)}
                      onSaved={(item) => gateways.apply(item)}
                    />
                  }
                >
                  <GatewayForm
                    gateway={gateway}
                    onCancel={() => setEditingId(null)}
                    onSaved={(saved) => {
                      setEditingId(null);
                      finish(`Saved ${saved.name}.`, saved);
                    }}
                  />
                </Show>
              )}
            </For>
          </div>
        </Match>
      </Switch>
      <Show when={removing()}>
        {(gateway) => (
          <RemoveGatewayDialog
            gateway={gateway()}
            onClose={() => setRemoving(null)}
            onRemoved={() => {
              const name = gateway().name;
              gateways.forget(gateway().id);
              setRemoving(null);
              finish(`Removed ${name}.`);
            }}
          />
        )}
      </Show>
    </section>
  );
}

export default function GatewaysPage() {
  return (
    <RequireRole role="admin" title="Gateways" purpose="add or manage gateways">
      <GatewaysManager />
    </RequireRole>
  );
}
