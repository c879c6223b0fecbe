// parseClaudeCodeStream: `claude -p --output-format stream-json --verbose` stdout → UsageRecords
// (TELEMETRY.md §2). Incremental and line by line; never throws on input, bad lines are counted.

import { billingFromApiKeySource, type RateLimitInfo, readRateLimitInfo } from './claude-billing.ts';
import { type CompletedMessage, claudeMessageId, createMessageGroups, messageRecord } from './claude-messages.ts';
import { createReconciler, type Remainder } from './claude-reconciliation.ts';
import { readAssistantUsage } from './claude-usage.ts';
import { type Clock, stampNow } from './clock-stamp.ts';
import {
  isJsonObject,
  type JsonObject,
  parseJsonLine,
  readFiniteNumber,
  readNonEmptyString,
  readObject,
  readString,
  readTimestamp,
  splitPushedLines,
} from './json-line.ts';
import { MAX_RECORD_ID_LENGTH, shortHash } from './record-id.ts';
import { createUsageRecord, hasTokens, type UsageRecord } from './usage-record.ts';
import { createUsageTotals, type UsageTotals } from './usage-totals.ts';

/** What the SDK stores per session id from the last `result` line, for the next `--resume` (§2.4). */
export type ClaudeStreamBaseline = {
  modelUsage: Record<string, unknown>;
  totalCostUsd?: number | null;
};

export type ClaudeStreamOptions = {
  /** The run is `--resume` / `--continue` / `--fork-session`: the first result includes earlier runs. */
  resumed?: boolean;
  baseline?: ClaudeStreamBaseline | null;
  /** Stamps occurredAt on lines without a timestamp; without it occurredAt is omitted. */
  clock?: Clock;
};

export type ClaudeResultSummary = {
  subtype: string;
  isError: boolean;
  numTurns?: number;
  totalCostUsd?: number;
};

export type ClaudeStreamSummary = {
  sessionIds: string[];
  billing: UsageRecord['billing'];
  apiKeySource: string | null;
  lines: {
    total: number;
    malformed: number;
    repeatedUsageLines: number;
    lateDuplicates: number;
    synthetic: number;
    emptyUsage: number;
  };
  results: ClaudeResultSummary[];
  reconcileSkipped: number;
  rateLimits: RateLimitInfo[];
  errors: string[];
  totals: UsageTotals;
};

export type ClaudeStreamParser = {
  /** Feeds one line (a chunk of several `\n`-separated lines works too); returns the records it completed. */
  push(line: string): UsageRecord[];
  /** End of input: emits every pending message. */
  end(): UsageRecord[];
  summary(): ClaudeStreamSummary;
  /** modelUsage and total_cost_usd of the last result line seen: the next run's `baseline`. */
  nextBaseline(): ClaudeStreamBaseline | null;
};

/** `cc:r:<result uuid | line<n>>:<modelUsage key>`, the key hashed when the id would exceed 128 chars. */
function reconciliationId(resultRef: string, modelKey: string): string {
  const id = `cc:r:${resultRef}:${modelKey}`;
  if (id.length <= MAX_RECORD_ID_LENGTH) return id;
  const hashedKey = `cc:r:${resultRef}:${shortHash(modelKey)}`;
  return hashedKey.length <= MAX_RECORD_ID_LENGTH ? hashedKey : `cc:r:${shortHash(resultRef)}:${shortHash(modelKey)}`;
}

function resultErrorText(result: JsonObject, subtype: string, isError: boolean): string {
  const errors = Array.isArray(result.errors) ? result.errors.filter((error): error is string => typeof error === 'string') : [];
  return `result:${subtype}${isError ? ' (is_error)' : ''}${errors.length > 0 ? `: ${errors.join('; ')}` : ''}`;
}

