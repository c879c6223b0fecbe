// parseCodexJsonl: `codex exec --json` events → one aggregated UsageRecord per turn (TELEMETRY.md §4).
// turn.completed usage is the thread's running total, so records are deltas kept per thread_id.

import { type Clock, stampNow } from './clock-stamp.ts';
import {
  isJsonObject,
  type JsonObject,
  parseJsonLine,
  readNonEmptyString,
  readObject,
  readString,
  readTimestamp,
  splitPushedLines,
} from './json-line.ts';
import { MAX_RECORD_ID_LENGTH, shortHash } from './record-id.ts';
import { readTokenCount } from './token-count.ts';
import { type Billing, createUsageRecord, hasTokens, type TokenCounts, toBilling, type UsageRecord } from './usage-record.ts';
import { createUsageTotals, type UsageTotals } from './usage-totals.ts';

/** Raw cumulative usage of a thread (OpenAI convention: cached and cache writes are inside input). */
export type CodexUsageTotals = {
  input_tokens: number;
  cached_input_tokens: number;
  cache_write_input_tokens: number;
  output_tokens: number;
  reasoning_output_tokens: number;
};

export type CodexJsonlOptions = {
  /** Resolved by the SDK from -m, -c model=, the profile, config.toml; null/absent → "unknown" (unpriced). */
  model?: string | null;
  billing?: Billing;
  /** The first run is `codex exec resume`: without a baseline its first total only sets `before`. */
  resumed?: boolean;
  /** Per thread id: the `summary.lastTotals` persisted after the previous run. */
  baselines?: Record<string, Partial<CodexUsageTotals>> | null;
  clock?: Clock;
};

export type CodexJsonlSummary = {
  sessionIds: string[];
  billing: Billing;
  model: string;
  lines: { total: number; malformed: number };
  turns: { started: number; completed: number; failed: number; skippedUnknownBaseline: number };
  lastTotals: Record<string, CodexUsageTotals>;
  errors: string[];
  totals: UsageTotals;
};

export type CodexJsonlParser = {
  push(line: string): UsageRecord[];
  end(): UsageRecord[];
  summary(): CodexJsonlSummary;
};

const UNKNOWN_THREAD = 'unknown';

function readCodexUsage(usage: JsonObject): CodexUsageTotals {
  const cacheWriteKey = Object.hasOwn(usage, 'cache_write_input_tokens') ? 'cache_write_input_tokens' : 'cache_creation_input_tokens';
  return {
    input_tokens: readTokenCount(usage, 'input_tokens'),
    cached_input_tokens: readTokenCount(usage, 'cached_input_tokens'),
    cache_write_input_tokens: readTokenCount(usage, cacheWriteKey),
    output_tokens: readTokenCount(usage, 'output_tokens'),
    reasoning_output_tokens: readTokenCount(usage, 'reasoning_output_tokens'),
  };
}

const ZERO_TOTALS: CodexUsageTotals = readCodexUsage({});

/** Turn tokens from two running totals; cached and cache writes are carved out of input, never added. */
function turnTokens(now: CodexUsageTotals, before: CodexUsageTotals): { tokens: TokenCounts; reasoningTokens: number } {
  const input = Math.max(0, now.input_tokens - before.input_tokens);
  const cached = Math.max(0, now.cached_input_tokens - before.cached_input_tokens);
  const cacheWrite = Math.max(0, now.cache_write_input_tokens - before.cache_write_input_tokens);
  const output = Math.max(0, now.output_tokens - before.output_tokens);
  const reasoning = Math.max(0, now.reasoning_output_tokens - before.reasoning_output_tokens);
  const cacheReadTokens = Math.min(cached, input);
  const cacheWriteTokens = Math.min(cacheWrite, input - cacheReadTokens);
  return {
    tokens: {
      inputTokens: input - cacheReadTokens - cacheWriteTokens,
      outputTokens: output,
      cacheReadTokens,
      cacheWriteTokens,
      cacheWrite1hTokens: 0,
    },
    reasoningTokens: Math.min(reasoning, output),
  };
}

/** `cx:<thread_id>:<cumulative input>:<cumulative output>`: totals grow strictly, so they name the turn. */
function turnId(threadId: string, now: CodexUsageTotals): string {
  const suffix = `:${now.input_tokens}:${now.output_tokens}`;
  const id = `cx:${threadId}${suffix}`;
  return id.length <= MAX_RECORD_ID_LENGTH ? id : `cx:${shortHash(threadId)}${suffix}`;
}

function errorMessage(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  return isJsonObject(value) ? readNonEmptyString(value, 'message') : undefined;
}

