// /settings/prices: the price table in force (pinned version + admin overrides), models without a price
// and their token volume, overrides (admin), re-pricing history with a preview (admin), costs time zone.
import { createAsync, createAsyncStore, query, revalidate } from '@solidjs/router';
import { createSignal, createUniqueId, ErrorBoundary, For, Show, Suspense } from 'solid-js';
import { EmptyState, ErrorState, LoadingState } from '../components/ListStates';
import { RetentionDaysForm } from '../components/RetentionDaysForm';
import { formatCount, formatTokens, formatUsd } from '../costs/costs-api';
import { createMutation } from '../lib/create-mutation';
import { formatDateTime } from '../lib/format-time';
import { hasRole } from '../lib/roles';
import { useCurrentUser } from '../lib/session';
import { type QueryOutput, trpc } from '../lib/trpc';
import './PricesPage.css';

const getPrices = query(() => trpc.prices.list.query(), 'prices.list');
const getUnpriced = query(() => trpc.prices.unpriced.query({ range: { preset: '90d' } }), 'prices.unpriced');
const getRuns = query(() => trpc.prices.runs.query(), 'prices.runs');
type Preview = QueryOutput<typeof trpc.prices.previewReprice>;

const refreshPrices = () => revalidate([getPrices.key, getUnpriced.key, getRuns.key]);
const perMTok = (value: number | null) => (value === null ? '—' : `$${value}`);
/** "$ per million tokens" text → USD per token, via the decimal string so the number is exactly that decimal. */
const usdPerToken = (perMillion: string) => Number(`${perMillion.trim()}e-6`);

function OverrideForm(props: { model: string; onModel: (model: string) => void }) {
  const ids = { model: createUniqueId(), input: createUniqueId(), output: createUniqueId(), read: createUniqueId(), write: createUniqueId() };
  const save = createMutation((model: string, entry: Record<string, number>) =>
    trpc.prices.setOverride.mutate({ model, entry: { input_cost_per_token: entry.input_cost_per_token ?? 0, output_cost_per_token: entry.output_cost_per_token ?? 0, ...entry } }),
  );
  const [saved, setSaved] = createSignal<string | null>(null);
  async function handleSubmit(event: SubmitEvent & { currentTarget: HTMLFormElement }) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const entry: Record<string, number> = {};
    const fields = [['input', 'input_cost_per_token'], ['output', 'output_cost_per_token'], ['read', 'cache_read_input_token_cost'], ['write', 'cache_creation_input_token_cost']] as const;
    for (const [name, field] of fields) {
      const text = String(data.get(name) ?? '').trim();
      if (text !== '') entry[field] = usdPerToken(text);
    }
    const model = String(data.get('model') ?? '').trim();
    const result = await save.run(model, entry);
    if (!result.ok) return;
    setSaved(`Saved: ${model} is priced from version ${result.value.version} on.`);
    await refreshPrices();
  }
  return (
    <form class="form" aria-label="Add or override a model price" onSubmit={(event) => void handleSubmit(event)}>
      <div class="form-row">
        <div class="field">
          <label for={ids.model}>Model</label>
          <input id={ids.model} class="input" name="model" required value={props.model} onInput={(event) => props.onModel(event.currentTarget.value)} />
        </div>
        <div class="field">
          <label for={ids.input}>Input $/MTok</label>
          <input id={ids.input} class="input" name="input" inputMode="decimal" required />
        </div>
        <div class="field">
          <label for={ids.output}>Output $/MTok</label>
          <input id={ids.output} class="input" name="output" inputMode="decimal" required />
        </div>
        <div class="field">
          <label for={ids.read}>Cache read $/MTok</label>
          <input id={ids.read} class="input" name="read" inputMode="decimal" placeholder="= input" />
        </div>
        <div class="field">
          <label for={ids.write}>Cache write $/MTok</label>
          <input id={ids.write} class="input" name="write" inputMode="decimal" placeholder="= input" />
        </div>
        <button type="submit" class="button" data-variant="primary" disabled={save.pending()}>
          {save.pending() ? 'Saving…' : 'Save price'}
        </button>
      </div>
      <Show when={save.error()}>{(message) => <p class="form-error" role="alert">{message()}</p>}</Show>
      <Show when={saved()}>{(message) => <p class="form-success" role="status">{message()}</p>}</Show>
    </form>
  );
}

