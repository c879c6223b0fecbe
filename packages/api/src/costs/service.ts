// Cost analytics: summary cards, time series, breakdowns, record drill-down and streamed export. Every sum
// reads the hourly rollups (raw records only for partial edge hours), so answers are exact integers of
// nano-USD, converted to USD numbers only in the returned objects.
import { type Database, sqliteDate } from '@mc/db';
import type { AuditService } from '../audit/service.ts';
import type { UserActor } from '../auth/roles.ts';
import type { RequestMeta } from '../auth/service.ts';
import type { Clock } from '../clock.ts';
import { validationFailed } from '../errors.ts';
import type { EventsService } from '../events/service.ts';
import type { SettingsService } from '../settings/service.ts';
import { createUsageRetention } from './usage-retention.ts';
import { nanosToUsd } from '../usage/pricing/money.ts';
import { createRollupWriter } from '../usage/rollups/rollup-writer.ts';
import { createLabelLookup } from './labels.ts';
import { addTotals, createRollupQuery, type Dimension, emptyTotals, type UsageTotals } from './rollup-query.ts';
import {
  type Bucket, type CostFilter, type CostRange, type ExportQuery, type GroupByField, MAX_BUCKETS, type RangePreset,
} from './schema.ts';
import { TIME_ZONE_SETTING, type TimeZoneSetting } from './time-zone-setting.ts';
import { isValidTimeZone } from './zoned-calendar.ts';
import { createUsageRecordReader } from './usage-records.ts';

const HOUR_MS = 3_600_000;

export const DIMENSION_OF: Record<GroupByField, Dimension> = {
  model: 'model', provider: 'provider', agent: 'agentId', task: 'taskId', gateway: 'gatewayId', source: 'source',
};

/** What every table row and card shows, money as USD numbers. */
export function totalsView(totals: UsageTotals) {
  return {
    costUsd: nanosToUsd(totals.costNanos),
    cacheSavedUsd: nanosToUsd(totals.cacheSavedNanos),
    records: totals.records,
    unpricedRecords: totals.unpricedRecords,
    unpricedTokens: Number(totals.unpricedTokens),
    inputTokens: Number(totals.inputTokens),
    outputTokens: Number(totals.outputTokens),
    cacheReadTokens: Number(totals.cacheReadTokens),
    cacheWriteTokens: Number(totals.cacheWriteTokens),
  };
}

export type CostsDeps = {
  database: Database;
  clock: Clock;
  events: EventsService;
  audit: AuditService;
  settings: SettingsService;
  timeZone: TimeZoneSetting;
  priceVersion: () => string;
};

