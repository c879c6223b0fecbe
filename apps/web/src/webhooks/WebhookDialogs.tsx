// Dialogs of the webhooks page: the one-time secret (after create or rotate) and the confirmations
// for rotating a secret and deleting a webhook.
import { Show } from 'solid-js';
import { Dialog } from '../components/Dialog';
import { SecretOnceDialog } from '../components/SecretOnceDialog';
import { createMutation } from '../lib/create-mutation';
import { trpc } from '../lib/trpc';
import type { WebhookRow } from './webhook-types';

export function WebhookSecretDialog(props: { title: string; url: string; secret: string; onClose: () => void }) {
  return (
    <SecretOnceDialog
      title={props.title}
      warning="Copy this signing secret now. It won't be shown again. Receivers verify the webhook-signature header with it (Standard Webhooks)."
      label={`Signing secret for ${props.url}`}
      secret={props.secret}
      noun="secret"
      onClose={props.onClose}
    />
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
