// Prices in force: the pinned table plus admin overrides (LiteLLM fields), each change a new price version
// "<pinned>+o<n>" stamped on new records. Old records keep their version until an admin re-prices them:
// preview (diff of total cost) then apply, in one transaction that also rebuilds the affected rollups.
import { randomUUID } from 'node:crypto';
import { type Database, sqliteDate } from '@mc/db';
import type { AuditService } from '../audit/service.ts';
import { actorLabel, type UserActor } from '../auth/roles.ts';
import type { RequestMeta } from '../auth/service.ts';
import type { Clock } from '../clock.ts';
import type { RollupQuery } from '../costs/rollup-query.ts';
import type { CostRange } from '../costs/schema.ts';
import { notFound, validationFailed } from '../errors.ts';
import type { EventsService } from '../events/service.ts';
import type { Logger } from '../logger.ts';
import { cacheSavedNanos, priceUsage } from '../usage/pricing/cost.ts';
import pinnedPrices from '../usage/pricing/models.json' with { type: 'json' };
import { nanosToUsd } from '../usage/pricing/money.ts';
import { loadPriceTable, PRICE_FIELDS, type PriceTable, PriceTableError } from '../usage/pricing/price-table.ts';
import { resolveModel } from '../usage/pricing/model-resolution.ts';
import { createRollupWriter, hourStartText } from '../usage/rollups/rollup-writer.ts';
import type { PriceEntry, RepriceInput } from './schema.ts';

type PricesJson = { version: string; aliases: Record<string, string>; models: Record<string, Record<string, unknown>> };
const pinnedJson = pinnedPrices as unknown as PricesJson;

export type PricesDeps = {
  database: Database;
  clock: Clock;
  events: EventsService;
  audit: AuditService;
  log: Logger;
  query: RollupQuery;
  resolveRange: (range: CostRange) => { from: number; to: number };
  /** Inside the re-pricing transaction, after the rollups were rebuilt (budgets drop their running spend). */
  onRepriced: (sqlite: Database['sqlite']) => void;
};

/** The pinned table plus `overrides`, validated as a whole (throws PriceTableError). */
export function mergePriceTable(overrides: Record<string, Record<string, unknown>>, version: string): PriceTable {
  const table = loadPriceTable({ ...pinnedJson, models: { ...pinnedJson.models, ...overrides } });
  return { ...table, version };
}

const nanosPerTokenToUsdPerMTok = (nanos: bigint) => Number(nanos) / 1000;

