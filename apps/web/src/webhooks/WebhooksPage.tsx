// /settings/webhooks (admin): outbound webhooks. Create (secret shown once), edit, enable/disable,
// send a test event, rotate the secret, delete; links to each webhook's delivery history.
import { A, createAsyncStore, query, revalidate } from '@solidjs/router';
import { createSignal, ErrorBoundary, For, Show, Suspense } from 'solid-js';
import { EmptyState, ErrorState, LoadingState } from '../components/ListStates';
import { createMutation } from '../lib/create-mutation';
import { formatDateTime } from '../lib/format-time';
import { onLiveEvent } from '../lib/live';
import { trpc } from '../lib/trpc';
import { RequireRole } from '../settings/RequireRole';
import { ConfirmWebhookDialog, WebhookSecretDialog } from './WebhookDialogs';
import { WebhookForm } from './WebhookForm';
import type { WebhookRow } from './webhook-types';
import './webhooks.css';

const listWebhooks = query(() => trpc.webhooks.list.query(), 'webhooks.list');
const refreshWebhooks = () => revalidate(listWebhooks.key);

function WebhookTableRow(props: {
  webhook: WebhookRow;
  onEdit: (webhook: WebhookRow) => void;
  onConfirm: (webhook: WebhookRow, action: 'rotate' | 'delete') => void;
  onNotice: (text: string) => void;
}) {
  const toggle = createMutation((enabled: boolean) => trpc.webhooks.setEnabled.mutate({ id: props.webhook.id, enabled }));
  const test = createMutation(() => trpc.webhooks.sendTest.mutate({ id: props.webhook.id }));
  const label = () => props.webhook.description || props.webhook.url;

  async function handleToggle() {
    const result = await toggle.run(!props.webhook.enabled);
    if (result.ok) {
      await refreshWebhooks();
      props.onNotice(`${result.value.enabled ? 'Enabled' : 'Disabled'} ${label()}.`);
    }
  }

  async function handleTest() {
    const result = await test.run();
    if (result.ok) props.onNotice(`Test event queued for ${label()}; see its deliveries for the result.`);
  }

  return (
    <tr data-enabled={props.webhook.enabled ? 'true' : 'false'}>
      <td>
        <span class="webhook-url mono">{props.webhook.url}</span>
        <Show when={props.webhook.description}>
          <span class="webhook-description">{props.webhook.description}</span>
        </Show>
        <Show when={props.webhook.allowPrivateNetwork}>
          <span class="webhook-flag">Private network allowed</span>
        </Show>
      </td>
      <td>
        <span class="pattern-list">
          <For each={props.webhook.eventFilter}>{(pattern) => <code class="pattern">{pattern}</code>}</For>
        </span>
      </td>
      <td>
        <span class="status-badge" data-status={props.webhook.enabled ? 'active' : 'disabled'}>
          {props.webhook.enabled ? 'Enabled' : 'Disabled'}
        </span>
        <Show when={!props.webhook.enabled && props.webhook.disabledReason}>
          <span class="webhook-reason">{props.webhook.disabledReason}</span>
        </Show>
        <Show when={props.webhook.consecutiveFailures > 0}>
          <span class="webhook-reason">{props.webhook.consecutiveFailures} failures in a row</span>
        </Show>
      </td>
      <td>{formatDateTime(props.webhook.lastDeliveryAt)}</td>
      <td>
        <div class="table-actions webhook-actions">
          <A class="button" data-size="small" href={`/settings/webhooks/${props.webhook.id}/deliveries`} aria-label={`Deliveries of ${label()}`}>
            Deliveries
          </A>
          <button type="button" class="button" data-size="small" disabled={test.pending()} aria-label={`Send test event to ${label()}`} onClick={() => void handleTest()}>
            Send test
          </button>
          <button type="button" class="button" data-size="small" aria-label={`Edit ${label()}`} onClick={() => props.onEdit(props.webhook)}>
            Edit
          </button>
          <button type="button" class="button" data-size="small" disabled={toggle.pending()} aria-label={`${props.webhook.enabled ? 'Disable' : 'Enable'} ${label()}`} onClick={() => void handleToggle()}>
            {props.webhook.enabled ? 'Disable' : 'Enable'}
          </button>
          <button type="button" class="button" data-size="small" aria-label={`Rotate secret of ${label()}`} onClick={() => props.onConfirm(props.webhook, 'rotate')}>
            Rotate secret
          </button>
          <button type="button" class="button" data-size="small" data-variant="danger" aria-label={`Delete ${label()}`} onClick={() => props.onConfirm(props.webhook, 'delete')}>
            Delete
          </button>
        </div>
        <Show when={toggle.error() ?? test.error()}>
          {(message) => (
            <span class="inline-error" role="alert">
              {message()}
            </span>
          )}
        </Show>
      </td>
    </tr>
  );
}

