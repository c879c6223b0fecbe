// Reads Claude token usage into normalized counts (TELEMETRY.md §1 table): a message's `usage` object
// (snake_case, per API request) and a result's `modelUsage` entry (camelCase, cumulative, with costUSD).

import type { JsonObject } from './json-line.ts';
import { isJsonObject, readNonEmptyString, readObject } from './json-line.ts';
import { readTokenCount, usdToNanos } from './token-count.ts';
import { hasTokens, type TokenCounts } from './usage-record.ts';

export type CumulativeModelUsage = TokenCounts & {
  /** Reported cumulative cost in integer nano-USD; null when the entry has no numeric costUSD. */
  costNanos: number | null;
};

function cacheWriteTotal(creation: number, fiveMinute: number, oneHour: number): number {
  return Math.max(creation, Math.min(fiveMinute + oneHour, Number.MAX_SAFE_INTEGER));
}

/** `message.usage` of an assistant line; `input_tokens` already excludes the cache. */
export function readMessageUsage(usage: JsonObject): TokenCounts {
  const creation = readObject(usage, 'cache_creation');
  const oneHour = readTokenCount(creation, 'ephemeral_1h_input_tokens');
  const cacheWriteTokens = cacheWriteTotal(
    readTokenCount(usage, 'cache_creation_input_tokens'),
    readTokenCount(creation, 'ephemeral_5m_input_tokens'),
    oneHour,
  );
  return {
    inputTokens: readTokenCount(usage, 'input_tokens'),
    outputTokens: readTokenCount(usage, 'output_tokens'),
    cacheReadTokens: readTokenCount(usage, 'cache_read_input_tokens'),
    cacheWriteTokens,
    cacheWrite1hTokens: Math.min(oneHour, cacheWriteTokens),
  };
}

/** One `modelUsage[K]` entry of a result line (or of a stored baseline). */
export function readModelUsageEntry(entry: unknown): CumulativeModelUsage {
  const object = isJsonObject(entry) ? entry : {};
  const oneHour = readTokenCount(object, 'cacheCreationEphemeral1hInputTokens');
  const cacheWriteTokens = cacheWriteTotal(
    readTokenCount(object, 'cacheCreationInputTokens'),
    readTokenCount(object, 'cacheCreationEphemeral5mInputTokens'),
    oneHour,
  );
  return {
    inputTokens: readTokenCount(object, 'inputTokens'),
    outputTokens: readTokenCount(object, 'outputTokens'),
    cacheReadTokens: readTokenCount(object, 'cacheReadInputTokens'),
    cacheWriteTokens,
    cacheWrite1hTokens: Math.min(oneHour, cacheWriteTokens),
    costNanos: usdToNanos(object.costUSD),
  };
}

export type AssistantUsage =
  | { kind: 'synthetic' }
  | { kind: 'empty' }
  | { kind: 'usage'; message: JsonObject; model: string; tokens: TokenCounts };

const SYNTHETIC_MODEL = '<synthetic>';

/**
 * The usage an assistant line carries (TELEMETRY.md §2.1, §3): `<synthetic>` API-error and limit
 * notices have no request behind them; a line without usage, or with only zeros, has nothing to count.
 */
export function readAssistantUsage(line: JsonObject): AssistantUsage {
  const message = readObject(line, 'message');
  const model = (message && readNonEmptyString(message, 'model')) ?? 'unknown';
  if (model === SYNTHETIC_MODEL) return { kind: 'synthetic' };
  const usage = message && readObject(message, 'usage');
  const tokens = usage && readMessageUsage(usage);
  if (message === undefined || tokens === undefined || !hasTokens(tokens)) return { kind: 'empty' };
  return { kind: 'usage', message, model, tokens };
}
