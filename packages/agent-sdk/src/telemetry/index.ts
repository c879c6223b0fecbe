// Public surface of the telemetry parsers (TELEMETRY.md): tool output → UsageRecords (PROTOCOL.md §5).
// Node built-ins only; nothing here imports another workspace package.

export type { RateLimitInfo } from './claude-billing.ts';
export {
  type ClaudeResultSummary,
  type ClaudeStreamBaseline,
  type ClaudeStreamOptions,
  type ClaudeStreamParser,
  type ClaudeStreamSummary,
  parseClaudeCodeStream,
} from './claude-stream.ts';
export { type ClaudeTranscriptOptions, type ClaudeTranscriptSummary, parseClaudeTranscript } from './claude-transcript.ts';
export type { Clock } from './clock-stamp.ts';
export {
  type CodexJsonlOptions,
  type CodexJsonlParser,
  type CodexJsonlSummary,
  type CodexUsageTotals,
  parseCodexJsonl,
} from './codex-jsonl.ts';
export { normalizeModelId } from './model-id.ts';
export type { Billing, UsageRecord, UsageSource } from './usage-record.ts';
export type { ModelUsageTotals, UsageTotals } from './usage-totals.ts';
