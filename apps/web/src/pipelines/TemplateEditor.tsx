// Create or edit a pipeline template (operators): variables, steps (a DAG: each step picks the
// steps it depends on), approval, timeout, retries, and a cron schedule. Saving an existing template
// adds a version; runs already started keep theirs. The server validates (cycles, variables, agents).
import { createUniqueId, For, Index, Show } from 'solid-js';
import { createStore, produce } from 'solid-js/store';
import { Dialog } from '../components/Dialog';
import { FormError } from '../components/FormError';
import { createMutation } from '../lib/create-mutation';
import { trpc } from '../lib/trpc';
import type { PipelineTemplate } from './pipeline-types';

type Priority = 'low' | 'medium' | 'high' | 'critical';
type StepDraft = {
  key: string; title: string; description: string; assign: 'any' | 'role' | 'agent'; who: string; priority: Priority;
  requiresApproval: boolean; timeoutS: string; retries: string; dependsOn: string[];
};
type Draft = {
  name: string; description: string; variables: Array<{ name: string; default: string }>; steps: StepDraft[];
  scheduled: boolean; cron: string; timeZone: string; scheduleEnabled: boolean;
};

const PRIORITIES: Priority[] = ['low', 'medium', 'high', 'critical'];
const emptyStep = (n: number, dependsOn: string[] = []): StepDraft => ({
  key: `step-${n}`, title: '', description: '', assign: 'any', who: '', priority: 'medium', requiresApproval: false, timeoutS: '', retries: '0', dependsOn,
});

