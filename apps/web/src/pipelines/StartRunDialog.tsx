// Start a run of a template by hand: one field per variable, prefilled with its default.
import { createUniqueId, For, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import { Dialog } from '../components/Dialog';
import { FormError } from '../components/FormError';
import { createMutation } from '../lib/create-mutation';
import { trpc } from '../lib/trpc';
import type { PipelineRun, PipelineTemplate } from './pipeline-types';

export function StartRunDialog(props: { template: PipelineTemplate; onClose: () => void; onStarted: (run: PipelineRun) => void }) {
  const [values, setValues] = createStore<Record<string, string>>(Object.fromEntries(props.template.variables.map((v) => [v.name, v.default ?? ''])));
  // Empty fields are left out: the server uses the default, or lists the variable as missing.
  const start = createMutation(() =>
    trpc.pipelines.runs.start.mutate({ template: props.template.id, variables: Object.fromEntries(Object.entries(values).filter(([, v]) => v !== '')) }),
  );
  async function submit(event: SubmitEvent) {
    event.preventDefault();
    const outcome = await start.run();
    if (outcome.ok) props.onStarted(outcome.value);
  }
  return (
    <Dialog title={`Start ${props.template.name}`} onClose={props.onClose} description={`Version ${props.template.version}, ${props.template.steps.length} steps.`}>
      <form class="form" onSubmit={(event) => void submit(event)}>
        <Show when={props.template.variables.length === 0}>
          <p class="field-hint">This template has no variables.</p>
        </Show>
        <For each={props.template.variables}>
          {(variable) => {
            const id = createUniqueId();
            return (
              <div class="field">
                <label for={id}>{variable.name}</label>
                <input id={id} class="input" value={values[variable.name] ?? ''} placeholder={variable.default ? `default: ${variable.default}` : 'required'} onInput={(e) => setValues(variable.name, e.currentTarget.value)} />
              </div>
            );
          }}
        </For>
        <FormError message={start.error()} />
        <div class="form-actions">
          <button type="submit" class="button" data-variant="primary" disabled={start.pending()} data-autofocus>
            {start.pending() ? 'Starting…' : 'Start run'}
          </button>
          <button type="button" class="button" onClick={() => props.onClose()}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