export function createCostsService(deps: CostsDeps) {
  const { database, clock, timeZone } = deps;
  const query = createRollupQuery(database.sqlite);
  const labels = createLabelLookup(database.sqlite);
  const records = createUsageRecordReader(database.sqlite);
  const rollups = createRollupWriter(database.sqlite);
  const retention = createUsageRetention({ database, settings: deps.settings, clock, audit: deps.audit });

  /** Presets end at the end of the current UTC hour: whole hours only, so they read the rollups alone. */
  function presetRange(preset: RangePreset, now: number): { from: number; to: number } {
    const calendar = timeZone.calendar();
    const to = Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS;
    if (preset === 'mtd') return { from: calendar.periodOf('month', now).start, to };
    const days = { today: 1, '7d': 7, '30d': 30, '90d': 90 }[preset];
    let day = calendar.periodOf('day', now);
    for (let i = 1; i < days; i++) day = calendar.periodOf('day', day.start - 1);
    return { from: day.start, to };
  }

  function resolveRange(range: CostRange): { from: number; to: number } {
    if (range.preset !== undefined) return presetRange(range.preset, clock.nowMs());
    return { from: Date.parse(range.from ?? ''), to: Date.parse(range.to ?? '') };
  }

  function bucketStarts(bucket: Bucket, from: number, to: number): number[] {
    const hours = Math.ceil((to - from) / HOUR_MS);
    if (bucket === 'hour') {
      if (hours > MAX_BUCKETS) throw validationFailed(`${hours} hourly buckets are too many (at most ${MAX_BUCKETS}); choose a larger bucket`, [{ path: 'bucket', message: 'too many buckets for this range' }]);
      const starts: number[] = [];
      for (let start = Math.floor(from / HOUR_MS) * HOUR_MS; start < to; start += HOUR_MS) starts.push(start);
      return starts;
    }
    return timeZone.calendar().periodStarts(bucket, from, to);
  }

  function withLabels<T extends { key: string }>(dimension: Dimension, rows: T[]): Array<T & { label: string }> {
    const found = labels.labelsFor(dimension, rows.map((row) => row.key));
    const absent = { agentId: 'No agent', taskId: 'No task', gatewayId: 'Direct (no gateway)', provider: 'Unknown provider', model: 'Unknown model', source: 'Unknown source' }[dimension];
    return rows.map((row) => ({ ...row, label: row.key === '' ? absent : (found.get(row.key) ?? row.key) }));
  }

  function summary() {
    const now = clock.nowMs();
    const card = (preset: RangePreset) => {
      const range = presetRange(preset, now);
      return { range, totals: query.total(range) };
    };
    const today = card('today');
    const last7d = card('7d');
    const last30d = card('30d');
    const monthToDate = card('mtd');
    const month = timeZone.calendar().periodOf('month', now);
    // Projection: month-to-date + the last 7 days' average rate over the rest of the month.
    const remainingMs = BigInt(Math.max(0, month.end - last7d.range.to));
    const rateWindowMs = BigInt(last7d.range.to - last7d.range.from);
    const projectedNanos = monthToDate.totals.costNanos + (last7d.totals.costNanos * remainingMs) / rateWindowMs;
    const view = (c: { range: { from: number; to: number }; totals: UsageTotals }) => ({
      from: new Date(c.range.from).toISOString(), to: new Date(c.range.to).toISOString(), ...totalsView(c.totals),
    });
    return {
      now: new Date(now).toISOString(),
      timeZone: timeZone.timeZone(),
      priceVersion: deps.priceVersion(),
      today: view(today),
      last7d: view(last7d),
      last30d: view(last30d),
      monthToDate: view(monthToDate),
      projectedMonth: { costUsd: nanosToUsd(projectedNanos), monthStart: new Date(month.start).toISOString(), monthEnd: new Date(month.end).toISOString() },
    };
  }

  function timeseries(input: { range: CostRange; bucket: Bucket; groupBy: GroupByField | 'none'; series: number }) {
    const { from, to } = resolveRange(input.range);
    const starts = bucketStarts(input.bucket, from, to);
    if (starts.length > MAX_BUCKETS) throw validationFailed(`${starts.length} buckets are too many (at most ${MAX_BUCKETS}); choose a larger bucket`, [{ path: 'bucket', message: 'too many buckets for this range' }]);
    const dimension = input.groupBy === 'none' ? null : DIMENSION_OF[input.groupBy];
    const rows = query.aggregate({ from, to, groupBy: dimension ? [dimension] : [], byHour: true, byDay: input.bucket !== 'hour' });
    // Each hour goes to the bucket containing its start (an edge hour's raw part is clamped into range).
    const bucketOf = (hourStart: string) => {
      const ms = Date.parse(hourStart);
      let low = 0;
      let high = starts.length - 1;
      while (low < high) {
        const middle = (low + high + 1) >> 1;
        if ((starts[middle] ?? 0) <= ms) low = middle;
        else high = middle - 1;
      }
      return low;
    };
    const byKey = new Map<string, { total: UsageTotals; buckets: bigint[]; unpriced: number[] }>();
    for (const row of rows) {
      const key = row.keys[0] ?? 'all';
      let entry = byKey.get(key);
      if (!entry) {
        entry = { total: emptyTotals(), buckets: starts.map(() => 0n), unpriced: starts.map(() => 0) };
        byKey.set(key, entry);
      }
      const index = bucketOf(row.hourStart ?? '');
      entry.buckets[index] = (entry.buckets[index] ?? 0n) + row.totals.costNanos;
      entry.unpriced[index] = (entry.unpriced[index] ?? 0) + row.totals.unpricedRecords;
      addTotals(entry.total, row.totals);
    }
    const ranked = [...byKey.entries()].sort((a, b) => (b[1].total.costNanos > a[1].total.costNanos ? 1 : b[1].total.costNanos < a[1].total.costNanos ? -1 : a[0].localeCompare(b[0])));
    const kept = ranked.slice(0, input.series);
    const rest = ranked.slice(input.series);
    const series = kept.map(([key, entry]) => ({ key, costs: entry.buckets, unpriced: entry.unpriced, total: entry.total }));
    if (rest.length > 0) {
      const other = { key: '(other)', costs: starts.map(() => 0n), unpriced: starts.map(() => 0), total: emptyTotals() };
      for (const [, entry] of rest) {
        entry.buckets.forEach((nanos, i) => { other.costs[i] = (other.costs[i] ?? 0n) + nanos; });
        entry.unpriced.forEach((count, i) => { other.unpriced[i] = (other.unpriced[i] ?? 0) + count; });
        addTotals(other.total, entry.total);
      }
      series.push(other);
    }
    const labelled = dimension ? withLabels(dimension, series) : series.map((s) => ({ ...s, label: 'All usage' }));
    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      bucket: input.bucket,
      timeZone: timeZone.timeZone(),
      buckets: starts.map((start) => new Date(start).toISOString()),
      series: labelled.map((s) => ({
        key: s.key, label: s.key === '(other)' ? `Other (${rest.length})` : s.label,
        costUsd: s.costs.map(nanosToUsd), unpricedRecords: s.unpriced, totalCostUsd: nanosToUsd(s.total.costNanos),
      })),
    };
  }

  function breakdown(input: { range: CostRange; groupBy: GroupByField; limit: number }) {
    const { from, to } = resolveRange(input.range);
    const dimension = DIMENSION_OF[input.groupBy];
    const { rows, groups, total } = query.top({ from, to, dimension, limit: input.limit });
    const kept = withLabels(dimension, rows.map((row) => ({ key: row.keys[0] ?? '', totals: row.totals })));
    return {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      groupBy: input.groupBy,
      totalRows: groups,
      total: totalsView(total),
      rows: kept.map((row) => ({ key: row.key, label: row.label, ...totalsView(row.totals) })),
    };
  }

  function listRecords(input: { range: CostRange; filter: CostFilter; cursor?: string | undefined; limit: number }) {
    const { from, to } = resolveRange(input.range);
    return records.page({ from, to, filter: input.filter, cursor: input.cursor, limit: input.limit });
  }

  /** CSV or JSON text chunks of every record in the range, read in keyset pages (never one long cursor). */
  function exportRecords(input: ExportQuery): { contentType: string; filename: string; chunks: AsyncIterable<string> } {
    const from = Date.parse(input.from);
    const to = Date.parse(input.to);
    const filter: CostFilter = { agentId: input.agentId, model: input.model, taskId: input.taskId, gatewayId: input.gatewayId, source: input.source };
    const stamp = `${new Date(from).toISOString().slice(0, 10)}_${new Date(to).toISOString().slice(0, 10)}`;
    return {
      contentType: input.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      filename: `usage_${stamp}.${input.format}`,
      chunks: records.exportChunks({ from, to, filter, format: input.format }),
    };
  }

  /** New zone: setting, calendar and every local-day slice change in one write transaction (budget spends are dropped). */
  async function setTimeZone(actor: UserActor, value: string, meta: RequestMeta) {
    if (!isValidTimeZone(value)) throw validationFailed(`timeZone: ${value} is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`, [{ path: 'timeZone', message: 'unknown time zone' }]);
    const previous = timeZone.timeZone();
    await database.rawTransaction((sqlite) => {
      sqlite
        .prepare(`INSERT INTO "Setting" (key, value, updatedAt) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updatedAt = excluded.updatedAt`)
        .run(TIME_ZONE_SETTING, JSON.stringify(value), sqliteDate(clock.now()));
      timeZone.changed(value);
      rollups.rebuildAllDays();
    });
    await deps.audit.record({ actor, action: 'costs.timeZone.changed', targetType: 'setting', targetId: TIME_ZONE_SETTING, ip: meta.ip, details: { from: previous, to: value } });
    return { timeZone: value };
  }

  return {
    summary, timeseries, breakdown, records: listRecords, exportRecords, setTimeZone, resolveRange, query,
    detailRetention: retention.get, setDetailRetention: retention.set, pruneUsageDetail: retention.prune,
  };
}

export type CostsService = ReturnType<typeof createCostsService>;
