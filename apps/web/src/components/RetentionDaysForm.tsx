// A "keep for N days" setting (0 keeps everything), saved by an admin: the audit log's retention and the
// usage detail's. The form is named for assistive tech and tests; errors and the saved message follow it.
import { createResource, createSignal, createUniqueId, type JSX, Show } from 'solid-js';
import { createMutation } from '../lib/create-mutation';
import { FormError } from './FormError';
import { LoadingState } from './ListStates';
import './RetentionDaysForm.css';

type Retention = { days: number };

export function RetentionDaysForm(props: {
  /** Accessible name of the form, e.g. "Usage detail retention". */
  name: string;
  label: string;
  button: string;
  hint: JSX.Element;
  load: () => Promise<Retention>;
  save: (days: number) => Promise<Retention>;
  saved: (days: number) => string;
}) {
  const id = createUniqueId();
  const hintId = createUniqueId();
  const [retention, { mutate }] = createResource(() => props.load());
  const save = createMutation((days: number) => props.save(days));
  const [saved, setSaved] = createSignal('');

  async function handleSubmit(event: SubmitEvent & { currentTarget: HTMLFormElement }) {
    event.preventDefault();
    setSaved('');
    const result = await save.run(Number(new FormData(event.currentTarget).get('days')));
    if (!result.ok) return;
    mutate(result.value);
    setSaved(props.saved(result.value.days));
  }

  return (
    <Show when={retention()} fallback={<LoadingState label={`Loading ${props.name.toLowerCase()}…`} />}>
      {(current) => (
        <form class="form retention-form" aria-label={props.name} onSubmit={(event) => void handleSubmit(event)}>
          <div class="form-row">
            <div class="field">
              <label for={id}>{props.label}</label>
              <input id={id} class="input" name="days" type="number" min="0" max="3650" step="1" required value={current().days} aria-describedby={hintId} />
            </div>
            <button type="submit" class="button" disabled={save.pending()}>
              {save.pending() ? 'Saving…' : props.button}
            </button>
          </div>
          <p id={hintId} class="field-hint">
            {props.hint}
          </p>
          <FormError message={save.error()} />
          <p class="form-success" role="status">
            {saved()}
          </p>
        </form>
      )}
    </Show>
  );
}
