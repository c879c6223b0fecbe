// The normalized UsageRecord (PROTOCOL.md §5) as the telemetry parsers emit it. createUsageRecord fixes
// the key order of TELEMETRY.md §1 and omits optional keys that carry no information (never `undefined`).

export type Billing = 'api' | 'subscription' | 'unknown';
export type UsageSource = 'claude-code' | 'codex';

export type UsageRecord = {
  id: string;
  source: UsageSource;
  sessionId: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** The 1-hour-TTL part of cacheWriteTokens; present only when > 0. */
  cacheWrite1hTokens?: number;
  /** Codex only, informational (already inside outputTokens); present when the tool reported it. */
  reasoningTokens?: number;
  /** Cost reported by the tool itself (Claude reconciliation records); stored beside the computed cost. */
  costUsd?: number;
  billing: Billing;
  /** Only ever `true`: the record sums several API requests, so no long-context tier applies. */
  aggregated?: true;
  subagent?: string;
  occurredAt?: string;
};

/** Token counts in the normalized (Anthropic) convention: input excludes cache reads and writes. */
export type TokenCounts = {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cacheWrite1hTokens: number;
};

export const ZERO_TOKENS: Readonly<TokenCounts> = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  cacheWrite1hTokens: 0,
});

export type UsageRecordFields = {
  id: string;
  source: UsageSource;
  sessionId: string;
  model: string;
  tokens: TokenCounts;
  reasoningTokens?: number | undefined;
  costUsd?: number | undefined;
  billing: Billing;
  aggregated?: boolean | undefined;
  subagent?: string | undefined;
  occurredAt?: string | undefined;
};

export function createUsageRecord(fields: UsageRecordFields): UsageRecord {
  const { tokens } = fields;
  // Object spread keeps insertion order, so this literal is the TELEMETRY.md §1 key order.
  return {
    id: fields.id,
    source: fields.source,
    sessionId: fields.sessionId,
    model: fields.model,
    inputTokens: tokens.inputTokens,
    outputTokens: tokens.outputTokens,
    cacheReadTokens: tokens.cacheReadTokens,
    cacheWriteTokens: tokens.cacheWriteTokens,
    ...(tokens.cacheWrite1hTokens > 0 ? { cacheWrite1hTokens: tokens.cacheWrite1hTokens } : {}),
    ...(fields.reasoningTokens !== undefined ? { reasoningTokens: fields.reasoningTokens } : {}),
    ...(fields.costUsd !== undefined ? { costUsd: fields.costUsd } : {}),
    billing: fields.billing,
    ...(fields.aggregated === true ? { aggregated: true as const } : {}),
    ...(fields.subagent !== undefined ? { subagent: fields.subagent } : {}),
    ...(fields.occurredAt !== undefined ? { occurredAt: fields.occurredAt } : {}),
  };
}

export function hasTokens(tokens: TokenCounts): boolean {
  return tokens.inputTokens > 0 || tokens.outputTokens > 0 || tokens.cacheReadTokens > 0 || tokens.cacheWriteTokens > 0;
}

/** Caller-supplied billing (transcripts, Codex): anything but the three labels reads as "unknown". */
export function toBilling(value: unknown): Billing {
  return value === 'api' || value === 'subscription' || value === 'unknown' ? value : 'unknown';
}
