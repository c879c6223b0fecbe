// The two API key dialogs: the one-time secret after creation, and the revoke confirmation.
import { createSignal, createUniqueId } from 'solid-js';
import { Dialog } from '../components/Dialog';
import { FormError } from '../components/FormError';
import { createMutation } from '../lib/create-mutation';
import { type ApiKeyRow, type CreatedApiKey, trpc } from '../lib/trpc';

async function copyText(text: string, fallbackInput: HTMLInputElement | undefined): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (error) {
    // No clipboard API outside secure contexts (plain http on a LAN address): select and copy.
    console.warn('clipboard API unavailable, falling back to execCommand', error);
    fallbackInput?.select();
    return document.execCommand('copy');
  }
}

export function CreatedKeyDialog(props: { created: CreatedApiKey; onClose: () => void }) {
  const secretId = createUniqueId();
  const warningId = createUniqueId();
  const [copyStatus, setCopyStatus] = createSignal('');
  let secretInput: HTMLInputElement | undefined;

  async function handleCopy() {
    const copied = await copyText(props.created.secret, secretInput);
    setCopyStatus(copied ? 'Copied to clipboard.' : 'Copy failed. Select the key and copy it by hand.');
  }

  return (
    <Dialog title="API key created" onClose={props.onClose}>
      <p id={warningId} class="notice">
        Copy this key now. It won't be shown again: Mission Control stores only a hash of it.
      </p>
      <div class="field">
        <label for={secretId}>Secret for {props.created.apiKey.name}</label>
        <div class="secret-box">
          <input
            id={secretId}
            ref={secretInput}
            class="input"
            readOnly
            value={props.created.secret}
            aria-describedby={warningId}
            spellcheck={false}
            onFocus={(event) => event.currentTarget.select()}
          />
          <button type="button" class="button" data-autofocus onClick={() => void handleCopy()}>
            Copy
          </button>
        </div>
      </div>
      <p class="field-hint" role="status">
        {copyStatus()}
      </p>
      <div class="dialog-actions">
        <button type="button" class="button" data-variant="primary" onClick={() => props.onClose()}>
          Done
        </button>
      </div>
    </Dialog>
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
