// Cost page data: queries (router cache), inferred output types, USD formatting.
import { query } from '@solidjs/router';
import { type QueryOutput, trpc } from '../lib/trpc';

type Client = typeof trpc;
type BreakdownInput = Parameters<Client['costs']['breakdown']['query']>[0];
export type GroupByField = BreakdownInput['groupBy'];
export type RangePreset = NonNullable<BreakdownInput['range']['preset']>;
export type CostSummary = QueryOutput<Client['costs']['summary']>;
export type CostSeries = QueryOutput<Client['costs']['timeseries']>;
export type CostBreakdown = QueryOutput<Client['costs']['breakdown']>;
export type BreakdownRow = CostBreakdown['rows'][number];
export type BudgetList = QueryOutput<Client['budgets']['list']>;
export type BudgetRow = BudgetList['budgets'][number];

export const RANGE_TABS: ReadonlyArray<{ preset: RangePreset; label: string; bucket: 'hour' | 'day' }> = [
  { preset: 'today', label: 'Today', bucket: 'hour' },
  { preset: '7d', label: '7 days', bucket: 'day' },
  { preset: '30d', label: '30 days', bucket: 'day' },
  { preset: 'mtd', label: 'Month to date', bucket: 'day' },
];

export const BREAKDOWN_TABS: ReadonlyArray<{ groupBy: GroupByField; label: string }> = [
  { groupBy: 'model', label: 'Model' },
  { groupBy: 'agent', label: 'Agent' },
  { groupBy: 'task', label: 'Task' },
  { groupBy: 'gateway', label: 'Gateway' },
  { groupBy: 'provider', label: 'Provider' },
  { groupBy: 'source', label: 'Source' },
];

export const getSummary = query(() => trpc.costs.summary.query(), 'costs.summary');
export const getSeries = query(
  (preset: RangePreset, bucket: 'hour' | 'day') => trpc.costs.timeseries.query({ range: { preset }, bucket, groupBy: 'model', series: 8 }),
  'costs.timeseries',
);
export const getBreakdown = query(
  (preset: RangePreset, groupBy: GroupByField) => trpc.costs.breakdown.query({ range: { preset }, groupBy, limit: 200 }),
  'costs.breakdown',
);
export const getBudgets = query(() => trpc.budgets.list.query(), 'budgets.list');

const wholeDollars = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const cents = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4 });
const counts = new Intl.NumberFormat('en-US');
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** $1,234.56 from a dollar up; sub-dollar amounts keep up to 4 decimals so small spend is not "$0.00". */
export function formatUsd(usd: number): string {
  return Math.abs(usd) >= 1 || usd === 0 ? wholeDollars.format(usd) : cents.format(usd);
}
export const formatCount = (value: number) => counts.format(value);
export const formatTokens = (value: number) => (value >= 100_000 ? compact.format(value) : counts.format(value));