export function parseCodexJsonl(options: CodexJsonlOptions = {}): CodexJsonlParser {
  const model = typeof options.model === 'string' && options.model !== '' ? options.model : 'unknown';
  const billing = toBilling(options.billing);
  const baselines = isJsonObject(options.baselines) ? options.baselines : {};
  const clock = options.clock;
  const totals = createUsageTotals();

  // Per thread: the previous running total, or 'unknown' (resumed without baseline: next total only sets it).
  const before = new Map<string, CodexUsageTotals | 'unknown'>();
  const lastTotals = new Map<string, CodexUsageTotals>();
  const sessionIds = new Set<string>();
  let currentThread: string | undefined;
  let firstThreadPending = true;
  const lines = { total: 0, malformed: 0 };
  const turns = { started: 0, completed: 0, failed: 0, skippedUnknownBaseline: 0 };
  const errors: string[] = [];

  function startThread(threadId: string): void {
    sessionIds.add(threadId);
    if (before.has(threadId)) return;
    const baseline = Object.hasOwn(baselines, threadId) ? baselines[threadId] : undefined;
    if (isJsonObject(baseline)) before.set(threadId, readCodexUsage(baseline));
    // `resumed` describes the first run only; later unseen threads are fresh `codex exec` threads.
    else before.set(threadId, options.resumed === true && firstThreadPending ? 'unknown' : ZERO_TOTALS);
    firstThreadPending = false;
  }

  function handleTurnCompleted(line: JsonObject): UsageRecord[] {
    turns.completed += 1;
    const usage = readObject(line, 'usage');
    if (usage === undefined) return [];
    // No thread.started seen: one process = one turn of an unnamed thread.
    const threadId = currentThread ?? UNKNOWN_THREAD;
    startThread(threadId);
    const now = readCodexUsage(usage);
    const previous = before.get(threadId) ?? ZERO_TOTALS;
    before.set(threadId, now);
    lastTotals.set(threadId, now);
    if (previous === 'unknown') {
      turns.skippedUnknownBaseline += 1;
      return [];
    }
    const restarted =
      now.input_tokens < previous.input_tokens ||
      now.cached_input_tokens < previous.cached_input_tokens ||
      now.output_tokens < previous.output_tokens;
    const { tokens, reasoningTokens } = turnTokens(now, restarted ? ZERO_TOTALS : previous);
    if (!hasTokens(tokens)) return [];
    const record = createUsageRecord({
      id: turnId(threadId, now),
      source: 'codex',
      sessionId: threadId,
      model,
      tokens,
      reasoningTokens: Object.hasOwn(usage, 'reasoning_output_tokens') ? reasoningTokens : undefined,
      billing,
      aggregated: true, // a turn spans several API requests: never a long-context tier
      occurredAt: readTimestamp(line, 'timestamp') ?? stampNow(clock),
    });
    totals.add(record);
    return [record];
  }

  function handleLine(line: JsonObject): UsageRecord[] {
    switch (readString(line, 'type')) {
      case 'thread.started': {
        const threadId = readNonEmptyString(line, 'thread_id');
        if (threadId !== undefined) {
          currentThread = threadId;
          startThread(threadId);
        }
        return [];
      }
      case 'turn.started':
        turns.started += 1;
        return [];
      case 'turn.completed':
        return handleTurnCompleted(line);
      case 'turn.failed': {
        // No usage: the failed turn's tokens arrive in the thread's next running total.
        turns.failed += 1;
        const message = errorMessage(line.error);
        errors.push(message === undefined ? 'turn.failed' : `turn.failed: ${message}`);
        return [];
      }
      case 'error': {
        const message = errorMessage(line.message);
        errors.push(message === undefined ? 'error' : `error: ${message}`);
        return [];
      }
      case 'item.completed': {
        const item = readObject(line, 'item');
        if (item !== undefined && readString(item, 'type') === 'error') {
          const message = errorMessage(item.message);
          errors.push(message === undefined ? 'item' : `item: ${message}`);
        }
        return [];
      }
      default:
        return [];
    }
  }

  function push(chunk: string): UsageRecord[] {
    const records: UsageRecord[] = [];
    for (const rawLine of splitPushedLines(chunk)) {
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
    return []; // every record is complete at its turn.completed line
  }

  function summary(): CodexJsonlSummary {
    return {
      sessionIds: [...sessionIds],
      billing,
      model,
      lines: { ...lines },
      turns: { ...turns },
      lastTotals: Object.fromEntries([...lastTotals].map(([threadId, usage]) => [threadId, { ...usage }])),
      errors: [...errors],
      totals: totals.snapshot(),
    };
  }

  return { push, end, summary };
}
