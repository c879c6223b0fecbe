// Dialogs of the webhooks page: the one-time secret (after create or rotate) and the confirmations
// for rotating a secret and deleting a webhook.
import { createSignal, createUniqueId, Show } from 'solid-js';
import { Dialog } from '../components/Dialog';
import { createMutation } from '../lib/create-mutation';
import { trpc } from '../lib/trpc';
import type { WebhookRow } from './webhook-types';

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

export function WebhookSecretDialog(props: { title: string; url: string; secret: string; onClose: () => void }) {
  const secretId = createUniqueId();
  const warningId = createUniqueId();
  const [copyStatus, setCopyStatus] = createSignal('');
  let secretInput: HTMLInputElement | undefined;

  async function handleCopy() {
    const copied = await copyText(props.secret, secretInput);
    setCopyStatus(copied ? 'Copied to clipboard.' : 'Copy failed. Select the secret and copy it by hand.');
  }

  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <p id={warningId} class="notice">
        Copy this signing secret now. It won't be shown again. Receivers verify the webhook-signature header with it
        (Standard Webhooks).
      </p>
      <div class="field">
        <label for={secretId}>Signing secret for {props.url}</label>
        <div class="secret-box">
          <input
            id={secretId}
            ref={secretInput}
            class="input"
            readOnly
            value={props.secret}
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

export function ConfirmWebhookDialog(props: {
  webhook: WebhookRow;
  action: 'rotate' | 'delete';
  onClose: () => void;
  onDone: (result: { secret?: string }) => Promise<void>;
}) {
  const run = createMutation(async () => {
    if (props.action === 'rotate') return { secret: (await trpc.webhooks.rotateSecret.mutate({ id: props.webhook.id })).secret };
    await trpc.webhooks.remove.mutate({ id: props.webhook.id });
    return {};
  });
  const copy = () =>
    props.action === 'rotate'
      ? { title: 'Rotate the signing secret?', description: 'The current secret stops working immediately: update every receiver with the new one.', confirm: 'Rotate secret', pending: 'Rotating…' }
      : { title: 'Delete this webhook?', description: 'Its delivery history is deleted too. This cannot be undone.', confirm: 'Delete webhook', pending: 'Deleting…' };

  async function handleConfirm() {
    const result = await run.run();
    if (result.ok) await props.onDone(result.value);
  }

  return (
    <Dialog role="alertdialog" title={copy().title} description={`${props.webhook.url}: ${copy().description}`} onClose={props.onClose}>
      <Show when={run.error()}>
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
        <button type="button" class="button" data-variant="danger" disabled={run.pending()} onClick={() => void handleConfirm()}>
          {run.pending() ? copy().pending : copy().confirm}
        </button>
      </div>
    </Dialog>
  );
}
