// /costs: what the fleet costs — summary cards, a stacked chart by model, sortable breakdowns and budgets.
// Live: usage events refetch (throttled) into keyed stores, so only the numbers that changed re-render.
import { A, createAsyncStore, revalidate } from '@solidjs/router';
import { createSignal, ErrorBoundary, For, type JSX, Show, Suspense } from 'solid-js';
import { ErrorState, LoadingState } from '../components/ListStates';
import { BreakdownTable } from './BreakdownTable';
import { BudgetsPanel } from './BudgetsPanel';
import { CostChart } from './CostChart';
import { refetchOnUsage } from './costs-live';
import {
  BREAKDOWN_TABS, type CostSummary, formatCount, formatTokens, formatUsd, getBreakdown, getBudgets, getSeries, getSummary, type GroupByField, RANGE_TABS,
  type RangePreset,
} from './costs-api';
import './costs.css';

function refreshAll(): void {
  void revalidate([getSummary.key, getSeries.key, getBreakdown.key, getBudgets.key]);
}

function Section(props: { label: string; children: JSX.Element; retryKey: string }) {
  return (
    <ErrorBoundary fallback={(error, reset) => <ErrorState error={error} onRetry={() => void revalidate(props.retryKey).then(reset)} />}>
      <Suspense fallback={<LoadingState label={`Loading ${props.label}…`} />}>{props.children}</Suspense>
    </ErrorBoundary>
  );
}

type Card = { key: 'today' | 'last7d' | 'last30d' | 'monthToDate'; label: string };
const CARDS: readonly Card[] = [
  { key: 'today', label: 'Today' },
  { key: 'last7d', label: 'Last 7 days' },
  { key: 'last30d', label: 'Last 30 days' },
  { key: 'monthToDate', label: 'Month to date' },
];

function SummaryCards(props: { summary: CostSummary }) {
  return (
    <>
      <dl class="summary-grid cost-cards">
        <For each={CARDS}>
          {(card) => (
            <div class="summary-card" data-card={card.key}>
              <dt>{card.label}</dt>
              <dd class="cost-value">{formatUsd(props.summary[card.key].costUsd)}</dd>
              <dd class="cost-detail">
                {formatTokens(props.summary[card.key].inputTokens + props.summary[card.key].outputTokens + props.summary[card.key].cacheReadTokens + props.summary[card.key].cacheWriteTokens)} tokens
                <Show when={props.summary[card.key].cacheSavedUsd > 0}> · cache saved {formatUsd(props.summary[card.key].cacheSavedUsd)}</Show>
              </dd>
              <Show when={props.summary[card.key].unpricedRecords > 0}>
                <dd>
                  <span class="unpriced-badge">{formatCount(props.summary[card.key].unpricedRecords)} unpriced records</span>
                </dd>
              </Show>
            </div>
          )}
        </For>
        <div class="summary-card" data-card="projected">
          <dt>Projected month</dt>
          <dd class="cost-value">{formatUsd(props.summary.projectedMonth.costUsd)}</dd>
          <dd class="cost-detail">month to date + last 7 days' pace</dd>
        </div>
      </dl>
      <p class="cost-footnote">
        Prices <A href="/settings/prices">{props.summary.priceVersion}</A> · days in {props.summary.timeZone}
        <Show when={props.summary.last30d.unpricedRecords > 0}>
          {' '}· <strong>{formatCount(props.summary.last30d.unpricedRecords)} records ({formatTokens(props.summary.last30d.unpricedTokens)} tokens) in the last 30 days have no price and are not in these totals.</strong>
        </Show>
      </p>
    </>
  );
}

function Summary() {
  const summary = createAsyncStore(() => getSummary(), { reconcile: { key: 'key' } });
  return <Show when={summary()}>{(value) => <SummaryCards summary={value()} />}</Show>;
}

function Chart(props: { preset: RangePreset }) {
  const tab = () => RANGE_TABS.find((candidate) => candidate.preset === props.preset) ?? RANGE_TABS[1];
  const series = createAsyncStore(() => getSeries(props.preset, tab()?.bucket ?? 'day'), { reconcile: { key: 'key' } });
  return (
    <Show when={series()}>
      {(value) => (
        <Show when={value().series.length > 0} fallback={<p class="state" data-state="empty">No usage in this range.</p>}>
          <CostChart series={value()} label={`Cost per ${value().bucket} by model, stacked, ${tab()?.label ?? ''}`} />
        </Show>
      )}
    </Show>
  );
}

function Breakdown(props: { preset: RangePreset; groupBy: GroupByField }) {
  const breakdown = createAsyncStore(() => getBreakdown(props.preset, props.groupBy), { reconcile: { key: 'key' } });
  return (
    <Show when={breakdown()}>
      {(value) => (
        <Show when={value().rows.length > 0} fallback={<p class="state" data-state="empty">No usage in this range.</p>}>
          <BreakdownTable rows={value().rows} totalRows={value().totalRows} caption={`Cost by ${props.groupBy}`} />
        </Show>
      )}
    </Show>
  );
}

function Budgets() {
  const budgets = createAsyncStore(() => getBudgets(), { reconcile: { key: 'id' } });
  return <Show when={budgets()}>{(value) => <BudgetsPanel budgets={value().budgets} timeZone={value().timeZone} recentAlerts={value().recentAlerts} />}</Show>;
}

function Tabs<T extends string>(props: { label: string; tabs: ReadonlyArray<{ value: T; label: string }>; selected: T; onSelect: (value: T) => void }) {
  return (
    <div class="tabs" role="tablist" aria-label={props.label}>
      <For each={props.tabs}>
        {(tab) => (
          <button type="button" role="tab" class="tab" aria-selected={props.selected === tab.value} onClick={() => props.onSelect(tab.value)}>
            {tab.label}
          </button>
        )}
      </For>
    </div>
  );
}

export default function CostsPage() {
  const [preset, setPreset] = createSignal<RangePreset>('7d');
  const [groupBy, setGroupBy] = createSignal<GroupByField>('model');
  refetchOnUsage(refreshAll);
  return (
    <section class="page costs-page" aria-labelledby="costs-title">
      <div class="page-header">
        <div>
          <h1 id="costs-title">Costs</h1>
          <p class="page-intro">What the fleet costs, by model, agent, task and gateway — exact to the nano-dollar, live as tokens arrive.</p>
        </div>
      </div>
      <section aria-label="Cost summary" class="cost-summary">
        <Section label="summary" retryKey={getSummary.key}>
          <Summary />
        </Section>
      </section>
      <section class="card" aria-labelledby="chart-title">
        <div class="card-head">
          <h2 id="chart-title">Cost over time</h2>
          <Tabs label="Range" tabs={RANGE_TABS.map((tab) => ({ value: tab.preset, label: tab.label }))} selected={preset()} onSelect={setPreset} />
        </div>
        <Section label="chart" retryKey={getSeries.key}>
          <Chart preset={preset()} />
        </Section>
      </section>
      <section class="card" aria-labelledby="breakdown-title">
        <div class="card-head">
          <h2 id="breakdown-title">Breakdown</h2>
          <Tabs label="Group by" tabs={BREAKDOWN_TABS.map((tab) => ({ value: tab.groupBy, label: tab.label }))} selected={groupBy()} onSelect={setGroupBy} />
        </div>
        <Section label="breakdown" retryKey={getBreakdown.key}>
          <Breakdown preset={preset()} groupBy={groupBy()} />
        </Section>
      </section>
      <Section label="budgets" retryKey={getBudgets.key}>
        <Budgets />
      </Section>
    </section>
  );
}
