// The one-time secret dialog (API keys, agent keys, webhook signing secrets): the secret in a
// read-only field with Copy, a warning that it is never shown again, and Done.
import { createSignal, createUniqueId, type JSX } from 'solid-js';
import { copyText } from '../lib/copy-text';
import { Dialog } from './Dialog';
import './secret-once-dialog.css';

export function SecretOnceDialog(props: {
  title: string;
  /** Why to copy it now; referenced by the field as its description. */
  warning: JSX.Element;
  label: string;
  secret: string;
  /** What the copy-failure hint calls it: "key" or "secret". */
  noun: string;
  onClose: () => void;
}) {
  const secretId = createUniqueId();
  const warningId = createUniqueId();
  const [copyStatus, setCopyStatus] = createSignal('');
  let secretInput: HTMLInputElement | undefined;

  async function handleCopy() {
    const copied = await copyText(props.secret, secretInput);
    setCopyStatus(copied ? 'Copied to clipboard.' : `Copy failed. Select the ${props.noun} and copy it by hand.`);
  }

  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <p id={warningId} class="notice">
        {props.warning}
      </p>
      <div class="field">
        <label for={secretId}>{props.label}</label>
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