function WebhooksTable(props: Omit<Parameters<typeof WebhookTableRow>[0], 'webhook'>) {
  const webhooks = createAsyncStore(() => listWebhooks(), { reconcile: { key: 'id' } });
  // An automatic disable arrives as an event: show it without a reload.
  for (const type of ['webhook.disabled', 'webhook.removed', 'webhook.recovered']) onLiveEvent(type, () => void refreshWebhooks());
  return (
    <Show when={webhooks()}>
      {(rows) => (
        <Show when={rows().length > 0} fallback={<EmptyState>No webhooks yet. Create one to send events to Slack bots, CI or paging.</EmptyState>}>
          <div class="table-wrap">
            <table class="table">
              <caption class="visually-hidden">Webhooks</caption>
              <thead>
                <tr>
                  <th scope="col">Endpoint</th>
                  <th scope="col">Events</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last delivery</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                <For each={rows()}>{(webhook) => <WebhookTableRow webhook={webhook} {...props} />}</For>
              </tbody>
            </table>
          </div>
        </Show>
      )}
    </Show>
  );
}

function WebhooksManager() {
  const [editing, setEditing] = createSignal<WebhookRow | 'new' | null>(null);
  const [secret, setSecret] = createSignal<{ title: string; url: string; secret: string } | null>(null);
  const [confirming, setConfirming] = createSignal<{ webhook: WebhookRow; action: 'rotate' | 'delete' } | null>(null);
  const [notice, setNotice] = createSignal<string | null>(null);

  return (
    <section class="page" aria-labelledby="webhooks-title">
      <div class="page-header">
        <div>
          <h1 id="webhooks-title">Webhooks</h1>
          <p class="page-intro">
            Mission Control POSTs matching events to these URLs, signed per Standard Webhooks, retrying for about 12 hours.{' '}
            <A href="/settings/webhooks/deliveries">Delivery history</A>
          </p>
        </div>
        <button
          type="button"
          class="button"
          data-variant="primary"
          aria-expanded={editing() === 'new'}
          onClick={() => {
            setNotice(null);
            setEditing((current) => (current === 'new' ? null : 'new'));
          }}
        >
          Create webhook
        </button>
      </div>
      <Show when={editing()} keyed>
        {(target) => (
          <WebhookForm
            webhook={target === 'new' ? undefined : target}
            onCancel={() => setEditing(null)}
            onCreated={(created) => {
              setEditing(null);
              setSecret({ title: 'Webhook created', url: created.webhook.url, secret: created.secret });
              void refreshWebhooks();
            }}
            onSaved={(webhook) => {
              setEditing(null);
              setNotice(`Saved ${webhook.description || webhook.url}.`);
              void refreshWebhooks();
            }}
          />
        )}
      </Show>
      <p class="form-success" role="status">
        {notice() ?? ''}
      </p>
      <ErrorBoundary fallback={(error, reset) => <ErrorState error={error} onRetry={() => void refreshWebhooks().then(reset)} />}>
        <Suspense fallback={<LoadingState label="Loading webhooks…" />}>
          <WebhooksTable onEdit={(webhook) => setEditing(webhook)} onConfirm={(webhook, action) => setConfirming({ webhook, action })} onNotice={setNotice} />
        </Suspense>
      </ErrorBoundary>
      <Show when={secret()}>
        {(shown) => <WebhookSecretDialog title={shown().title} url={shown().url} secret={shown().secret} onClose={() => setSecret(null)} />}
      </Show>
      <Show when={confirming()}>
        {(pending) => (
          <ConfirmWebhookDialog
            webhook={pending().webhook}
            action={pending().action}
            onClose={() => setConfirming(null)}
            onDone={async (result) => {
              const { webhook, action } = pending();
              setConfirming(null);
              await refreshWebhooks();
              if (action === 'rotate' && result.secret) setSecret({ title: 'Secret rotated', url: webhook.url, secret: result.secret });
              else setNotice(`Deleted ${webhook.description || webhook.url}.`);
            }}
          />
        )}
      </Show>
    </section>
  );
}

export default function WebhooksPage() {
  return (
    <RequireRole role="admin" title="Webhooks" purpose="manage webhooks">
      <WebhooksManager />
    </RequireRole>
  );
}
