// The one reconciliation rule of TELEMETRY.md §2.3: at each result, per modelUsage key, the cumulative
// delta since the previous result minus the message records already emitted = an aggregated remainder.

import { type CumulativeModelUsage, readModelUsageEntry } from './claude-usage.ts';
import type { JsonObject } from './json-line.ts';
import { normalizeModelId } from './model-id.ts';
import { type TokenCounts, ZERO_TOKENS } from './usage-record.ts';

export type Remainder = {
  /** The modelUsage key, verbatim (also the record's model). */
  modelKey: string;
  tokens: TokenCounts;
  /** costUSD(now) − costUSD(before) in nano-USD; null when the key reports no numeric costUSD. */
  costDeltaNanos: number | null;
};

export type ReconcileOutcome = { kind: 'skipped' } | { kind: 'reconciled'; remainders: Remainder[] };

export type Reconciler = {
  /** A message record emitted since the previous result (it joins the pool of its normalized model). */
  addMessage(model: string, tokens: TokenCounts): void;
  reconcile(modelUsage: JsonObject): ReconcileOutcome;
  /** `conversation_reset` (/clear): the running totals restart at zero. */
  resetBaseline(): void;
};

export type ReconcilerOptions = {
  /** modelUsage of the last result seen in an earlier run of this session (§2.4). */
  baseline: JsonObject | undefined;
  /** Resumed without a baseline: the first result only sets `before` (reconcileSkipped). */
  skipFirstResult: boolean;
};

const ZERO_USAGE: CumulativeModelUsage = { ...ZERO_TOKENS, costNanos: null };

function readModelUsage(modelUsage: JsonObject): Map<string, CumulativeModelUsage> {
  return new Map(Object.entries(modelUsage).map(([key, entry]) => [key, readModelUsageEntry(entry)]));
}

function decreased(now: CumulativeModelUsage, before: CumulativeModelUsage): boolean {
  return (
    now.inputTokens < before.inputTokens ||
    now.outputTokens < before.outputTokens ||
    now.cacheReadTokens < before.cacheReadTokens ||
    now.cacheWriteTokens < before.cacheWriteTokens ||
    (now.costNanos !== null && before.costNanos !== null && now.costNanos < before.costNanos)
  );
}

function subtractFloor(a: TokenCounts, b: TokenCounts): TokenCounts {
  return {
    inputTokens: Math.max(0, a.inputTokens - b.inputTokens),
    outputTokens: Math.max(0, a.outputTokens - b.outputTokens),
    cacheReadTokens: Math.max(0, a.cacheReadTokens - b.cacheReadTokens),
    cacheWriteTokens: Math.max(0, a.cacheWriteTokens - b.cacheWriteTokens),
    cacheWrite1hTokens: Math.max(0, a.cacheWrite1hTokens - b.cacheWrite1hTokens),
  };
}

export function createReconciler(options: ReconcilerOptions): Reconciler {
  let before = options.baseline === undefined ? new Map<string, CumulativeModelUsage>() : readModelUsage(options.baseline);
  let skipNextResult = options.skipFirstResult && options.baseline === undefined;
  // Message tokens since the previous result, summed per normalized model id.
  let pool = new Map<string, TokenCounts>();

  function addMessage(model: string, tokens: TokenCounts): void {
    const id = normalizeModelId(model);
    const sum = pool.get(id) ?? { ...ZERO_TOKENS };
    sum.inputTokens += tokens.inputTokens;
    sum.outputTokens += tokens.outputTokens;
    sum.cacheReadTokens += tokens.cacheReadTokens;
    sum.cacheWriteTokens += tokens.cacheWriteTokens;
    sum.cacheWrite1hTokens += tokens.cacheWrite1hTokens;
    pool.set(id, sum);
  }

  function reconcile(modelUsage: JsonObject): ReconcileOutcome {
    const now = readModelUsage(modelUsage);
    const previous = before;
    const available = pool;
    // Step 6: keys missing from this result restart at zero.
    before = now;
    pool = new Map();
    if (skipNextResult) {
      skipNextResult = false;
      return { kind: 'skipped' };
    }
    const remainders: Remainder[] = [];
    for (const [modelKey, current] of now) {
      let base = previous.get(modelKey) ?? ZERO_USAGE;
      if (decreased(current, base)) base = ZERO_USAGE; // totals restarted (crash, /clear we did not see)
      const delta = subtractFloor(current, base);
      const poolId = normalizeModelId(modelKey);
      const poolTokens = available.get(poolId) ?? ZERO_TOKENS;
      const tokens = subtractFloor(delta, poolTokens);
      tokens.cacheWrite1hTokens = Math.min(tokens.cacheWrite1hTokens, tokens.cacheWriteTokens);
      // Several keys with one normalized id consume the pool in key order.
      available.set(poolId, subtractFloor(poolTokens, delta));
      const costDeltaNanos = current.costNanos === null ? null : current.costNanos - (base.costNanos ?? 0);
      remainders.push({ modelKey, tokens, costDeltaNanos });
    }
    return { kind: 'reconciled', remainders };
  }

  function resetBaseline(): void {
    before = new Map();
  }

  return { addMessage, reconcile, resetBaseline };
}
