// Groups Claude assistant lines into one message per dedupe key (TELEMETRY.md §2.1, §3): field-wise max
// over the lines, complete when another key arrives in the same chain or on flush; later lines are late.

import { boundedId } from './record-id.ts';
import { type Billing, createUsageRecord, type TokenCounts, type UsageRecord } from './usage-record.ts';

export type MessageLine = {
  /** Dedupe key; also the record id (`cc:<message.id>`, `cc:req:…`, `cc:uuid:…`, `cc:line:…`). */
  key: string;
  /** Main thread or one subagent; a new key completes the open message of its own chain only. */
  chain: string;
  model: string;
  sessionId: string;
  tokens: TokenCounts;
  occurredAt: string | undefined;
  subagent: string | undefined;
};

/** A message keeps its first line's metadata; its tokens are the maxima over all its lines. */
export type CompletedMessage = MessageLine;

export type AddOutcome = 'new' | 'merged' | 'late';

export type MessageGroups = {
  add(line: MessageLine): { outcome: AddOutcome; completed: CompletedMessage[] };
  /** All pending messages, in order of their first line (result line, end of input). */
  flushAll(): CompletedMessage[];
};

function maxTokens(into: TokenCounts, from: TokenCounts): void {
  into.inputTokens = Math.max(into.inputTokens, from.inputTokens);
  into.outputTokens = Math.max(into.outputTokens, from.outputTokens);
  into.cacheReadTokens = Math.max(into.cacheReadTokens, from.cacheReadTokens);
  into.cacheWriteTokens = Math.max(into.cacheWriteTokens, from.cacheWriteTokens);
  into.cacheWrite1hTokens = Math.max(into.cacheWrite1hTokens, from.cacheWrite1hTokens);
}

export function createMessageGroups(): MessageGroups {
  // Map iteration order is insertion order = order of each message's first line.
  const pending = new Map<string, CompletedMessage>();
  const openKeyByChain = new Map<string, string>();
  // Keys already emitted: a later line for one of them is a late duplicate, never a second record.
  const completedKeys = new Set<string>();

  function complete(key: string): CompletedMessage | undefined {
    const message = pending.get(key);
    if (message === undefined) return undefined;
    pending.delete(key);
    completedKeys.add(key);
    if (openKeyByChain.get(message.chain) === key) openKeyByChain.delete(message.chain);
    return message;
  }

  function add(line: MessageLine): { outcome: AddOutcome; completed: CompletedMessage[] } {
    if (completedKeys.has(line.key)) return { outcome: 'late', completed: [] };
    const existing = pending.get(line.key);
    if (existing !== undefined) {
      maxTokens(existing.tokens, line.tokens);
      return { outcome: 'merged', completed: [] };
    }
    const completed: CompletedMessage[] = [];
    const openKey = openKeyByChain.get(line.chain);
    if (openKey !== undefined) {
      const message = complete(openKey);
      if (message !== undefined) completed.push(message);
    }
    pending.set(line.key, { ...line, tokens: { ...line.tokens } });
    openKeyByChain.set(line.chain, line.key);
    return { outcome: 'new', completed };
  }

  function flushAll(): CompletedMessage[] {
    const completed: CompletedMessage[] = [];
    for (const key of [...pending.keys()]) {
      const message = complete(key);
      if (message !== undefined) completed.push(message);
    }
    return completed;
  }

  return { add, flushAll };
}

/**
 * Record id = dedupe key (TELEMETRY.md §1): `cc:<message.id>`, else `cc:req:<requestId>`, else
 * `cc:uuid:<line uuid>`, else `cc:line:<position>` (stream: line number; transcript: byte offset).
 */
export function claudeMessageId(ids: {
  messageId: string | undefined;
  requestId: string | undefined;
  uuid: string | undefined;
  position: number;
}): string {
  if (ids.messageId !== undefined) return boundedId('cc:', ids.messageId);
  if (ids.requestId !== undefined) return boundedId('cc:req:', ids.requestId);
  if (ids.uuid !== undefined) return boundedId('cc:uuid:', ids.uuid);
  return `cc:line:${ids.position}`;
}

/** The per-request record of a completed message; billing is the session state at emission. */
export function messageRecord(message: CompletedMessage, billing: Billing): UsageRecord {
  return createUsageRecord({
    id: message.key,
    source: 'claude-code',
    sessionId: message.sessionId,
    model: message.model,
    tokens: message.tokens,
    billing,
    subagent: message.subagent,
    occurredAt: message.occurredAt,
  });
}