export function parseClaudeCodeStream(options: ClaudeStreamOptions = {}): ClaudeStreamParser {
  const clock = options.clock;
  const baselineUsage = isJsonObject(options.baseline?.modelUsage) ? options.baseline.modelUsage : undefined;
  const messages = createMessageGroups();
  const reconciler = createReconciler({ baseline: baselineUsage, skipFirstResult: options.resumed === true });
  const totals = createUsageTotals();

  const sessionIds = new Set<string>();
  let lastSessionId: string | undefined;
  let apiKeySource: string | null = null;
  let rateLimitSeen = false;
  let lineNumber = 0;
  const lines = { total: 0, malformed: 0, repeatedUsageLines: 0, lateDuplicates: 0, synthetic: 0, emptyUsage: 0 };
  const results: ClaudeResultSummary[] = [];
  const rateLimits: RateLimitInfo[] = [];
  const errors: string[] = [];
  let reconcileSkipped = 0;
  let lastResult: ClaudeStreamBaseline | null = null;

  const billing = () => billingFromApiKeySource(apiKeySource, rateLimitSeen);

  function emitMessage(message: CompletedMessage): UsageRecord {
    const record = messageRecord(message, billing());
    reconciler.addMessage(message.model, message.tokens);
    totals.add(record);
    return record;
  }

  function handleAssistant(line: JsonObject, sessionId: string): UsageRecord[] {
    const error = readNonEmptyString(line, 'error');
    if (error !== undefined) errors.push(`assistant:${error}`);
    const assistant = readAssistantUsage(line);
    if (assistant.kind === 'synthetic') {
      lines.synthetic += 1;
      return [];
    }
    if (assistant.kind === 'empty') {
      lines.emptyUsage += 1;
      return [];
    }
    const { message, model, tokens } = assistant;
    const parentToolUseId = readNonEmptyString(line, 'parent_tool_use_id');
    const { outcome, completed } = messages.add({
      key: claudeMessageId({
        messageId: readNonEmptyString(message, 'id'),
        requestId: readNonEmptyString(line, 'requestId'),
        uuid: readNonEmptyString(line, 'uuid'),
        position: lineNumber,
      }),
      chain: parentToolUseId === undefined ? 'main' : `subagent:${parentToolUseId}`,
      model,
      sessionId,
      tokens,
      occurredAt: readTimestamp(line, 'timestamp') ?? stampNow(clock),
      subagent: parentToolUseId,
    });
    if (outcome === 'merged') lines.repeatedUsageLines += 1;
    if (outcome === 'late') lines.lateDuplicates += 1;
    return completed.map(emitMessage);
  }

  function reconciliationRecord(remainder: Remainder, resultRef: string, sessionId: string, occurredAt: string | undefined) {
    return createUsageRecord({
      id: reconciliationId(resultRef, remainder.modelKey),
      source: 'claude-code',
      sessionId,
      model: remainder.modelKey,
      tokens: remainder.tokens,
      costUsd: remainder.costDeltaNanos === null ? undefined : remainder.costDeltaNanos / 1e9,
      billing: billing(),
      aggregated: true,
      occurredAt,
    });
  }

  function handleResult(line: JsonObject, sessionId: string): UsageRecord[] {
    // Pending messages first: they form the pool the reconciliation subtracts.
    const records = messages.flushAll().map(emitMessage);
    const subtype = readNonEmptyString(line, 'subtype') ?? 'unknown';
    const isError = line.is_error === true;
    const numTurns = readFiniteNumber(line, 'num_turns');
    const totalCostUsd = readFiniteNumber(line, 'total_cost_usd');
    results.push({
      subtype,
      isError,
      ...(numTurns !== undefined ? { numTurns } : {}),
      ...(totalCostUsd !== undefined ? { totalCostUsd } : {}),
    });
    if (subtype !== 'success' || isError) errors.push(resultErrorText(line, subtype, isError));

    const modelUsage = readObject(line, 'modelUsage');
    // No modelUsage at all: keep `before` and the pool, the next result covers this turn too.
    if (modelUsage === undefined) return records;
    lastResult = { modelUsage, totalCostUsd: totalCostUsd ?? null };
    const outcome = reconciler.reconcile(modelUsage);
    if (outcome.kind === 'skipped') {
      reconcileSkipped += 1;
      return records;
    }
    const resultRef = readNonEmptyString(line, 'uuid') ?? `line${lineNumber}`;
    const occurredAt = readTimestamp(line, 'timestamp') ?? stampNow(clock);
    for (const remainder of outcome.remainders) {
      // A cost-only record is kept: Σ costUsd must equal the reported total.
      if (!hasTokens(remainder.tokens) && (remainder.costDeltaNanos ?? 0) <= 0) continue;
      const record = reconciliationRecord(remainder, resultRef, sessionId, occurredAt);
      totals.add(record);
      records.push(record);
    }
    return records;
  }

  function handleLine(line: JsonObject): UsageRecord[] {
    const lineSessionId = readNonEmptyString(line, 'session_id');
    if (lineSessionId !== undefined) {
      sessionIds.add(lineSessionId);
      lastSessionId = lineSessionId;
    }
    const sessionId = lineSessionId ?? lastSessionId ?? 'unknown';
    switch (readString(line, 'type')) {
      case 'system':
        if (readString(line, 'subtype') === 'init') apiKeySource = readString(line, 'apiKeySource') ?? apiKeySource;
        return [];
      case 'assistant':
        return handleAssistant(line, sessionId);
      case 'result':
        return handleResult(line, sessionId);
      case 'rate_limit_event': {
        rateLimitSeen = true;
        const info = readObject(line, 'rate_limit_info');
        const rateLimit = info && readRateLimitInfo(info);
        if (rateLimit !== undefined) rateLimits.push(rateLimit);
        return [];
      }
      case 'conversation_reset':
        reconciler.resetBaseline();
        return [];
      default:
        // stream_event repeats the usage the assistant lines carry: never counted. user, unknown: ignored.
        return [];
    }
  }

  function push(chunk: string): UsageRecord[] {
    const records: UsageRecord[] = [];
    for (const rawLine of splitPushedLines(chunk)) {
      lineNumber += 1;
      const parsed = parseJsonLine(rawLine);
      if (parsed.kind === 'blank') continue;
      lines.total += 1;
      if (parsed.kind === 'malformed') {
        lines.malformed += 1;
        continue;
      }
      records.push(...handleLine(parsed.value));
    }
    return records;
  }

  function end(): UsageRecord[] {
    return messages.flushAll().map(emitMessage);
  }

  function summary(): ClaudeStreamSummary {
    return {
      sessionIds: [...sessionIds],
      billing: billing(),
      apiKeySource,
      lines: { ...lines },
      results: results.map((result) => ({ ...result })),
      reconcileSkipped,
      rateLimits: rateLimits.map((rateLimit) => ({ ...rateLimit })),
      errors: [...errors],
      totals: totals.snapshot(),
    };
  }

  function nextBaseline(): ClaudeStreamBaseline | null {
    return lastResult === null ? null : { modelUsage: { ...lastResult.modelUsage }, totalCostUsd: lastResult.totalCostUsd ?? null };
  }

  return { push, end, summary, nextBaseline };
}