function Unpriced(props: { admin: boolean; onPrice: (model: string) => void }) {
  const rows = createAsyncStore(() => getUnpriced(), { reconcile: { key: 'model' } });
  return (
    <Show when={rows()}>
      {(list) => (
        <Show when={list().length > 0} fallback={<EmptyState>Every model used in the last 90 days has a price.</EmptyState>}>
          <div class="table-wrap">
            <table class="table">
              <caption class="visually-hidden">Models without a price, last 90 days</caption>
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col">Records</th>
                  <th scope="col">Tokens</th>
                  <th scope="col">Now</th>
                  <Show when={props.admin}>
                    <th scope="col">
                      <span class="visually-hidden">Actions</span>
                    </th>
                  </Show>
                </tr>
              </thead>
              <tbody>
                <For each={list()}>
                  {(row) => (
                    <tr>
                      <th scope="row" class="mono">{row.model}</th>
                      <td>{formatCount(row.records)}</td>
                      <td>{formatTokens(row.tokens)}</td>
                      <td>{row.pricedNow ? `priced as ${row.resolvesTo} (re-price to apply)` : 'no price'}</td>
                      <Show when={props.admin}>
                        <td>
                          <button type="button" class="button" data-size="small" onClick={() => props.onPrice(row.model)}>
                            Add price<span class="visually-hidden"> for {row.model}</span>
                          </button>
                        </td>
                      </Show>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
        </Show>
      )}
    </Show>
  );
}

function Reprice() {
  const ids = { from: createUniqueId(), to: createUniqueId(), models: createUniqueId() };
  const [preview, setPreview] = createSignal<{ input: Parameters<typeof trpc.prices.previewReprice.query>[0]; result: Preview } | null>(null);
  const previewCall = createMutation((input: Parameters<typeof trpc.prices.previewReprice.query>[0]) => trpc.prices.previewReprice.query(input));
  const apply = createMutation((input: Parameters<typeof trpc.prices.applyReprice.mutate>[0]) => trpc.prices.applyReprice.mutate(input));
  const [applied, setApplied] = createSignal<string | null>(null);
  async function handlePreview(event: SubmitEvent & { currentTarget: HTMLFormElement }) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const toIso = (value: string) => new Date(`${value}T00:00:00`).toISOString();
    const input = {
      range: { from: toIso(String(data.get('from'))), to: toIso(String(data.get('to'))) },
      models: String(data.get('models') ?? '').split(/[,\s]+/).filter(Boolean),
    };
    setApplied(null);
    const result = await previewCall.run(input);
    setPreview(result.ok ? { input, result: result.value } : null);
  }
  async function handleApply() {
    const current = preview();
    if (!current) return;
    const result = await apply.run(current.input);
    if (!result.ok) return;
    setApplied(`Re-priced ${formatCount(result.value.restampedRecords)} records to ${result.value.version}: ${formatUsd(result.value.oldCostUsd)} → ${formatUsd(result.value.newCostUsd)}.`);
    setPreview(null);
    await refreshPrices();
  }
  const today = new Date();
  const isoDate = (date: Date) => `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
  return (
    <section class="card" aria-labelledby="reprice-title">
      <h2 id="reprice-title">Re-price history</h2>
      <p class="card-intro">Records keep the price version they were written with. Preview the difference, then apply: records and rollups change in one audited step.</p>
      <form class="form" aria-label="Re-price records" onSubmit={(event) => void handlePreview(event)}>
        <div class="form-row">
          <div class="field">
            <label for={ids.from}>From (local date)</label>
            <input id={ids.from} class="input" type="date" name="from" required value={isoDate(new Date(today.getFullYear(), today.getMonth(), 1))} />
          </div>
          <div class="field">
            <label for={ids.to}>To (exclusive)</label>
            <input id={ids.to} class="input" type="date" name="to" required value={isoDate(new Date(today.getTime() + 86_400_000))} />
          </div>
          <div class="field">
            <label for={ids.models}>Models (optional)</label>
            <input id={ids.models} class="input" name="models" placeholder="all models" />
          </div>
          <button type="submit" class="button" disabled={previewCall.pending()}>
            {previewCall.pending() ? 'Computing…' : 'Preview'}
          </button>
        </div>
        <Show when={previewCall.error() ?? apply.error()}>{(message) => <p class="form-error" role="alert">{message()}</p>}</Show>
      </form>
      <Show when={preview()}>
        {(current) => (
          <section class="reprice-preview" aria-label="Re-pricing preview">
            <p>
              {formatCount(current().result.records)} records in range; {formatCount(current().result.restampedRecords)} would change to version {current().result.version}
              ({formatCount(current().result.newlyPriced)} newly priced). Total {formatUsd(current().result.oldCostUsd)} → {formatUsd(current().result.newCostUsd)} (
              {current().result.differenceUsd >= 0 ? '+' : ''}
              {formatUsd(current().result.differenceUsd)}).
            </p>
            <button type="button" class="button" data-variant="primary" disabled={apply.pending() || current().result.restampedRecords === 0} onClick={() => void handleApply()}>
              {apply.pending() ? 'Applying…' : 'Apply re-pricing'}
            </button>
          </section>
        )}
      </Show>
      <Show when={applied()}>{(message) => <p class="form-success" role="status">{message()}</p>}</Show>
      <RepriceRuns />
    </section>
  );
}

function RepriceRuns() {
  const runs = createAsync(() => getRuns());
  return (
    <Show when={(runs() ?? []).length > 0}>
      <h3>Past re-pricings</h3>
      <ul class="reprice-runs">
        <For each={runs()}>
          {(run) => (
            <li>
              {formatDateTime(run.at)} · {run.actorName ?? 'system'} · {formatCount(run.changedRecords)} records → {run.toVersion} · {formatUsd(run.oldCostUsd)} → {formatUsd(run.newCostUsd)}
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}

function TimeZoneForm(props: { current: string }) {
  const id = createUniqueId();
  const save = createMutation((timeZone: string) => trpc.costs.setTimeZone.mutate({ timeZone }));
  async function handleSubmit(event: SubmitEvent & { currentTarget: HTMLFormElement }) {
    event.preventDefault();
    const result = await save.run(String(new FormData(event.currentTarget).get('timeZone') ?? ''));
    if (result.ok) await revalidate();
  }
  return (
    <form class="form" aria-label="Costs time zone" onSubmit={(event) => void handleSubmit(event)}>
      <div class="form-row">
        <div class="field">
          <label for={id}>Costs time zone (IANA)</label>
          <input id={id} class="input" name="timeZone" value={props.current} required />
        </div>
        <button type="submit" class="button" disabled={save.pending()}>
          Save time zone
        </button>
      </div>
      <Show when={save.error()}>{(message) => <p class="form-error" role="alert">{message()}</p>}</Show>
    </form>
  );
}

/** How long raw usage records are kept (their hourly rollups stay): 0 keeps every record. */
function UsageRetentionForm() {
  return (
    <RetentionDaysForm
      name="Usage detail retention"
      label="Keep usage detail for (days)"
      button="Save usage retention"
      hint="Records older than this are deleted by the hourly housekeeping job, a whole hour at a time. Totals, charts and budgets keep them (hourly rollups); the records list, exports and re-pricing cover the kept period only. 0 keeps everything; otherwise at least 35 days."
      load={() => trpc.costs.detailRetention.query()}
      save={(days) => trpc.costs.setDetailRetention.mutate({ days })}
      saved={(days) => (days === 0 ? 'Saved: every usage record is kept.' : `Saved: usage records older than ${days} days are deleted; their totals stay.`)}
    />
  );
}

function PriceTable() {
  const prices = createAsyncStore(() => getPrices(), { reconcile: { key: 'model' } });
  const user = useCurrentUser();
  const remove = createMutation((model: string) => trpc.prices.removeOverride.mutate({ model }));
  const [filter, setFilter] = createSignal('');
  const filterId = createUniqueId();
  const shown = () => (prices()?.models ?? []).filter((model) => model.model.includes(filter().trim().toLowerCase()));
  return (
    <Show when={prices()}>
      {(table) => (
        <section class="card" aria-labelledby="table-title">
          <h2 id="table-title">
            Price table {table().version}
            <Show when={table().overrides > 0}>
              <span class="muted-text"> (pinned {table().pinnedVersion} + {table().overrides} override{table().overrides === 1 ? '' : 's'})</span>
            </Show>
          </h2>
          <div class="field">
            <label for={filterId}>Filter models</label>
            <input id={filterId} class="input" value={filter()} onInput={(event) => setFilter(event.currentTarget.value)} />
          </div>
          <Show when={remove.error()}>{(message) => <p class="form-error" role="alert">{message()}</p>}</Show>
          <div class="table-wrap">
            <table class="table price-table">
              <caption class="visually-hidden">Prices in USD per million tokens</caption>
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col">Input</th>
                  <th scope="col">Output</th>
                  <th scope="col">Cache read</th>
                  <th scope="col">Cache write</th>
                  <th scope="col">Long-context tiers</th>
                  <th scope="col">Source</th>
                </tr>
              </thead>
              <tbody>
                <For each={shown()}>
                  {(model) => (
                    <tr data-source={model.source}>
                      <th scope="row" class="mono">{model.model}</th>
                      <td>{perMTok(model.perMillionUsd.input_cost_per_token)}</td>
                      <td>{perMTok(model.perMillionUsd.output_cost_per_token)}</td>
                      <td>{perMTok(model.perMillionUsd.cache_read_input_token_cost)}</td>
                      <td>{perMTok(model.perMillionUsd.cache_creation_input_token_cost)}</td>
                      <td>{model.tiers.join(', ') || '—'}</td>
                      <td>
                        {model.source}
                        <Show when={model.source !== 'pinned' && hasRole(user().role, 'admin')}>
                          {' '}
                          <button type="button" class="button" data-size="small" onClick={() => void remove.run(model.model).then(refreshPrices)}>
                            Remove override<span class="visually-hidden"> for {model.model}</span>
                          </button>
                        </Show>
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
        </section>
      )}
    </Show>
  );
}

export default function PricesPage() {
  const user = useCurrentUser();
  const admin = () => hasRole(user().role, 'admin');
  const [model, setModel] = createSignal('');
  const summary = createAsync(() => trpc.costs.summary.query());
  return (
    <section class="page prices-page" aria-labelledby="prices-title">
      <div class="page-header">
        <div>
          <h1 id="prices-title">Prices</h1>
          <p class="page-intro">USD per million tokens. New records are priced with the version in force; a missing cache price is charged at the input price.</p>
        </div>
      </div>
      <ErrorBoundary fallback={(error, reset) => <ErrorState error={error} onRetry={() => void refreshPrices().then(reset)} />}>
        <Suspense fallback={<LoadingState label="Loading prices…" />}>
          <section class="card" aria-labelledby="unpriced-title">
            <h2 id="unpriced-title">Unpriced models</h2>
            <Unpriced admin={admin()} onPrice={setModel} />
          </section>
          <Show when={admin()}>
            <section class="card" aria-labelledby="override-title">
              <h2 id="override-title">Add or override a price</h2>
              <OverrideForm model={model()} onModel={setModel} />
            </section>
            <Reprice />
            <Show when={summary()}>{(value) => <TimeZoneForm current={value().timeZone} />}</Show>
            <UsageRetentionForm />
          </Show>
          <PriceTable />
        </Suspense>
      </ErrorBoundary>
    </section>
  );
}
