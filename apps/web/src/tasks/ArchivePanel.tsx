// Archived tasks: done tasks leave the board after the configured age and stay searchable here.
// Admins set the age (tasks.updateArchiveSettings).
import { A, useLocation } from '@solidjs/router';
import { createSignal, createUniqueId, For, onMount, Show } from 'solid-js';
import { createMutation } from '../lib/create-mutation';
import { formatDateTime } from '../lib/format-time';
import { hasRole } from '../lib/roles';
import { useCurrentUser } from '../lib/session';
import { trpc } from '../lib/trpc';
import type { BoardFilters } from './board-store';
import type { TaskCard } from './task-types';

function ArchiveAgeForm() {
  const inputId = createUniqueId();
  const [days, setDays] = createSignal<number | null>(null);
  const [saved, setSaved] = createSignal(false);
  const save = createMutation((afterDays: number) => trpc.tasks.updateArchiveSettings.mutate({ afterDays }));
  onMount(() => {
    void trpc.tasks.archiveSettings.query().then((settings) => setDays(settings.afterDays), () => undefined);
  });
  async function handleSubmit(event: SubmitEvent & { currentTarget: HTMLFormElement }) {
    event.preventDefault();
    setSaved(false);
    const value = Number(new FormData(event.currentTarget).get('afterDays'));
    const result = await save.run(value);
    if (result.ok) {
      setDays(result.value.afterDays);
      setSaved(true);
    }
  }
  return (
    <form class="form-row archive-age" onSubmit={(event) => void handleSubmit(event)}>
      <div class="field">
        <label for={inputId}>Archive done tasks after (days)</label>
        <input id={inputId} class="input" name="afterDays" type="number" min="1" max="3650" required value={days() ?? ''} />
      </div>
      <button type="submit" class="button" disabled={save.pending() || days() === null}>
        Save
      </button>
      <Show when={save.error()}>{(message) => <p class="form-error" role="alert">{message()}</p>}</Show>
      <Show when={saved()}>
        <p class="form-success" role="status">
          Saved.
        </p>
      </Show>
    </form>
  );
}

export function ArchivePanel(props: { filters: BoardFilters }) {
  const user = useCurrentUser();
  const location = useLocation();
  const [results, setResults] = createSignal<TaskCard[] | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const hrefFor = (card: TaskCard) => {
    const search = new URLSearchParams(location.search);
    search.set('task', String(card.number));
    return `?${search.toString()}`;
  };
  async function search() {
    setError(null);
    try {
      const page = await trpc.tasks.list.query({ ...props.filters, archived: 'only', limit: 50 });
      setResults(page.items);
    } catch {
      setError("Couldn't search the archive.");
    }
  }
  return (
    <details class="archive-panel">
      <summary>Archive</summary>
      <p class="page-intro">Done tasks are archived after a while; search them with the filters above.</p>
      <button type="button" class="button" onClick={() => void search()}>
        Search archived tasks
      </button>
      <Show when={error()}>{(message) => <p class="form-error" role="alert">{message()}</p>}</Show>
      <Show when={results()}>
        {(items) => (
          <ul class="archive-results" aria-label="Archived tasks">
            <For each={items()} fallback={<li class="muted">No archived tasks match.</li>}>
              {(card) => (
                <li>
                  <A href={hrefFor(card)}>
                    #{card.number} {card.title}
                  </A>{' '}
                  <span class="muted">archived {formatDateTime(card.archivedAt)}</span>
                </li>
              )}
            </For>
          </ul>
        )}
      </Show>
      <Show when={hasRole(user().role, 'admin')}>
        <ArchiveAgeForm />
      </Show>
    </details>
  );
}