function draftOf(template: PipelineTemplate | null): Draft {
  if (!template) {
    return { name: '', description: '', variables: [], steps: [emptyStep(1)], scheduled: false, cron: '0 3 * * *', timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC', scheduleEnabled: true };
  }
  return {
    name: template.name,
    description: template.description,
    variables: template.variables.map((v) => ({ name: v.name, default: v.default ?? '' })),
    steps: template.steps.map((s) => ({
      key: s.key, title: s.title, description: s.description, assign: s.agent ? 'agent' : s.role ? 'role' : 'any', who: s.agent ?? s.role ?? '',
      priority: s.priority, requiresApproval: s.requiresApproval, timeoutS: s.timeoutS ? String(s.timeoutS) : '', retries: String(s.retries), dependsOn: [...s.dependsOn],
    })),
    scheduled: template.schedule !== null,
    cron: template.schedule?.cron ?? '0 3 * * *',
    timeZone: template.schedule?.timeZone ?? 'UTC',
    scheduleEnabled: template.schedule?.enabled ?? true,
  };
}

export function TemplateEditor(props: { template: PipelineTemplate | null; onClose: () => void; onSaved: (t: PipelineTemplate) => void }) {
  const [draft, setDraft] = createStore<Draft>(draftOf(props.template));
  const ids = { name: createUniqueId(), description: createUniqueId(), cron: createUniqueId(), tz: createUniqueId(), scheduled: createUniqueId(), enabled: createUniqueId() };
  const save = createMutation(async () => {
    const body = {
      name: draft.name.trim(),
      description: draft.description,
      variables: draft.variables.filter((v) => v.name.trim()).map((v) => ({ name: v.name.trim(), ...(v.default !== '' ? { default: v.default } : {}) })),
      steps: draft.steps.map((s) => ({
        key: s.key.trim(), title: s.title, description: s.description, priority: s.priority, requiresApproval: s.requiresApproval,
        retries: Number(s.retries || 0), dependsOn: s.dependsOn.filter((d) => draft.steps.some((o) => o.key === d && o.key !== s.key)),
        ...(s.timeoutS ? { timeoutS: Number(s.timeoutS) } : {}),
        ...(s.assign === 'agent' && s.who.trim() ? { agent: s.who.trim() } : {}),
        ...(s.assign === 'role' && s.who.trim() ? { role: s.who.trim() } : {}),
      })),
      schedule: draft.scheduled ? { cron: draft.cron.trim(), timeZone: draft.timeZone.trim() || 'UTC', enabled: draft.scheduleEnabled } : null,
    };
    return props.template ? trpc.pipelines.templates.update.mutate({ id: props.template.id, ...body }) : trpc.pipelines.templates.create.mutate(body);
  });

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    const outcome = await save.run();
    if (outcome.ok) props.onSaved(outcome.value);
  }
  const renameKey = (index: number, key: string) =>
    setDraft(produce((d) => {
      const old = d.steps[index]?.key;
      for (const step of d.steps) step.dependsOn = step.dependsOn.map((k) => (k === old ? key : k));
      const step = d.steps[index];
      if (step) step.key = key;
    }));

  return (
    <Dialog title={props.template ? `Edit ${props.template.name} (saves version ${props.template.version + 1})` : 'New pipeline template'} onClose={props.onClose}>
      <form class="form pipeline-editor" onSubmit={(event) => void submit(event)}>
        <div class="form-row">
          <div class="field">
            <label for={ids.name}>Name</label>
            <input id={ids.name} class="input" required maxLength={80} value={draft.name} onInput={(e) => setDraft('name', e.currentTarget.value)} data-autofocus />
          </div>
          <div class="field pipeline-editor-wide">
            <label for={ids.description}>Description</label>
            <input id={ids.description} class="input" maxLength={2000} value={draft.description} onInput={(e) => setDraft('description', e.currentTarget.value)} />
          </div>
        </div>

        <fieldset class="pipeline-fieldset">
          <legend>Variables</legend>
          <p class="field-hint">Use them as {'{{name}}'} in step titles and descriptions. Without a default a run must give a value.</p>
          <Index each={draft.variables}>
            {(variable, i) => (
              <div class="form-row pipeline-variable-row">
                <input class="input" aria-label={`Variable ${i + 1} name`} placeholder="name" pattern="[a-zA-Z_][a-zA-Z0-9_]*" value={variable().name} onInput={(e) => setDraft('variables', i, 'name', e.currentTarget.value)} />
                <input class="input" aria-label={`Variable ${i + 1} default`} placeholder="default (optional)" value={variable().default} onInput={(e) => setDraft('variables', i, 'default', e.currentTarget.value)} />
                <button type="button" class="button" onClick={() => setDraft('variables', (v) => v.filter((_, j) => j !== i))}>
                  Remove variable {i + 1}
                </button>
              </div>
            )}
          </Index>
          <button type="button" class="button" onClick={() => setDraft('variables', (v) => [...v, { name: '', default: '' }])}>
            Add variable
          </button>
        </fieldset>

        <fieldset class="pipeline-fieldset">
          <legend>Steps</legend>
          <div class="table-wrap">
            <table class="table pipeline-steps-table">
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">Title and description</th>
                  <th scope="col">Who</th>
                  <th scope="col">Priority</th>
                  <th scope="col">Depends on</th>
                  <th scope="col">Approval</th>
                  <th scope="col">Timeout (s)</th>
                  <th scope="col">Retries</th>
                  <th scope="col"><span class="visually-hidden">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                <Index each={draft.steps}>
                  {(step, i) => (
                    <tr>
                      <td data-label="Key">
                        <input class="input" aria-label={`Step ${i + 1} key`} required value={step().key} onChange={(e) => renameKey(i, e.currentTarget.value)} />
                      </td>
                      <td data-label="Title and description">
                        <input class="input" aria-label={`Step ${i + 1} title`} required placeholder="Title" value={step().title} onInput={(e) => setDraft('steps', i, 'title', e.currentTarget.value)} />
                        <textarea class="input" aria-label={`Step ${i + 1} description`} rows={2} placeholder="Description" value={step().description} onInput={(e) => setDraft('steps', i, 'description', e.currentTarget.value)} />
                      </td>
                      <td data-label="Who">
                        <select class="select" aria-label={`Step ${i + 1} assignment`} value={step().assign} onChange={(e) => setDraft('steps', i, 'assign', e.currentTarget.value as StepDraft['assign'])}>
                          <option value="any">Any agent</option>
                          <option value="role">Role</option>
                          <option value="agent">Agent</option>
                        </select>
                        <Show when={step().assign !== 'any'}>
                          <input class="input" aria-label={`Step ${i + 1} ${step().assign} name`} placeholder={step().assign === 'role' ? 'role' : 'agent name'} value={step().who} onInput={(e) => setDraft('steps', i, 'who', e.currentTarget.value)} />
                        </Show>
                      </td>
                      <td data-label="Priority">
                        <select class="select" aria-label={`Step ${i + 1} priority`} value={step().priority} onChange={(e) => setDraft('steps', i, 'priority', e.currentTarget.value as Priority)}>
                          <For each={PRIORITIES}>{(p) => <option value={p}>{p}</option>}</For>
                        </select>
                      </td>
                      <td data-label="Depends on">
                        <select
                          class="select"
                          multiple
                          aria-label={`Step ${i + 1} depends on`}
                          onChange={(e) => setDraft('steps', i, 'dependsOn', [...e.currentTarget.selectedOptions].map((o) => o.value))}
                        >
                          <For each={draft.steps.filter((_, j) => j !== i)}>
                            {(other) => (
                              <option value={other.key} selected={step().dependsOn.includes(other.key)}>
                                {other.key}
                              </option>
                            )}
                          </For>
                        </select>
                      </td>
                      <td data-label="Approval">
                        <input type="checkbox" aria-label={`Step ${i + 1} needs approval`} checked={step().requiresApproval} onChange={(e) => setDraft('steps', i, 'requiresApproval', e.currentTarget.checked)} />
                      </td>
                      <td data-label="Timeout (s)">
                        <input class="input pipeline-number" type="number" min="1" aria-label={`Step ${i + 1} timeout in seconds`} placeholder="none" value={step().timeoutS} onInput={(e) => setDraft('steps', i, 'timeoutS', e.currentTarget.value)} />
                      </td>
                      <td data-label="Retries">
                        <input class="input pipeline-number" type="number" min="0" max="10" aria-label={`Step ${i + 1} retries`} value={step().retries} onInput={(e) => setDraft('steps', i, 'retries', e.currentTarget.value)} />
                      </td>
                      <td>
                        <button
                          type="button"
                          class="button"
                          disabled={draft.steps.length === 1}
                          onClick={() => setDraft(produce((d) => {
                            const key = d.steps[i]?.key;
                            d.steps.splice(i, 1);
                            for (const s of d.steps) s.dependsOn = s.dependsOn.filter((k) => k !== key);
                          }))}
                        >
                          Remove step {i + 1}
                        </button>
                      </td>
                    </tr>
                  )}
                </Index>
              </tbody>
            </table>
          </div>
          <button
            type="button"
            class="button"
            onClick={() => setDraft('steps', (s) => [...s, emptyStep(s.length + 1, s.length ? [s[s.length - 1]?.key ?? ''] : [])])}
          >
            Add step
          </button>
        </fieldset>

        <fieldset class="pipeline-fieldset">
          <legend>Schedule</legend>
          <div class="form-row">
            <label class="pipeline-check" for={ids.scheduled}>
              <input id={ids.scheduled} type="checkbox" checked={draft.scheduled} onChange={(e) => setDraft('scheduled', e.currentTarget.checked)} />
              Run on a schedule
            </label>
            <Show when={draft.scheduled}>
              <div class="field">
                <label for={ids.cron}>Cron (minute hour day month weekday)</label>
                <input id={ids.cron} class="input" value={draft.cron} onInput={(e) => setDraft('cron', e.currentTarget.value)} />
              </div>
              <div class="field">
                <label for={ids.tz}>Time zone</label>
                <input id={ids.tz} class="input" value={draft.timeZone} onInput={(e) => setDraft('timeZone', e.currentTarget.value)} />
              </div>
              <label class="pipeline-check" for={ids.enabled}>
                <input id={ids.enabled} type="checkbox" checked={draft.scheduleEnabled} onChange={(e) => setDraft('scheduleEnabled', e.currentTarget.checked)} />
                Enabled
              </label>
            </Show>
          </div>
        </fieldset>

        <FormError message={save.error()} />
        <div class="form-actions">
          <button type="submit" class="button" data-variant="primary" disabled={save.pending()}>
            {save.pending() ? 'Saving…' : 'Save template'}
          </button>
          <button type="button" class="button" onClick={() => props.onClose()}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
