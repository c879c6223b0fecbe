// Create or edit a webhook: URL, description, event filter chips, and the private-network opt-in
// (with a warning: it lets this webhook reach hosts inside your network).
import { createSignal, createUniqueId, Show } from 'solid-js';
import { createMutation } from '../lib/create-mutation';
import { trpc } from '../lib/trpc';
import { EventFilterField } from './EventFilterField';
import type { CreatedWebhook, WebhookRow } from './webhook-types';

export function WebhookForm(props: {
  webhook?: WebhookRow;
  onCreated?: (created: CreatedWebhook) => void;
  onSaved?: (webhook: WebhookRow) => void;
  onCancel: () => void;
}) {
  const urlId = createUniqueId();
  const descriptionId = createUniqueId();
  const privateId = createUniqueId();
  const privateHintId = createUniqueId();
  const [eventFilter, setEventFilter] = createSignal<string[]>(props.webhook?.eventFilter ?? ['*']);
  const [allowPrivate, setAllowPrivate] = createSignal(props.webhook?.allowPrivateNetwork ?? false);
  const save = createMutation(async (url: string, description: string) => {
    const fields = { url, description, eventFilter: eventFilter(), allowPrivateNetwork: allowPrivate() };
    if (props.webhook) return { updated: await trpc.webhooks.update.mutate({ id: props.webhook.id, ...fields }) };
    return { created: await trpc.webhooks.create.mutate(fields) };
  });

  async function handleSubmit(event: SubmitEvent & { currentTarget: HTMLFormElement }) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = await save.run(String(form.get('url') ?? '').trim(), String(form.get('description') ?? '').trim());
    if (!result.ok) return;
    if (result.value.created) props.onCreated?.(result.value.created);
    if (result.value.updated) props.onSaved?.(result.value.updated);
  }

  return (
    <section class="card" aria-labelledby={`${urlId}-title`}>
      <h2 id={`${urlId}-title`}>{props.webhook ? 'Edit webhook' : 'New webhook'}</h2>
      <form
        class="form"
        onSubmit={(event) => void handleSubmit(event)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') props.onCancel();
        }}
      >
        <div class="field">
          <label for={urlId}>Endpoint URL</label>
          <input
            id={urlId}
            class="input mono"
            name="url"
            type="url"
            required
            maxLength={2048}
            autocomplete="off"
            placeholder="https://hooks.example.com/mission-control"
            value={props.webhook?.url ?? ''}
            ref={(input) => queueMicrotask(() => input.focus())}
          />
        </div>
        <div class="field">
          <label for={descriptionId}>Description</label>
          <input id={descriptionId} class="input" name="description" maxLength={500} placeholder="e.g. Slack #agents bot" value={props.webhook?.description ?? ''} />
        </div>
        <EventFilterField value={eventFilter()} onChange={setEventFilter} />
        <div class="checkbox-field">
          <input id={privateId} type="checkbox" checked={allowPrivate()} aria-describedby={privateHintId} onChange={(event) => setAllowPrivate(event.currentTarget.checked)} />
          <label for={privateId}>Allow private network</label>
        </div>
        <p id={privateHintId} class="field-hint">
          Lets this webhook reach private and loopback addresses (10.x, 192.168.x, 127.0.0.1, …). Cloud metadata and
          link-local addresses are always refused.
        </p>
        <Show when={allowPrivate()}>
          <p class="notice" data-tone="warning" role="note">
            Warning: anyone who can edit this webhook can make Mission Control send requests to hosts inside your network.
            Only enable this for receivers you run yourself.
          </p>
        </Show>
        <Show when={save.error()}>
          {(message) => (
            <p class="form-error" role="alert">
              {message()}
            </p>
          )}
        </Show>
        <div class="form-actions">
          <button type="submit" class="button" data-variant="primary" disabled={save.pending() || eventFilter().length === 0}>
            {save.pending() ? 'Saving…' : props.webhook ? 'Save changes' : 'Create webhook'}
          </button>
          <button type="button" class="button" onClick={() => props.onCancel()}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
