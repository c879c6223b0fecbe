// Add or edit a gateway. "Test connection" tries the URL and secret typed here and shows the
// result inline before anything is saved. Secrets are write-only: editing never shows the stored
// one, and an empty Secret keeps it.
import { createSignal, createUniqueId, Show } from 'solid-js';
import { FormError } from '../components/FormError';
import { createMutation } from '../lib/create-mutation';
import { readField } from '../lib/form-fields';
import { type AuthMode, type GatewayItem, type GatewayTestResult, gatewayApi } from './gateway-api';
import { formatLatency, gatewayStatusLabel, isGatewayUrl } from './gateway-format';

const AUTH_MODES: ReadonlyArray<{ value: AuthMode; label: string }> = [
  { value: 'token', label: 'Token' },
  { value: 'password', label: 'Password' },
  { value: 'none', label: 'None' },
];

function toAuthMode(value: string): AuthMode {
  return value === 'password' || value === 'none' ? value : 'token';
}

interface FormValues {
  name: string;
  url: string;
  authMode: AuthMode;
  secret: string;
  requestAdminScope: boolean;
}

function readValues(form: HTMLFormElement): FormValues {
  const data = new FormData(form);
  return {
    name: readField(data, 'name').trim(),
    url: readField(data, 'url').trim(),
    authMode: toAuthMode(readField(data, 'authMode')),
    secret: readField(data, 'secret'),
    requestAdminScope: data.get('requestAdminScope') === 'on',
  };
}

function TestResult(props: { result: GatewayTestResult }) {
  return (
    <div class="gateway-test-result" data-ok={props.result.ok ? 'true' : 'false'}>
      <p class="gateway-test-title">
        <strong>{props.result.ok ? 'Connection works' : 'Connection failed'}</strong>
        {' — '}
        {gatewayStatusLabel(props.result.status)}
      </p>
      <p>{props.result.message}</p>
      <Show when={props.result.hint}>{(hint) => <p class="gateway-hint">{hint()}</p>}</Show>
      <Show when={props.result.ok}>
        <p class="gateway-muted">
          Version {props.result.serverVersion ?? 'unknown'} · latency {formatLatency(props.result.latencyMs)}
        </p>
      </Show>
    </div>
  );
}

