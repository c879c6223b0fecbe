// parseClaudeTranscript: new assistant messages of a Claude Code transcript (hooks, TELEMETRY.md §3),
// read from a stored byte offset. Only complete lines are consumed; no reconciliation, no reported cost.

import { type CompletedMessage, claudeMessageId, createMessageGroups, messageRecord } from './claude-messages.ts';
import { readAssistantUsage } from './claude-usage.ts';
import { type JsonObject, parseJsonLine, readNonEmptyString, readString, readTimestamp } from './json-line.ts';
import { type Billing, toBilling, type UsageRecord } from './usage-record.ts';
import { createUsageTotals, type UsageTotals } from './usage-totals.ts';

export type ClaudeTranscriptOptions = {
  /** Byte offset stored after the previous read of this path (`summary.endOffset`); 0 for a new file. */
  startOffset: number;
  billing?: Billing;
};

export type ClaudeTranscriptSummary = {
  sessionIds: string[];
  billing: Billing;
  /** Where reading started: the given offset, or 0 after an offset reset. */
  startOffset: number;
  /** Byte after the last consumed `\n`: store it as the next startOffset. */
  endOffset: number;
  /** Present (true) when startOffset was past the end of the file (file replaced): read from 0. */
  offsetReset?: true;
  /** Present (true) when startOffset was inside a line: reading began at the next line. */
  offsetRealigned?: true;
  lines: {
    total: number;
    malformed: number;
    repeatedUsageLines: number;
    lateDuplicates: number;
    sidechainReplays: number;
    synthetic: number;
    emptyUsage: number;
  };
  totals: UsageTotals;
};

const NEWLINE = 0x0a;

function toBuffer(bytes: Buffer | Uint8Array | string): Buffer {
  if (typeof bytes === 'string') return Buffer.from(bytes, 'utf8');
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function parseClaudeTranscript(
  bytes: Buffer | Uint8Array | string,
  options: ClaudeTranscriptOptions,
): { records: UsageRecord[]; summary: ClaudeTranscriptSummary } {
  const buffer = toBuffer(bytes);
  const billing = toBilling(options.billing);
  const messages = createMessageGroups();
  const totals = createUsageTotals();
  const records: UsageRecord[] = [];
  const sessionIds = new Set<string>();
  let lastSessionId: string | undefined;
  // Keys seen on main-chain lines: a sidechain line with one of them replays the parent (ccusage#913).
  const mainChainKeys = new Set<string>();
  const lines = { total: 0, malformed: 0, repeatedUsageLines: 0, lateDuplicates: 0, sidechainReplays: 0, synthetic: 0, emptyUsage: 0 };

  function emit(completed: CompletedMessage[]): void {
    for (const message of completed) {
      const record = messageRecord(message, billing);
      totals.add(record);
      records.push(record);
    }
  }

  function handleAssistant(line: JsonObject, byteOffset: number, sessionId: string): void {
    const assistant = readAssistantUsage(line);
    if (assistant.kind === 'synthetic' || line.isApiErrorMessage === true) {
      lines.synthetic += 1;
      return;
    }
    if (assistant.kind === 'empty') {
      lines.emptyUsage += 1;
      return;
    }
    const { message, model, tokens } = assistant;
    const key = claudeMessageId({
      messageId: readNonEmptyString(message, 'id'),
      requestId: readNonEmptyString(line, 'requestId'),
      uuid: readNonEmptyString(line, 'uuid'),
      position: byteOffset,
    });
    const isSidechain = line.isSidechain === true;
    const agentId = readNonEmptyString(line, 'agentId');
    if (isSidechain && mainChainKeys.has(key)) {
      lines.sidechainReplays += 1;
      return;
    }
    if (!isSidechain) mainChainKeys.add(key);
    const { outcome, completed } = messages.add({
      key,
      chain: isSidechain ? `side:${agentId ?? ''}` : 'main',
      model,
      sessionId,
      tokens,
      occurredAt: readTimestamp(line, 'timestamp'),
      subagent: isSidechain ? (agentId ?? 'sidechain') : undefined,
    });
    if (outcome === 'merged') lines.repeatedUsageLines += 1;
    if (outcome === 'late') lines.lateDuplicates += 1;
    emit(completed);
  }

  function handleLine(text: string, byteOffset: number): void {
    const parsed = parseJsonLine(text);
    if (parsed.kind === 'blank') return;
    lines.total += 1;
    if (parsed.kind === 'malformed') {
      lines.malformed += 1;
      return;
    }
    const line = parsed.value;
    const lineSessionId = readNonEmptyString(line, 'sessionId');
    if (lineSessionId !== undefined) {
      sessionIds.add(lineSessionId);
      lastSessionId = lineSessionId;
    }
    // user, summary, file-history-snapshot and other types carry no usage.
    if (readString(line, 'type') === 'assistant') handleAssistant(line, byteOffset, lineSessionId ?? lastSessionId ?? 'unknown');
  }

  let startOffset = Number.isSafeInteger(options.startOffset) && options.startOffset > 0 ? options.startOffset : 0;
  let offsetReset = false;
  let offsetRealigned = false;
  if (startOffset > buffer.length) {
    startOffset = 0;
    offsetReset = true;
  }
  // Mid-line offset: skip to the next line start; inside the unfinished last line, consume nothing.
  let firstLineStart: number | null = startOffset;
  if (startOffset > 0 && buffer[startOffset - 1] !== NEWLINE) {
    offsetRealigned = true;
    const newline = buffer.indexOf(NEWLINE, startOffset);
    firstLineStart = newline === -1 ? null : newline + 1;
  }
  let endOffset = startOffset;
  if (firstLineStart !== null) {
    let position = firstLineStart;
    for (let newline = buffer.indexOf(NEWLINE, position); newline !== -1; newline = buffer.indexOf(NEWLINE, position)) {
      handleLine(buffer.toString('utf8', position, newline), position);
      position = newline + 1;
    }
    endOffset = position; // a trailing partial line is left for the next read
  }
  emit(messages.flushAll());

  const summary: ClaudeTranscriptSummary = {
    sessionIds: [...sessionIds],
    billing,
    startOffset,
    endOffset,
    ...(offsetReset ? { offsetReset: true as const } : {}),
    ...(offsetRealigned ? { offsetRealigned: true as const } : {}),
    lines,
    totals: totals.snapshot(),
  };
  return { records, summary };
}
