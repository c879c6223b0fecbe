// Budgets with progress in their current period; admins add, pause and remove them here.
import { revalidate } from '@solidjs/router';
import { createSignal, createUniqueId, For, Show } from 'solid-js';
import { EmptyState } from '../components/ListStates';
import { createMutation } from '../lib/create-mutation';
import { formatDateTime } from '../lib/format-time';
import { hasRole } from '../lib/roles';
import { useCurrentUser } from '../lib/session';
import { trpc } from '../lib/trpc';
import { type BudgetList, type BudgetRow, formatUsd, getBudgets } from './costs-api';

const SCOPES = ['global', 'agent', 'model', 'gateway', 'task'] as const;
const PERIODS = ['day', 'week', 'month'] as const;
type Scope = (typeof SCOPES)[number];
type Period = (typeof PERIODS)[number];
const isScope = (value: string): value is Scope => (SCOPES as readonly string[]).includes(value);
const isPeriod = (value: string): value is Period => (PERIODS as readonly string[]).includes(value);

function BudgetItem(props: { budget: BudgetRow; admin: boolean }) {
  const toggle = createMutation(() => trpc.budgets.update.mutate({ id: props.budget.id, enabled: !props.budget.enabled }));
  const remove = createMutation(() => trpc.budgets.remove.mutate({ id: props.budget.id }));
  const labelId = createUniqueId();
  const scopeText = () => (props.budget.scope === 'global' ? 'Whole fleet' : `${props.budget.scope} ${props.budget.scopeValue}`);
  return (
    <li class="budget" data-exceeded={props.budget.exceeded ? 'true' : 'false'} data-enabled={props.budget.enabled ? 'true' : 'false'}>
      <div class="budget-head">
        <span id={labelId} class="budget-name">
          {props.budget.name}
        </span>
        <span class="budget-meta">
          {scopeText()} · per {props.budget.period}
          {props.budget.hard ? ' · hard stop' : ''}
          {props.budget.enabled ? '' : ' · paused'}
        </span>
      </div>
      <div
        class="progress"
        role="progressbar"
        aria-labelledby={labelId}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.min(100, props.budget.percent)}
        aria-valuetext={`${props.budget.percent} % of ${formatUsd(props.budget.limitUsd)}`}
      >
        <span class="progress-fill" style={{ 'inline-size': `${Math.min(100, props.budget.percent)}%` }} />
      </div>
      <p class="budget-numbers">
        <span class="budget-spent">{formatUsd(props.budget.spentUsd)}</span> of {formatUsd(props.budget.limitUsd)} ({props.budget.percent} %)
        <Show when={props.budget.exceeded}>
          <span class="status-badge" data-status="exceeded">
            Exceeded
          </span>
        </Show>
        <span class="budget-reset"> · resets {formatDateTime(props.budget.periodEnd)}</span>
      </p>
      <Show when={props.budget.firedThresholds.length > 0}>
        <p class="budget-alerts">Alerts this period: {props.budget.firedThresholds.map((threshold) => `${threshold} %`).join(', ')}</p>
      </Show>
      <Show when={props.admin}>
        <div class="table-actions">
          <button type="button" class="button" data-size="small" disabled={toggle.pending()} onClick={() => void toggle.run().then(() => revalidate(getBudgets.key))}>
            {props.budget.enabled ? `Pause` : `Resume`}
            <span class="visually-hidden"> {props.budget.name}</span>
          </button>
          <button type="button" class="button" data-size="small" data-variant="danger" disabled={remove.pending()} onClick={() => void remove.run().then(() => revalidate(getBudgets.key))}>
            Remove<span class="visually-hidden"> {props.budget.name}</span>
          </button>
          <Show when={toggle.error() ?? remove.error()}>{(message) => <span class="inline-error" role="alert">{message()}</span>}</Show>
        </div>
      </Show>
    </li>
  );
}

