// Create or edit a task (operators). An edit sends the version it started from; when someone else
// saved first the server answers CONFLICT and the form offers the latest version or an overwrite.
import { createAsync } from '@solidjs/router';
import { createSignal, createUniqueId, For, Show } from 'solid-js';
import { Dialog } from '../components/Dialog';
import { describeError, errorCode } from '../lib/client-errors';
import { trpc } from '../lib/trpc';
import { PRIORITIES, PRIORITY_LABELS, STATUS_LABELS, STATUSES, type TaskCard, type TaskDetail, type TaskPriority, type TaskStatus } from './task-types';

type Draft = {
  title: string;
  description: string;
  priority: TaskPriority;
  status: TaskStatus;
  labels: string[];
  dueAt: string | null;
  assigneeAgentId: string | null;
  dependsOn: string[];
  autoDone: boolean;
};

const toDateInput = (iso: string | null) => (iso ? iso.slice(0, 10) : '');

function readDraft(form: HTMLFormElement): Draft {
  const data = new FormData(form);
  const text = (name: string) => String(data.get(name) ?? '');
  const due = text('dueAt');
  return {
    title: text('title').trim(),
    description: text('description'),
    priority: text('priority') as TaskPriority,
    status: (text('status') || 'inbox') as TaskStatus,
    labels: text('labels').split(',').map((l) => l.trim()).filter(Boolean),
    dueAt: due ? new Date(`${due}T00:00:00Z`).toISOString() : null,
    assigneeAgentId: text('assignee') || null,
    dependsOn: text('dependsOn').split(/[\s,]+/).map((d) => d.trim()).filter(Boolean),
    autoDone: data.get('autoDone') === 'on',
  };
}

export function TaskFormDialog(props: { existing?: TaskDetail; onClose: () => void; onSaved: (card: TaskCard) => void }) {
  const agents = createAsync(() => trpc.agents.list.query().catch(() => []), { initialValue: [] });
  const [base, setBase] = createSignal(props.existing);
  const [error, setError] = createSignal<string | null>(null);
  const [conflict, setConflict] = createSignal(false);
  const [pending, setPending] = createSignal(false);
  const [formKey, setFormKey] = createSignal(0);
  const id = { title: createUniqueId(), description: createUniqueId(), priority: createUniqueId(), status: createUniqueId(), labels: createUniqueId(), due: createUniqueId(), assignee: createUniqueId(), deps: createUniqueId(), auto: createUniqueId() };
  let form: HTMLFormElement | undefined;

  async function save(overwrite = false) {
    if (!form) return;
    const draft = readDraft(form);
    setPending(true);
    setError(null);
    try {
      const current = base();
      let saved: TaskCard;
      if (current) {
        let version = current.task.version;
        if (overwrite) version = (await trpc.tasks.byId.query({ id: current.task.id })).task.version;
        const { status: _status, ...fields } = draft;
        saved = await trpc.tasks.update.mutate({ id: current.task.id, expectedVersion: version, ...fields });
      } else {
        saved = await trpc.tasks.create.mutate(draft);
      }
      setConflict(false);
      props.onSaved(saved);
    } catch (caught) {
      setConflict(errorCode(caught) === 'CONFLICT');
      setError(describeError(caught));
    } finally {
      setPending(false);
    }
  }

  async function useLatest() {
    const current = base();
    if (!current) return;
    setBase(await trpc.tasks.byId.query({ id: current.task.id }));
    setConflict(false);
    setError(null);
    setFormKey((k) => k + 1);
  }

  const task = () => base()?.task;
  return (
    <Dialog title={task() ? `Edit #${task()?.number}` : 'New task'} onClose={props.onClose}>
      <Show keyed when={formKey() + 1}>
        <form
          ref={form}
          class="form task-form"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <div class="field">
            <label for={id.title}>Title</label>
            <input id={id.title} class="input" name="title" required maxlength="200" value={task()?.title ?? ''} data-autofocus />
          </div>
          <div class="field">
            <label for={id.description}>Description (markdown)</label>
            <textarea id={id.description} class="input task-description-input" name="description" rows="6" maxlength="50000" value={base()?.task.description ?? ''} />
            <p class="field-hint">Up to 50,000 characters; link long logs instead of pasting them.</p>
          </div>
          <div class="form-row">
            <div class="field">
              <label for={id.priority}>Priority</label>
              <select id={id.priority} class="select" name="priority">
                <For each={PRIORITIES}>{(p) => <option value={p} selected={(task()?.priority ?? 'medium') === p}>{PRIORITY_LABELS[p]}</option>}</For>
              </select>
            </div>
            <Show when={!task()}>
              <div class="field">
                <label for={id.status}>Column</label>
                <select id={id.status} class="select" name="status">
                  <For each={STATUSES}>{(s) => <option value={s}>{STATUS_LABELS[s]}</option>}</For>
                </select>
              </div>
            </Show>
            <div class="field">
              <label for={id.due}>Due date</label>
              <input id={id.due} class="input" type="date" name="dueAt" value={toDateInput(task()?.dueAt ?? null)} />
            </div>
          </div>
          <div class="form-row">
            <div class="field">
              <label for={id.assignee}>Assignee</label>
              <select id={id.assignee} class="select" name="assignee">
                <option value="">Unassigned</option>
                <For each={agents()}>{(agent) => <option value={agent.id} selected={task()?.assignee?.id === agent.id}>{agent.name}</option>}</For>
              </select>
            </div>
            <div class="field">
              <label for={id.labels}>Labels (comma separated)</label>
              <input id={id.labels} class="input" name="labels" value={task()?.labels.join(', ') ?? ''} />
            </div>
            <div class="field">
              <label for={id.deps}>Depends on (task numbers)</label>
              <input id={id.deps} class="input" name="dependsOn" placeholder="#3, #5" value={base()?.dependsOn.map((d) => `#${d.number}`).join(', ') ?? ''} />
            </div>
          </div>
          <label class="checkbox-field" for={id.auto}>
            <input id={id.auto} type="checkbox" name="autoDone" checked={task()?.autoDone ?? false} /> Agents may move it to done themselves
          </label>
          <Show when={error()}>
            {(message) => (
              <div class="form-error" role="alert">
                <p>{message()}</p>
                <Show when={conflict()}>
                  <div class="dialog-actions">
                    <button type="button" class="button" onClick={() => void useLatest()}>
                      Load latest version
                    </button>
                    <button type="button" class="button" data-variant="danger" onClick={() => void save(true)}>
                      Save mine anyway
                    </button>
                  </div>
                </Show>
              </div>
            )}
          </Show>
          <div class="dialog-actions">
            <button type="button" class="button" onClick={() => props.onClose()}>
              Cancel
            </button>
            <button type="submit" class="button" data-variant="primary" disabled={pending()}>
              {pending() ? 'Saving…' : task() ? 'Save changes' : 'Create task'}
            </button>
          </div>
        </form>
      </Show>
    </Dialog>
  );
}
