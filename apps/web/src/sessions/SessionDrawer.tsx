// A session's drawer: its live facts, the transcript preview (sessions.preview, refreshed as the
// session changes) and the actions the user's role and the gateway connection's scopes allow:
// Abort and Send message (operator), Reset and Delete (admin, confirmed). Errors stay next to
// the action that caused them, in the server's words.
import {
  createEffect,
  createResource,
  createSignal,
  createUniqueId,
  For,
  type JSX,
  Match,
  on,
  onCleanup,
  onMount,
  Show,
  Switch,
} from 'solid-js';
import { Dialog } from '../components/Dialog';
import { FormError } from '../components/FormError';
import { type GatewayItem, type SessionItem, type SessionRef, gatewayApi } from '../gateways/gateway-api';
import { missingScopeReason } from '../gateways/gateway-store';
import { describeError } from '../lib/client-errors';
import { createMutation } from '../lib/create-mutation';
import { formatDateTime } from '../lib/format-time';
import { hasRole } from '../lib/roles';
import { useCurrentUser } from '../lib/session';
import { ContextGauge } from './ContextGauge';
import { formatCostExact, formatSessionCost, formatTokens, sessionLabel } from './session-format';
import { SessionBusy } from './SessionRow';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

function Fact(props: { label: string; children: JSX.Element }) {
  return (
    <div class="session-fact">
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

function refOf(session: SessionItem): SessionRef | null {
  return session.gatewayId ? { gatewayId: session.gatewayId, sessionKey: session.sessionKey } : null;
}

function Transcript(props: { session: SessionItem; sessionRef: SessionRef }) {
  // Refetch whenever the session changes (a live update moves updatedAt), keeping what is shown.
  const [preview, { refetch }] = createResource(
    () => ({ ...props.sessionRef, version: props.session.updatedAt }),
    ({ gatewayId, sessionKey }) => gatewayApi.sessions.preview.query({ gatewayId, sessionKey }),
  );
  return (
    <section class="session-transcript" aria-labelledby="session-transcript-title" aria-busy={preview.loading}>
      <div class="session-section-header">
        <h3 id="session-transcript-title">Transcript preview</h3>
        <button type="button" class="button" data-size="small" disabled={preview.loading} onClick={() => void refetch()}>
          {preview.loading ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <Switch>
        <Match when={preview.error && !preview.latest}>
          <p class="form-error" role="alert">
            Couldn't load the transcript: {describeError(preview.error)}
          </p>
        </Match>
        <Match when={!preview.latest}>
          <p class="session-muted" role="status">
            Loading transcript…
          </p>
        </Match>
        <Match when={preview.latest}>
          {(latest) => (
            <Show when={latest().items.length > 0} fallback={<p class="session-muted">No messages yet.</p>}>
              <ol class="transcript">
                <For each={latest().items}>
                  {(item) => (
                    <li class="transcript-item" data-role={item.role}>
                      <span class="transcript-role">{item.role}</span>
                      <p class="transcript-text">{item.text}</p>
                    </li>
                  )}
                </For>
              </ol>
            </Show>
          )}
        </Match>
      </Switch>
    </section>
  );
}

function ConfirmDialog(props: {
  title: string;
  description: string;
  confirmLabel: string;
  pendingLabel: string;
  run: () => Promise<{ ok: boolean }>;
  pending: boolean;
  error: string | null;
  onClose: () => void;
}) {
  return (
    <Dialog role="alertdialog" title={props.title} description={props.description} onClose={props.onClose}>
      <FormError message={props.error} />
      <div class="dialog-actions">
        <button type="button" class="button" data-autofocus onClick={() => props.onClose()}>
          Cancel
        </button>
        <button
          type="button"
          class="button"
          data-variant="danger"
          disabled={props.pending}
          onClick={() => {
            void props.run().then((result) => {
              if (result.ok) props.onClose();
            });
          }}
        >
          {props.pending ? props.pendingLabel : props.confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}

function OperatorActions(props: { session: SessionItem; sessionRef: SessionRef; gateway: GatewayItem | undefined }) {
  const messageId = createUniqueId();
  const scopeHintId = createUniqueId();
  const [notice, setNotice] = createSignal('');
  const abort = createMutation(() => gatewayApi.sessions.abort.mutate(props.sessionRef));
  const send = createMutation((message: string) => gatewayApi.sessions.send.mutate({ ...props.sessionRef, message }));
  const blocked = () => missingScopeReason(props.gateway, 'operator.write');

  async function handleSend(event: SubmitEvent & { currentTarget: HTMLFormElement }) {
    event.preventDefault();
    const form = event.currentTarget;
    const field = form.elements.namedItem('message');
    const message = field instanceof HTMLTextAreaElement ? field.value.trim() : '';
    if (message === '') return;
    setNotice('');
    const result = await send.run(message);
    if (result.ok) {
      form.reset();
      setNotice('Message sent.');
    }
  }

  return (
    <section class="session-actions" aria-labelledby="session-operate-title">
      <h3 id="session-operate-title">Operate</h3>
      <Show when={blocked()}>
        {(reason) => (
          <p id={scopeHintId} class="notice">
            {reason()}
          </p>
        )}
      </Show>
      <Show when={props.session.busy}>
        <div class="form-actions">
          <button
            type="button"
            class="button"
            disabled={abort.pending() || blocked() !== null}
            aria-describedby={blocked() ? scopeHintId : undefined}
            onClick={() => {
              setNotice('');
              void abort.run().then((result) => {
                if (result.ok) setNotice('Abort requested.');
              });
            }}
          >
            {abort.pending() ? 'Aborting…' : 'Abort'}
          </button>
        </div>
        <FormError message={abort.error()} />
      </Show>
      <form class="form" onSubmit={(event) => void handleSend(event)}>
        <div class="field">
          <label for={messageId}>Message</label>
          <textarea
            id={messageId}
            name="message"
            class="input session-message"
            rows={3}
            required
            maxLength={20_000}
            disabled={blocked() !== null}
            aria-describedby={blocked() ? scopeHintId : undefined}
          />
        </div>
        <FormError message={send.error()} />
        <div class="form-actions">
          <button type="submit" class="button" data-variant="primary" disabled={send.pending() || blocked() !== null}>
            {send.pending() ? 'Sending…' : 'Send message'}
          </button>
        </div>
      </form>
      <p class="form-success" role="status">
        {notice()}
      </p>
    </section>
  );
}

function AdminActions(props: {
  session: SessionItem;
  sessionRef: SessionRef;
  gateway: GatewayItem | undefined;
  onDeleted: () => void;
}) {
  const scopeHintId = createUniqueId();
  const [confirming, setConfirming] = createSignal<'reset' | 'delete' | null>(null);
  const [notice, setNotice] = createSignal('');
  const reset = createMutation(() => gatewayApi.sessions.reset.mutate(props.sessionRef));
  const remove = createMutation(() => gatewayApi.sessions.delete.mutate(props.sessionRef));
  const blocked = () => missingScopeReason(props.gateway, 'operator.admin');
  const label = () => sessionLabel(props.session);

  return (
    <section class="session-actions" aria-labelledby="session-admin-title">
      <h3 id="session-admin-title">Admin</h3>
      <Show when={blocked()}>
        {(reason) => (
          <p id={scopeHintId} class="notice">
            {reason()}
          </p>
        )}
      </Show>
      <div class="form-actions">
        <button
          type="button"
          class="button"
          disabled={blocked() !== null}
          aria-describedby={blocked() ? scopeHintId : undefined}
          onClick={() => {
            reset.clearError();
            setNotice('');
            setConfirming('reset');
          }}
        >
          Reset
        </button>
        <button
          type="button"
          class="button"
          data-variant="danger"
          disabled={blocked() !== null}
          aria-describedby={blocked() ? scopeHintId : undefined}
          onClick={() => {
            remove.clearError();
            setNotice('');
            setConfirming('delete');
          }}
        >
          Delete
        </button>
      </div>
      <p class="form-success" role="status">
        {notice()}
      </p>
      <Show when={confirming() === 'reset'}>
        <ConfirmDialog
          title={`Reset ${label()}?`}
          description="The gateway starts this session over with an empty context. Its transcript so far is archived on the gateway."
          confirmLabel="Reset session"
          pendingLabel="Resetting…"
          pending={reset.pending()}
          error={reset.error()}
          run={async () => {
            const result = await reset.run();
            if (result.ok) setNotice('Session reset.');
            return result;
          }}
          onClose={() => setConfirming(null)}
        />
      </Show>
      <Show when={confirming() === 'delete'}>
        <ConfirmDialog
          title={`Delete ${label()}?`}
          description="The gateway deletes this session and its transcript. This cannot be undone."
          confirmLabel="Delete session"
          pendingLabel="Deleting…"
          pending={remove.pending()}
          error={remove.error()}
          run={async () => {
            const result = await remove.run();
            if (result.ok) queueMicrotask(props.onDeleted);
            return result;
          }}
          onClose={() => setConfirming(null)}
        />
      </Show>
    </section>
  );
}

export function SessionDrawer(props: {
  session: SessionItem;
  gateway: GatewayItem | undefined;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const user = useCurrentUser();
  let dialog: HTMLDialogElement | undefined;
  const titleId = createUniqueId();
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const sessionRef = () => refOf(props.session);

  onMount(() => {
    dialog?.showModal();
    dialog?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
  });
  onCleanup(() => {
    if (dialog?.open) dialog.close();
    if (opener?.isConnected) opener.focus();
  });
  // A different session opened in the same drawer starts at the top.
  createEffect(on(() => props.session.id, () => dialog?.querySelector('.session-drawer-body')?.scrollTo(0, 0), { defer: true }));

  function trapTab(event: KeyboardEvent) {
    if (event.key !== 'Tab' || !dialog) return;
    const items = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((item) => !item.closest('dialog:not(.session-drawer)'));
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  return (
    <dialog
      ref={dialog}
      class="session-drawer"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        props.onClose();
      }}
      onKeyDown={trapTab}
    >
      <div class="session-drawer-body">
        <header class="session-drawer-header">
          <div>
            <h2 id={titleId}>{sessionLabel(props.session)}</h2>
            <code class="session-subtext">{props.session.sessionKey}</code>
          </div>
          <button type="button" class="button" data-autofocus onClick={() => props.onClose()}>
            Close
          </button>
        </header>
        <dl class="session-facts">
          <Fact label="Agent">{props.session.agentName ?? props.session.agentId ?? '—'}</Fact>
          <Fact label="Source">{props.session.source === 'sdk' ? 'SDK agent' : `Gateway ${props.session.gatewayName ?? ''}`}</Fact>
          <Fact label="Status">
            {props.session.status ?? '—'} <SessionBusy busy={props.session.busy} />
          </Fact>
          <Fact label="Model">{props.session.model ?? '—'}</Fact>
          <Fact label="Context">
            <ContextGauge tokens={props.session.contextTokens} limit={props.session.contextLimit} />
          </Fact>
          <Fact label="Tokens in / out">
            {formatTokens(props.session.inputTokens)} / {formatTokens(props.session.outputTokens)}
          </Fact>
          <Fact label="Cost">
            <span title={formatCostExact(props.session.costUsd)}>{formatSessionCost(props.session.costUsd)}</span>
          </Fact>
          <Fact label="Updated">{formatDateTime(props.session.updatedAt)}</Fact>
        </dl>
        <Show
          when={sessionRef()}
          fallback={
            <p class="session-muted">
              This session comes from an SDK agent: Mission Control has its usage, but no transcript or controls.
            </p>
          }
        >
          {(ref) => (
            <>
              <Transcript session={props.session} sessionRef={ref()} />
              <Show when={hasRole(user().role, 'operator')}>
                <OperatorActions session={props.session} sessionRef={ref()} gateway={props.gateway} />
              </Show>
              <Show when={hasRole(user().role, 'admin')}>
                <AdminActions session={props.session} sessionRef={ref()} gateway={props.gateway} onDeleted={props.onDeleted} />
              </Show>
            </>
          )}
        </Show>
      </div>
    </dialog>
  );
}