function AddBudgetForm() {
  const ids = { name: createUniqueId(), scope: createUniqueId(), value: createUniqueId(), period: createUniqueId(), limit: createUniqueId(), thresholds: createUniqueId(), hard: createUniqueId() };
  const [scope, setScope] = createSignal<Scope>('global');
  const create = createMutation((input: Parameters<typeof trpc.budgets.create.mutate>[0]) => trpc.budgets.create.mutate(input));
  async function handleSubmit(event: SubmitEvent & { currentTarget: HTMLFormElement }) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const scopeValue = String(data.get('scope') ?? 'global');
    const period = String(data.get('period') ?? 'month');
    if (!isScope(scopeValue) || !isPeriod(period)) return;
    const thresholds = String(data.get('thresholds') ?? '').split(/[,\s]+/).filter(Boolean).map(Number);
    const result = await create.run({
      name: String(data.get('name') ?? ''), scope: scopeValue, scopeValue: scopeValue === 'global' ? '' : String(data.get('scopeValue') ?? ''), period,
      limitUsd: Number(data.get('limitUsd')), thresholds, hard: data.get('hard') === 'on', enabled: true,
    });
    if (!result.ok) return;
    form.reset();
    setScope('global');
    await revalidate(getBudgets.key);
  }
  return (
    <form class="form budget-form" aria-label="Add budget" onSubmit={(event) => void handleSubmit(event)}>
      <div class="form-row">
        <div class="field">
          <label for={ids.name}>Budget name</label>
          <input id={ids.name} class="input" name="name" required maxLength={100} />
        </div>
        <div class="field">
          <label for={ids.scope}>Scope</label>
          <select id={ids.scope} class="select" name="scope" onChange={(event) => { const v = event.currentTarget.value; if (isScope(v)) setScope(v); }}>
            <For each={SCOPES}>{(value) => <option value={value}>{value}</option>}</For>
          </select>
        </div>
        <Show when={scope() !== 'global'}>
          <div class="field">
            <label for={ids.value}>{scope()} id</label>
            <input id={ids.value} class="input" name="scopeValue" required />
          </div>
        </Show>
        <div class="field">
          <label for={ids.period}>Period</label>
          <select id={ids.period} class="select" name="period">
            <For each={PERIODS}>{(value) => <option value={value} selected={value === 'month'}>{value}</option>}</For>
          </select>
        </div>
        <div class="field">
          <label for={ids.limit}>Limit (USD)</label>
          <input id={ids.limit} class="input" name="limitUsd" type="number" min="0.01" step="0.01" required />
        </div>
        <div class="field">
          <label for={ids.thresholds}>Alert at (%)</label>
          <input id={ids.thresholds} class="input" name="thresholds" value="50, 80, 100" />
        </div>
        <div class="field field-inline">
          <input id={ids.hard} type="checkbox" name="hard" />
          <label for={ids.hard}>Hard stop</label>
        </div>
        <button type="submit" class="button" data-variant="primary" disabled={create.pending()}>
          {create.pending() ? 'Adding…' : 'Add budget'}
        </button>
      </div>
      <Show when={create.error()}>{(message) => <p class="form-error" role="alert">{message()}</p>}</Show>
    </form>
  );
}

type RecentAlert = BudgetList['recentAlerts'][number];

function RecentAlerts(props: { alerts: RecentAlert[] }) {
  return (
    <Show when={props.alerts.length > 0}>
      <h3 class="budget-subtitle">Recent alerts</h3>
      <ul class="budget-alert-list">
        <For each={props.alerts}>
          {(alert) => (
            <li>
              {formatDateTime(alert.firedAt)} · {alert.budgetName} reached {alert.threshold} % ({formatUsd(alert.spentUsd)} of {formatUsd(alert.limitUsd)})
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}

export function BudgetsPanel(props: { budgets: BudgetRow[]; timeZone: string; recentAlerts: RecentAlert[] }) {
  const user = useCurrentUser();
  const admin = () => hasRole(user().role, 'admin');
  return (
    <section class="card" aria-labelledby="budgets-title">
      <h2 id="budgets-title">Budgets</h2>
      <p class="card-intro">Periods follow the {props.timeZone} calendar. Each alert fires once per period.</p>
      <Show when={props.budgets.length > 0} fallback={<EmptyState>No budgets yet.</EmptyState>}>
        <ul class="budget-list">
          <For each={props.budgets}>{(budget) => <BudgetItem budget={budget} admin={admin()} />}</For>
        </ul>
      </Show>
      <RecentAlerts alerts={props.recentAlerts} />
      <Show when={admin()}>
        <AddBudgetForm />
      </Show>
    </section>
  );
}