export function createPricesService(deps: PricesDeps) {
  const { database, clock, events, audit } = deps;
  const sqlite = database.sqlite;
  const readOverrides = sqlite.prepare(`SELECT model, entry FROM "PriceOverride" ORDER BY model`);
  const latestVersion = sqlite.prepare(`SELECT id, version, baseVersion, overrides FROM "PriceTableVersion" ORDER BY id DESC LIMIT 1`);
  const insertVersion = sqlite.prepare(`INSERT INTO "PriceTableVersion" (version, baseVersion, overrides, reason, createdById, createdAt) VALUES (?, ?, ?, ?, ?, ?)`);
  const rollups = createRollupWriter(sqlite);

  let overrides: Record<string, Record<string, unknown>> = {};
  let table: PriceTable = mergePriceTable({}, pinnedJson.version);

  function nextVersion(): string {
    const latest = latestVersion.get() as { id: number } | undefined;
    return `${pinnedJson.version}+o${(latest?.id ?? 0) + 1}`;
  }

  /** Startup: overrides from the DB; a new version row when the pinned table changed under them. */
  function load(): void {
    const rows = readOverrides.all() as { model: string; entry: string }[];
    overrides = Object.fromEntries(rows.map((row) => [row.model, JSON.parse(row.entry) as Record<string, unknown>]));
    if (rows.length === 0) {
      table = mergePriceTable({}, pinnedJson.version);
      return;
    }
    const latest = latestVersion.get() as { version: string; baseVersion: string; overrides: string } | undefined;
    const snapshot = JSON.stringify(overrides);
    let version = latest?.version ?? '';
    try {
      if (!latest || latest.baseVersion !== pinnedJson.version || latest.overrides !== snapshot) {
        version = nextVersion();
        const candidate = mergePriceTable(overrides, version);
        insertVersion.run(version, pinnedJson.version, snapshot, 'pinned table changed', null, sqliteDate(clock.now()));
        table = candidate;
      } else {
        table = mergePriceTable(overrides, version);
      }
    } catch (error) {
      // Overrides that clash with a newer pinned table must not stop the server: price with the pinned one.
      deps.log.error({ err: error }, 'price overrides are invalid against the pinned table; using the pinned table alone');
      table = mergePriceTable({}, pinnedJson.version);
    }
  }
  load();

  function list() {
    const models = new Set([...Object.keys(pinnedJson.models), ...Object.keys(overrides)]);
    return {
      version: table.version,
      pinnedVersion: pinnedJson.version,
      overrides: Object.keys(overrides).length,
      models: [...models].sort().map((model) => {
        const price = table.models.get(model);
        const entry = overrides[model] ?? pinnedJson.models[model] ?? {};
        return {
          model,
          source: model in overrides ? (model in pinnedJson.models ? ('override' as const) : ('added' as const)) : ('pinned' as const),
          provider: typeof entry.litellm_provider === 'string' ? entry.litellm_provider : null,
          entry,
          perMillionUsd: Object.fromEntries(
            PRICE_FIELDS.map((field) => {
              const tiered = price?.prices[field];
              return [field, tiered?.baseNanos == null ? null : nanosPerTokenToUsdPerMTok(tiered.baseNanos)];
            }),
          ) as Record<(typeof PRICE_FIELDS)[number], number | null>,
          tiers: price?.tierThresholds.map((tier) => tier.label) ?? [],
        };
      }),
      aliases: Object.keys(pinnedJson.aliases).length,
    };
  }

  function unpriced(input: { range: CostRange }) {
    const range = deps.resolveRange(input.range);
    const rows = deps.query.aggregate({ ...range, groupBy: ['model'] }).filter((row) => row.totals.unpricedRecords > 0);
    rows.sort((a, b) => Number(b.totals.unpricedTokens - a.totals.unpricedTokens));
    return rows.map((row) => {
      const model = row.keys[0] ?? '';
      const resolved = resolveModel(table, model);
      return { model, records: row.totals.unpricedRecords, tokens: Number(row.totals.unpricedTokens), pricedNow: resolved !== null, resolvesTo: resolved };
    });
  }

  async function changeOverrides(actor: UserActor, next: Record<string, Record<string, unknown>>, action: string, model: string, meta: RequestMeta) {
    // Without overrides the prices are the pinned table's, and so is the version.
    const empty = Object.keys(next).length === 0;
    const version = empty ? pinnedJson.version : nextVersion();
    let candidate: PriceTable;
    try {
      candidate = mergePriceTable(next, version);
    } catch (error) {
      if (error instanceof PriceTableError) throw validationFailed(error.issues[0] ?? 'invalid price entry', error.issues.map((message) => ({ path: `entry`, message })));
      throw error;
    }
    const now = clock.now();
    await events.transaction(async (tx, emit) => {
      if (next[model]) {
        const entry = JSON.stringify(next[model]);
        await tx.priceOverride.upsert({ where: { model }, create: { model, entry, createdById: actor.userId, createdAt: now, updatedAt: now }, update: { entry, updatedAt: now } });
      } else {
        await tx.priceOverride.delete({ where: { model } });
      }
      if (!empty) await tx.priceTableVersion.create({ data: { version, baseVersion: pinnedJson.version, overrides: JSON.stringify(next), reason: `${action} ${model}`, createdById: actor.userId, createdAt: now } });
      await audit.record({ actor, action: `prices.${action}`, targetType: 'model', targetId: model, ip: meta.ip, details: { version, entry: next[model] ?? null } }, tx);
      await emit({ type: 'prices.updated', payload: { version, model, action } });
    });
    overrides = next;
    table = candidate;
    return { version: table.version, model };
  }

  async function setOverride(actor: UserActor, model: string, entry: PriceEntry, meta: RequestMeta) {
    return changeOverrides(actor, { ...overrides, [model]: entry }, 'override.set', model, meta);
  }

  async function removeOverride(actor: UserActor, model: string, meta: RequestMeta) {
    if (!(model in overrides)) throw notFound(`No price override for ${model}`);
    const { [model]: _removed, ...rest } = overrides;
    return changeOverrides(actor, rest, 'override.removed', model, meta);
  }

  type Repriced = { id: bigint; hour: string; costNanos: bigint | null; savedNanos: bigint | null; resolvedModel: string | null; tier: string | null };

  /** Every record in range (and model filter) priced with the current table; what would change. */
  function computeReprice(input: RepriceInput, range: { from: number; to: number }) {
    const models = input.models;
    const filter = models.length > 0 ? `AND (model IN (${models.map(() => '?').join(', ')}) OR resolvedModel IN (${models.map(() => '?').join(', ')}))` : '';
    const rows = sqlite
      .prepare(`SELECT id, occurredAt, model, resolvedModel, inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, cacheWrite1hTokens, aggregated,
        costNanos, cacheSavedNanos, tier, priceVersion FROM "UsageRecord" WHERE occurredAt >= ? AND occurredAt < ? ${filter}`)
      .safeIntegers(true)
      .iterate(sqliteDate(new Date(range.from)), sqliteDate(new Date(range.to)), ...models, ...models) as IterableIterator<Record<string, unknown>>;
    const changed: Repriced[] = [];
    const byModel = new Map<string, { records: number; oldNanos: bigint; newNanos: bigint }>();
    let records = 0;
    let oldTotal = 0n;
    let newTotal = 0n;
    let newlyPriced = 0;
    let newlyUnpriced = 0;
    for (const row of rows) {
      records += 1;
      const usage = {
        model: String(row.model), inputTokens: Number(row.inputTokens), outputTokens: Number(row.outputTokens), cacheReadTokens: Number(row.cacheReadTokens),
        cacheWriteTokens: Number(row.cacheWriteTokens), cacheWrite1hTokens: Number(row.cacheWrite1hTokens), aggregated: row.aggregated === 1n,
      };
      const price = priceUsage(table, usage);
      const saved = cacheSavedNanos(table, usage, price);
      const oldCost = row.costNanos as bigint | null;
      oldTotal += oldCost ?? 0n;
      newTotal += price.costNanos ?? 0n;
      const key = price.resolvedModel ?? (row.resolvedModel as string | null) ?? usage.model;
      const entry = byModel.get(key) ?? { records: 0, oldNanos: 0n, newNanos: 0n };
      entry.records += 1;
      entry.oldNanos += oldCost ?? 0n;
      entry.newNanos += price.costNanos ?? 0n;
      byModel.set(key, entry);
      if (oldCost === null && price.costNanos !== null) newlyPriced += 1;
      if (oldCost !== null && price.costNanos === null) newlyUnpriced += 1;
      const differs = oldCost !== price.costNanos || row.cacheSavedNanos !== saved || row.resolvedModel !== price.resolvedModel || row.tier !== price.tier || row.priceVersion !== table.version;
      if (differs) changed.push({ id: row.id as bigint, hour: hourStartText(new Date(String(row.occurredAt))), costNanos: price.costNanos, savedNanos: saved, resolvedModel: price.resolvedModel, tier: price.tier });
    }
    const costChanged = (m: { oldNanos: bigint; newNanos: bigint }) => m.oldNanos !== m.newNanos;
    return {
      changed,
      summary: {
        version: table.version,
        from: new Date(range.from).toISOString(),
        to: new Date(range.to).toISOString(),
        models,
        records,
        restampedRecords: changed.length,
        newlyPriced,
        newlyUnpriced,
        oldCostUsd: nanosToUsd(oldTotal),
        newCostUsd: nanosToUsd(newTotal),
        differenceUsd: nanosToUsd(newTotal - oldTotal),
        byModel: [...byModel.entries()]
          .filter(([, m]) => costChanged(m))
          .map(([model, m]) => ({ model, records: m.records, oldCostUsd: nanosToUsd(m.oldNanos), newCostUsd: nanosToUsd(m.newNanos), differenceUsd: nanosToUsd(m.newNanos - m.oldNanos) })),
      },
      oldTotal,
      newTotal,
    };
  }

  function previewReprice(input: RepriceInput) {
    return computeReprice(input, deps.resolveRange(input.range)).summary;
  }

  /** Re-prices the chosen records with the current table; rollups of touched hours rebuilt; audited. */
  async function applyReprice(actor: UserActor, input: RepriceInput, meta: RequestMeta) {
    const range = deps.resolveRange(input.range);
    const now = clock.now();
    const runId = randomUUID();
    const { summary, emitted } = await database.rawTransaction(() => {
      const result = computeReprice(input, range);
      const update = sqlite.prepare(`UPDATE "UsageRecord" SET costNanos = ?, cacheSavedNanos = ?, resolvedModel = ?, tier = ?, priceVersion = ? WHERE id = ?`);
      const hours = new Set<string>();
      for (const record of result.changed) {
        update.run(record.costNanos, record.savedNanos, record.resolvedModel, record.tier, table.version, record.id);
        hours.add(record.hour);
      }
      rollups.rebuildHours(hours);
      deps.onRepriced(sqlite);
      const changedCost = result.summary.byModel.length;
      sqlite
        .prepare(`INSERT INTO "RepricingRun" (id, fromAt, toAt, models, toVersion, records, changedRecords, newlyPriced, oldCostNanos, newCostNanos, actorId, actorName, createdAt)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(runId, sqliteDate(new Date(range.from)), sqliteDate(new Date(range.to)), JSON.stringify(input.models), table.version, result.summary.records,
          result.changed.length, result.summary.newlyPriced, result.oldTotal, result.newTotal, actor.userId, actor.username, sqliteDate(now));
      const label = actorLabel(actor);
      sqlite
        .prepare(`INSERT INTO "AuditLog" (at, actorType, actorId, actorName, action, targetType, targetId, ip, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(sqliteDate(now), label.actorType, label.actorId, label.actorName, 'prices.repriced', 'repricingRun', runId, meta.ip ?? null,
          JSON.stringify({ ...result.summary, byModel: undefined, modelsChanged: changedCost }));
      const event = events.recordRaw(sqlite, { type: 'prices.repriced', payload: { runId, ...result.summary, byModel: undefined }, minRole: 'viewer' });
      return { summary: result.summary, emitted: [event] };
    });
    events.publish(emitted);
    return { runId, ...summary };
  }

  function recentRuns() {
    return (sqlite.prepare(`SELECT id, fromAt, toAt, models, toVersion, records, changedRecords, newlyPriced, oldCostNanos, newCostNanos, actorName, createdAt
      FROM "RepricingRun" ORDER BY createdAt DESC LIMIT 20`).safeIntegers(true).all() as Record<string, unknown>[]).map((row) => ({
      id: String(row.id), from: new Date(String(row.fromAt)).toISOString(), to: new Date(String(row.toAt)).toISOString(), models: JSON.parse(String(row.models)) as string[],
      toVersion: String(row.toVersion), records: Number(row.records), changedRecords: Number(row.changedRecords), newlyPriced: Number(row.newlyPriced),
      oldCostUsd: nanosToUsd(row.oldCostNanos as bigint), newCostUsd: nanosToUsd(row.newCostNanos as bigint), actorName: row.actorName === null ? null : String(row.actorName),
      at: new Date(String(row.createdAt)).toISOString(),
    }));
  }

  return { currentTable: () => table, list, unpriced, setOverride, removeOverride, previewReprice, applyReprice, recentRuns };
}

export type PricesService = ReturnType<typeof createPricesService>;
