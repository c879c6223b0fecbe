// /settings/audit (admin): who did what to what, when, from where. Filters (actor, action prefix,
// date range) live in the URL; export downloads the same filter as CSV or JSON; retention setting.
import { useSearchParams } from '@solidjs/router';
import { createUniqueId, For, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import { EmptyState, ErrorState, LoadingState } from '../components/ListStates';
import { RetentionDaysForm } from '../components/RetentionDaysForm';
import { formatDateTime } from '../lib/format-time';
import { type QueryOutput, trpc } from '../lib/trpc';
import { RequireRole } from '../settings/RequireRole';
import './audit.css';

type AuditRow = QueryOutput<typeof trpc.audit.list>[number];
type Filters = { actor?: string; action?: string; from?: string; to?: string };
const PAGE_SIZE = 100;

/** Date inputs give local calendar days; the range is [start of from, start of the day after to). */
function toRange(filters: Filters) {
  const startOf = (day: string) => new Date(`${day}T00:00:00`);
  const range: { from?: string; to?: string } = {};
  if (filters.from) range.from = startOf(filters.from).toISOString();
  if (filters.to) {
    const end = startOf(filters.to);
    end.setDate(end.getDate() + 1);
    range.to = end.toISOString();
  }
  return range;
}

function queryOf(filters: Filters) {
  return { ...(filters.actor ? { actor: filters.actor } : {}), ...(filters.action ? { action: filters.action } : {}), ...toRange(filters) };
}

function exportHref(filters: Filters, format: 'csv' | 'json'): string {
  const params = new URLSearchParams({ ...queryOf(filters), format });
  return `/api/audit/export?${params.toString()}`;
}

function actorText(row: AuditRow): string {
  const name = row.actorName ?? row.actorId ?? '';
  const kind = row.actorType === 'user' ? '' : ` (${row.actorType === 'apiKey' ? 'API key' : row.actorType})`;
  return `${name || '—'}${kind}`;
}

function RetentionCard() {
  return (
    <section class="card" aria-labelledby="audit-retention-title">
      <h2 id="audit-retention-title">Retention</h2>
      <RetentionDaysForm
        name="Audit log retention"
        label="Keep entries for (days)"
        button="Save retention"
        hint="0 keeps everything. Older entries are deleted by the hourly housekeeping job."
        load={() => trpc.audit.retention.query()}
        save={(days) => trpc.audit.setRetention.mutate({ days })}
        saved={(days) => (days === 0 ? 'Saved: entries are kept forever.' : `Saved: entries older than ${days} days are deleted.`)}
      />
    </section>
  );
}

function AuditLog() {
  const [search, setSearch] = useSearchParams<Filters>();
  const ids = { actor: createUniqueId(), action: createUniqueId(), from: createUniqueId(), to: createUniqueId() };
  const [state, setState] = createStore({ rows: [] as AuditRow[], more: false, loaded: false, error: null as unknown });
  const filters = (): Filters => ({ actor: search.actor, action: search.action, from: search.from, to: search.to });

  // Responses to an older filter can arrive after newer ones: only the latest request may write.
  let generation = 0;
  // setSearch updates the URL asynchronously: a new filter is passed in rather than read back.
  async function load(cursor?: number, applied: Filters = filters()) {
    const mine = ++generation;
    try {
      const rows = await trpc.audit.list.query({ ...queryOf(applied), limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
      if (mine !== generation) return;
      setState({ rows: cursor ? [...state.rows, ...rows] : rows, more: rows.length === PAGE_SIZE, loaded: true, error: null });
    } catch (error) {
      if (mine === generation) setState({ error, loaded: true });
    }
  }
  void load();

  function applyFilters(event: SubmitEvent & { currentTarget: HTMLFormElement }) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? '').trim() || undefined;
    const next: Filters = { actor: value('actor'), action: value('action'), from: value('from'), to: value('to') };
    setSearch(next);
    setState({ loaded: false });
    void load(undefined, next);
  }

  return (
    <section class="page" aria-labelledby="audit-title">
      <div class="page-header">
        <div>
          <h1 id="audit-title">Audit log</h1>
          <p class="page-intro">Sign-ins, key and user changes, webhook, gateway and budget changes, session aborts and cron runs.</p>
        </div>
        <div class="table-actions">
          <a class="button" href={exportHref(filters(), 'csv')} download="">
            Export CSV
          </a>
          <a class="button" href={exportHref(filters(), 'json')} download="">
            Export JSON
          </a>
        </div>
      </div>
      <form class="audit-filters" onSubmit={applyFilters}>
        <div class="field">
          <label for={ids.actor}>Actor</label>
          <input id={ids.actor} class="input" name="actor" maxLength={100} placeholder="username or id" value={search.actor ?? ''} />
        </div>
        <div class="field">
          <label for={ids.action}>Action starts with</label>
          <input id={ids.action} class="input mono" name="action" maxLength={100} placeholder="webhook." value={search.action ?? ''} />
        </div>
        <div class="field">
          <label for={ids.from}>From</label>
          <input id={ids.from} class="input" name="from" type="date" value={search.from ?? ''} />
        </div>
        <div class="field">
          <label for={ids.to}>To</label>
          <input id={ids.to} class="input" name="to" type="date" value={search.to ?? ''} />
        </div>
        <div class="form-actions">
          <button type="submit" class="button">
            Apply filters
          </button>
        </div>
      </form>
      <Show when={state.loaded} fallback={<LoadingState label="Loading audit log…" />}>
        <Show when={!state.error} fallback={<ErrorState error={state.error} onRetry={() => void load()} />}>
          <Show when={state.rows.length > 0} fallback={<EmptyState>No audit entries match.</EmptyState>}>
            <div class="table-wrap">
              <table class="table">
                <caption class="visually-hidden">Audit entries</caption>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Action</th>
                    <th scope="col">Target</th>
                    <th scope="col">From</th>
                    <th scope="col">Details</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={state.rows}>
                    {(row) => (
                      <tr>
                        <td>{formatDateTime(row.at)}</td>
                        <td>{actorText(row)}</td>
                        <td>
                          <code>{row.action}</code>
                        </td>
                        <td>{row.targetType ? `${row.targetType} ${row.targetId ?? ''}` : '—'}</td>
                        <td class="mono">{row.ip ?? '—'}</td>
                        <td>
                          <Show when={row.details} fallback="—">
                            <code class="audit-details">{JSON.stringify(row.details)}</code>
                          </Show>
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </div>
            <Show when={state.more}>
              <button type="button" class="button" onClick={() => void load(state.rows[state.rows.length - 1]?.id)}>
                Load more
              </button>
            </Show>
          </Show>
        </Show>
      </Show>
      <RetentionCard />
    </section>
  );
}

export default function AuditPage() {
  return (
    <RequireRole role="admin" title="Audit log" purpose="read the audit log">
      <AuditLog />
    </RequireRole>
  );
}
