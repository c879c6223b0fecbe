// The two API key dialogs: the one-time secret after creation, and the revoke confirmation.
import { Dialog } from '../components/Dialog';
import { SecretOnceDialog } from '../components/SecretOnceDialog';
import { FormError } from '../components/FormError';
import { createMutation } from '../lib/create-mutation';
import { type ApiKeyRow, type CreatedApiKey, trpc } from '../lib/trpc';

const WARNING = "Copy this key now. It won't be shown again: Mission Control stores only a hash of it.";

export function CreatedKeyDialog(props: { created: CreatedApiKey; onClose: () => void }) {
  return (
    <SecretOnceDialog
      title="API key created"
      warning={WARNING}
      label={`Secret for ${props.created.apiKey.name}`}
      secret={props.created.secret}
      noun="key"
      onClose={props.onClose}
    />
  );
}

export function RevokeKeyDialog(props: { apiKey: ApiKeyRow; onClose: () => void; onRevoked: () => Promise<void> }) {
  const revoke = createMutation(() => trpc.apiKeys.revoke.mutate({ id: props.apiKey.id }));

  async function handleConfirm() {
    const result = await revoke.run();
    if (result.ok) await props.onRevoked();
  }

  return (
    <Dialog
      role="alertdialog"
      title={`Revoke ${props.apiKey.name}?`}
      description="Anything using this key stops working immediately. This cannot be undone."
      onClose={props.onClose}
    >
      <FormError message={revoke.error()} />
      <div class="dialog-actions">
        <button type="button" class="button" data-autofocus onClick={() => props.onClose()}>
          Cancel
        </button>
        <button
          type="button"
          class="button"
          data-variant="danger"
          disabled={revoke.pending()}
          onClick={() => void handleConfirm()}
        >
          {revoke.pending() ? 'Revoking…' : 'Revoke key'}
        </button>
      </div>
    </Dialog>
  );
}
