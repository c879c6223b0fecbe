// The gateway wants this device approved (GATEWAY.md §5.2): request id, device id, the scopes it
// asks for and the exact host command, with Copy and "Retry now". The manager keeps retrying on
// its own every few seconds; approving on the host is enough.
import { createSignal, createUniqueId, For, Show } from 'solid-js';
import { copyText } from '../lib/copy-text';
import type { GatewayItem, PairingRequest } from './gateway-api';

export function PairingPanel(props: {
  gateway: GatewayItem;
  pairing: PairingRequest;
  retry?: { pending: boolean; onRetry: () => void };
}) {
  const titleId = createUniqueId();
  const commandId = createUniqueId();
  const [copyStatus, setCopyStatus] = createSignal('');
  let commandInput: HTMLInputElement | undefined;

  async function handleCopy() {
    const copied = await copyText(props.pairing.approveCommand, commandInput);
    setCopyStatus(copied ? 'Copied to clipboard.' : 'Copy failed. Select the command and copy it by hand.');
  }

  return (
    <section class="pairing-panel" aria-labelledby={titleId}>
      <h3 id={titleId}>Approve Mission Control on {props.gateway.name}</h3>
      <p>
        The gateway asks for this device to be approved before it connects. On the gateway's host, run the command below
        (<code>openclaw devices list</code> shows pending requests). Mission Control retries on its own; the status turns
        to Connected once approved.
      </p>
      <dl class="pairing-facts">
        <div>
          <dt>Request id</dt>
          <dd>
            <code>{props.pairing.requestId ?? 'not reported'}</code>
          </dd>
        </div>
        <div>
          <dt>Device id</dt>
          <dd>
            <code class="pairing-device">{props.pairing.deviceId}</code>
          </dd>
        </div>
        <div>
          <dt>Requested scopes</dt>
          <dd>
            <ul class="scope-list">
              <For each={props.pairing.requestedScopes} fallback={<li>none listed</li>}>
                {(scope) => (
                  <li>
                    <code>{scope}</code>
                  </li>
                )}
              </For>
            </ul>
          </dd>
        </div>
      </dl>
      <div class="field">
        <label for={commandId}>Approve command for {props.gateway.name}</label>
        <div class="command-box">
          <input
            id={commandId}
            ref={commandInput}
            class="input"
            readOnly
            spellcheck={false}
            value={props.pairing.approveCommand}
            onFocus={(event) => event.currentTarget.select()}
          />
          <button
            type="button"
            class="button"
            aria-label={`Copy approve command for ${props.gateway.name}`}
            onClick={() => void handleCopy()}
          >
            Copy
          </button>
        </div>
      </div>
      <p class="field-hint" role="status">
        {copyStatus()}
      </p>
      <Show when={props.retry}>
        {(retry) => (
          <div class="form-actions">
            <button
              type="button"
              class="button"
              data-variant="primary"
              disabled={retry().pending}
              aria-label={`Retry now: ${props.gateway.name}`}
              onClick={() => retry().onRetry()}
            >
              {retry().pending ? 'Retrying…' : 'Retry now'}
            </button>
          </div>
        )}
      </Show>
    </section>
  );
}