export function GatewayForm(props: {
  /** Editing this gateway; absent when adding. */
  gateway?: GatewayItem;
  onSaved: (saved: GatewayItem) => void;
  onCancel: () => void;
}) {
  const editing = () => props.gateway !== undefined;
  const ids = {
    name: createUniqueId(),
    url: createUniqueId(),
    urlHint: createUniqueId(),
    auth: createUniqueId(),
    secret: createUniqueId(),
    secretHint: createUniqueId(),
    admin: createUniqueId(),
    title: createUniqueId(),
  };
  const [authMode, setAuthMode] = createSignal<AuthMode>(props.gateway?.authMode ?? 'token');
  const [validation, setValidation] = createSignal<string | null>(null);
  const [testResult, setTestResult] = createSignal<GatewayTestResult | null>(null);
  let form: HTMLFormElement | undefined;

  const save = createMutation(async (values: FormValues) => {
    const secret = values.authMode === 'none' || values.secret === '' ? undefined : values.secret;
    const gateway = props.gateway;
    if (gateway) {
      return gatewayApi.gateways.update.mutate({
        id: gateway.id,
        name: values.name,
        url: values.url,
        authMode: values.authMode,
        requestAdminScope: values.requestAdminScope,
        ...(secret === undefined ? {} : { secret }),
      });
    }
    return gatewayApi.gateways.create.mutate({
      name: values.name,
      url: values.url,
      authMode: values.authMode,
      requestAdminScope: values.requestAdminScope,
      ...(secret === undefined ? {} : { secret }),
    });
  });
  const test = createMutation((values: FormValues) =>
    gatewayApi.gateways.test.mutate({
      url: values.url,
      authMode: values.authMode,
      ...(values.authMode === 'none' || values.secret === '' ? {} : { secret: values.secret }),
    }),
  );

  function validate(values: FormValues, forSave: boolean): string | null {
    if (forSave && values.name === '') return 'Enter a name for the gateway.';
    // Mirrored agents are named "<gateway>/<agent>", so a gateway name can't contain "/".
    if (forSave && values.name.includes('/')) return 'A gateway name cannot contain "/".';
    if (!isGatewayUrl(values.url)) return 'Enter the gateway URL, starting with ws:// or wss://.';
    const needsSecret = values.authMode !== 'none' && values.secret === '';
    if (needsSecret && (!forSave || !props.gateway?.hasSecret || props.gateway.authMode !== values.authMode)) {
      return forSave
        ? `Enter the gateway ${values.authMode === 'password' ? 'password' : 'token'}.`
        : `Enter the ${values.authMode === 'password' ? 'password' : 'token'} to test with (the stored secret is never sent back to the browser).`;
    }
    return null;
  }

  async function handleTest() {
    if (!form) return;
    const values = readValues(form);
    const problem = validate(values, false);
    setValidation(problem);
    setTestResult(null);
    if (problem) return;
    const result = await test.run(values);
    if (result.ok) setTestResult(result.value);
  }

  async function handleSubmit(event: SubmitEvent & { currentTarget: HTMLFormElement }) {
    event.preventDefault();
    const values = readValues(event.currentTarget);
    const problem = validate(values, true);
    setValidation(problem);
    if (problem) return;
    const result = await save.run(values);
    if (result.ok) props.onSaved(result.value);
  }

  return (
    <section class="card gateway-form-card" aria-labelledby={ids.title}>
      <h2 id={ids.title}>{editing() ? `Edit ${props.gateway?.name}` : 'Add gateway'}</h2>
      <form
        ref={form}
        class="form"
        novalidate
        onSubmit={(event) => void handleSubmit(event)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') props.onCancel();
        }}
      >
        <div class="form-row">
          <div class="field">
            <label for={ids.name}>Name</label>
            <input
              id={ids.name}
              class="input"
              name="name"
              required
              maxLength={63}
              autocomplete="off"
              placeholder="e.g. build-box"
              value={props.gateway?.name ?? ''}
              ref={(input) => queueMicrotask(() => input.focus())}
            />
          </div>
          <div class="field">
            <label for={ids.url}>URL</label>
            <input
              id={ids.url}
              class="input"
              name="url"
              type="url"
              required
              autocomplete="off"
              spellcheck={false}
              placeholder="ws://127.0.0.1:18789"
              aria-describedby={ids.urlHint}
              value={props.gateway?.url ?? ''}
            />
          </div>
        </div>
        <p id={ids.urlHint} class="field-hint">
          The gateway's WebSocket address, ws:// or wss:// (use wss:// for anything not on this host).
        </p>
        <div class="form-row">
          <div class="field">
            <label for={ids.auth}>Auth</label>
            <select
              id={ids.auth}
              class="select"
              name="authMode"
              onChange={(event) => {
                setAuthMode(toAuthMode(event.currentTarget.value));
                setTestResult(null);
              }}
            >
              {AUTH_MODES.map((mode) => (
                <option value={mode.value} selected={mode.value === authMode()}>
                  {mode.label}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for={ids.secret}>Secret</label>
            <input
              id={ids.secret}
              class="input"
              name="secret"
              type="password"
              autocomplete="new-password"
              spellcheck={false}
              disabled={authMode() === 'none'}
              aria-describedby={ids.secretHint}
              placeholder={props.gateway?.hasSecret ? '•••••••• (stored)' : ''}
            />
          </div>
        </div>
        <p id={ids.secretHint} class="field-hint">
          <Show
            when={authMode() !== 'none'}
            fallback="No secret: the gateway must accept unauthenticated devices (it will still ask for pairing)."
          >
            {`The gateway's ${authMode() === 'password' ? 'password' : 'token'} (gateway.auth.${authMode()}). Stored encrypted, never shown again.`}
            <Show when={props.gateway?.hasSecret}> Leave empty to keep the current secret.</Show>
          </Show>
        </p>
        <label class="checkbox-field" for={ids.admin}>
          <input id={ids.admin} type="checkbox" name="requestAdminScope" checked={props.gateway?.adminScopeRequested ?? false} />
          Request admin scope (needed for cron control and session reset/delete)
        </label>
        <FormError message={validation() ?? save.error()} />
        <div class="gateway-test" aria-live="polite">
          <Show when={test.pending()}>
            <p class="gateway-muted">Testing the connection…</p>
          </Show>
          <FormError message={test.error()} />
          <Show when={testResult()}>{(result) => <TestResult result={result()} />}</Show>
        </div>
        <div class="form-actions">
          <button type="submit" class="button" data-variant="primary" disabled={save.pending()}>
            {save.pending() ? 'Saving…' : editing() ? 'Save changes' : 'Save gateway'}
          </button>
          <button type="button" class="button" disabled={test.pending()} onClick={() => void handleTest()}>
            {test.pending() ? 'Testing…' : 'Test connection'}
          </button>
          <button type="button" class="button" onClick={() => props.onCancel()}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
