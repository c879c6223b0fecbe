// A task opened from the board (?task=17): fields, cost, markdown description, dependencies,
// comments and the full history of changes (who, person or agent, and when). Live events on this
// task refresh it; operators edit and comment.
import { createSignal, createUniqueId, For, onCleanup, Show } from 'solid-js';
import { Dialog } from '../components/Dialog';
import { ErrorState, LoadingState } from '../components/ListStates';
import { createMutation } from '../lib/create-mutation';
import { formatDateTime } from '../lib/format-time';
import { onLiveEvent } from '../lib/live';
import { trpc } from '../lib/trpc';
import { renderMarkdown } from './markdown';
import { TaskFormDialog } from './TaskForm';
import { formatCost, PRIORITY_LABELS, STATUS_LABELS, type TaskDetail } from './task-types';

function describeChange(field: string, change: { before?: unknown; after?: unknown }): string {
  const show = (value: unknown) => (value === null || value === undefined || value === '' ? '—' : Array.isArray(value) ? value.join(', ') || '—' : String(value));
  if (field === 'status') return `moved ${show(change.before)} → ${show(change.after)}`;
  if (field === 'rank') return 'reordered';
  if (field === 'description') return 'edited the description';
  return `${field}: ${show(change.before)} → ${show(change.after)}`;
}

function Markdown(props: { source: string; class?: string }) {
  // Sanitized by DOMPurify in renderMarkdown (scripts, handlers and styles removed).
  return <div class={`markdown ${props.class ?? ''}`} innerHTML={renderMarkdown(props.source)} />;
}

export function TaskDialog(props: { taskRef: string; canEdit: boolean; onClose: () => void }) {
  const [detail, setDetail] = createSignal<TaskDetail | null>(null);
  const [error, setError] = createSignal<unknown>(null);
  const [editing, setEditing] = createSignal(false);
  const commentId = createUniqueId();
  const addComment = createMutation((id: string, body: string) => trpc.tasks.comment.mutate({ id, body }));

  async function load() {
    try {
      setDetail(await trpc.tasks.byId.query({ id: props.taskRef }));
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  }
  void load();
  let reloadTimer: ReturnType<typeof setTimeout> | undefined;
  const reloadIfMine = (event: { payload: unknown }) => {
    const payload = event.payload as { taskId?: string; taskIds?: string[] };
    const id = detail()?.task.id;
    if (!id || (payload.taskId !== id && !payload.taskIds?.includes(id))) return;
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => void load(), 100);
  };
  for (const type of ['task.updated', 'task.moved', 'task.commented', 'task.archived']) onLiveEvent(type, reloadIfMine);
  onCleanup(() => clearTimeout(reloadTimer));

  async function submitComment(event: SubmitEvent & { currentTarget: HTMLFormElement }) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const body = String(new FormData(formElement).get('body') ?? '').trim();
    const id = detail()?.task.id;
    if (!body || !id) return;
    const result = await addComment.run(id, body);
    if (!result.ok) return;
    formElement.reset();
    await load();
  }

  const title = () => {
    const task = detail()?.task;
    return task ? `#${task.number} ${task.title}` : `Task ${props.taskRef}`;
  };

  return (
    <>
      <Show when={!editing()}>
        <Dialog title={title()} onClose={props.onClose}>
          <Show when={!error()} fallback={<ErrorState error={error()} onRetry={() => void load()} />}>
            <Show when={detail()} fallback={<LoadingState label="Loading task…" />}>
              {(data) => (
                <div class="task-detail">
                  <dl class="task-fields">
                    <dt>Status</dt>
                    <dd>{STATUS_LABELS[data().task.status]}{data().task.archivedAt ? ' (archived)' : ''}</dd>
                    <dt>Priority</dt>
                    <dd>{PRIORITY_LABELS[data().task.priority]}</dd>
                    <dt>Assignee</dt>
                    <dd>{data().task.assignee?.name ?? 'Unassigned'}</dd>
                    <dt>Due</dt>
                    <dd>{formatDateTime(data().task.dueAt, 'No due date')}</dd>
                    <dt>Labels</dt>
                    <dd>{data().task.labels.join(', ') || 'None'}</dd>
                    <dt>Cost</dt>
                    <dd class="task-detail-cost">{formatCost(data().task.cost) ?? 'No usage reported'}</dd>
                    <dt>Created</dt>
                    <dd>
                      {formatDateTime(data().task.createdAt)} by {data().task.createdBy.name ?? data().task.createdBy.type}
                    </dd>
                    <Show when={data().task.outcome}>
                      <dt>Outcome</dt>
                      <dd>{data().task.outcome}</dd>
                    </Show>
                  </dl>
                  <Show when={props.canEdit}>
                    <button type="button" class="button" onClick={() => setEditing(true)}>
                      Edit task
                    </button>
                  </Show>
                  <h3>Description</h3>
                  <Show when={data().task.description} fallback={<p class="muted">No description.</p>}>
                    <Markdown source={data().task.description} class="task-description" />
                  </Show>
                  <Show when={data().dependsOn.length > 0}>
                    <h3>Depends on</h3>
                    <ul class="dependency-list">
                      <For each={data().dependsOn}>{(d) => <li>#{d.number} {d.title} ({STATUS_LABELS[d.status]})</li>}</For>
                    </ul>
                  </Show>
                  <h3>Comments</h3>
                  <ol class="comment-list">
                    <For each={data().comments} fallback={<li class="muted">No comments yet.</li>}>
                      {(comment) => (
                        <li>
                          <p class="comment-meta">
                            {comment.actorName ?? comment.actorType} ({comment.actorType === 'agent' ? 'agent' : 'person'}) · {formatDateTime(comment.createdAt)}
                          </p>
                          <Markdown source={comment.body} />
                        </li>
                      )}
                    </For>
                  </ol>
                  <Show when={props.canEdit}>
                    <form class="form" onSubmit={(event) => void submitComment(event)}>
                      <div class="field">
                        <label for={commentId}>Add a comment</label>
                        <textarea id={commentId} class="input" name="body" rows="3" required />
                      </div>
                      <Show when={addComment.error()}>{(message) => <p class="form-error" role="alert">{message()}</p>}</Show>
                      <button type="submit" class="button" disabled={addComment.pending()}>
                        {addComment.pending() ? 'Posting…' : 'Post comment'}
                      </button>
                    </form>
                  </Show>
                  <h3>History</h3>
                  <ol class="history-list">
                    <For each={data().history}>
                      {(entry) => (
                        <li>
                          <span class="history-who">
                            {entry.actorName ?? entry.actorType} ({entry.actorType === 'agent' ? 'agent' : 'person'})
                          </span>{' '}
                          {entry.kind === 'created' ? 'created the task' : entry.kind === 'claimed' ? 'claimed it from the queue' : Object.entries(entry.changes).map(([field, change]) => describeChange(field, change)).join('; ')}
                          <span class="history-at"> · {formatDateTime(entry.at)}</span>
                        </li>
                      )}
                    </For>
                  </ol>
                  <div class="dialog-actions">
                    <button type="button" class="button" onClick={() => props.onClose()}>
                      Close
                    </button>
                  </div>
                </div>
              )}
            </Show>
          </Show>
        </Dialog>
      </Show>
      <Show when={editing() && detail()}>
        {(data) => (
          <TaskFormDialog
            existing={data()}
            onClose={() => setEditing(false)}
            onSaved={() => {
              setEditing(false);
              void load();
            }}
          />
        )}
      </Show>
    </>
  );
}
