// SessionRow (GATEWAY.md §7.2) → the mirrored GatewaySession fields. Note the naming: the row's
// `totalTokens` is the current context size (our contextTokens), its `contextTokens` the window (our
// contextLimit) — §11. `hasActiveRun` is authoritative for busy.
import { usdToNanos } from '../../usage/pricing/money.ts';
import { agentIdFromSessionKey, asList, asRecord, type Payload, readBoolean, readInteger, readNumber, readString, readTime, truncate } from './payload-readers.ts';

export type MirroredSession = {
  sessionKey: string;
  gatewayAgentId: string | null;
  title: string | null;
  status: string | null;
  busy: boolean;
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  contextTokens: number | null;
  contextLimit: number | null;
  costNanos: bigint | null;
  activityAt: Date | null;
  raw: Payload;
};

const MAX_RAW_BYTES = 64 * 1024;
const MAX_SESSION_COST_USD = 1_000_000;

export function readSessionRow(value: unknown): MirroredSession | null {
  const row = asRecord(value);
  const sessionKey = readString(row.key) ?? readString(row.sessionKey);
  if (sessionKey === null) return null;
  const activeRunIds = asList(row.activeRunIds);
  const cost = readNumber(row.estimatedCostUsd);
  return {
    sessionKey,
    gatewayAgentId: readString(row.agentId) ?? agentIdFromSessionKey(sessionKey),
    title: truncate(readString(row.label) ?? readString(row.displayName) ?? readString(row.derivedTitle) ?? readString(row.lastMessagePreview), 200),
    status: readString(row.status),
    busy: readBoolean(row.hasActiveRun) ?? activeRunIds.length > 0,
    model: readString(row.model) ?? readString(row.activeModel),
    inputTokens: readInteger(row.inputTokens),
    outputTokens: readInteger(row.outputTokens),
    contextTokens: readInteger(row.totalTokens),
    contextLimit: readInteger(row.contextTokens),
    // A nonsense figure (negative, beyond $1M for one session) is shown as unknown rather than throwing.
    costNanos: cost === null || cost < 0 || cost > MAX_SESSION_COST_USD ? null : usdToNanos(cost),
    activityAt: readTime(row.updatedAt) ?? readTime(row.lastInteractionAt) ?? readTime(row.endedAt) ?? readTime(row.startedAt),
    raw: JSON.stringify(row).length > MAX_RAW_BYTES ? { key: sessionKey, truncated: true } : row,
  };
}

const EVENT_ONLY_KEYS = new Set(['session', 'sessionKey', 'reason', 'phase', 'runId', 'ts', 'messageId', 'messageSeq', 'message']);

/**
 * The session row a `sessions.changed` / `session.message` payload carries (§8.3: replace with
 * `session`; without it, the flattened fields apply on top of what we had: null clears, absent keeps).
 */
export function sessionFromChange(payload: unknown, previousRaw: Payload | null): MirroredSession | null {
  const event = asRecord(payload);
  const sessionKey = readString(event.sessionKey);
  const session = asRecord(event.session);
  if (Object.keys(session).length > 0) return readSessionRow({ key: sessionKey ?? undefined, ...session });
  if (sessionKey === null) return null;
  const merged: Payload = { ...(previousRaw ?? {}), key: sessionKey };
  for (const [key, value] of Object.entries(event)) {
    if (EVENT_ONLY_KEYS.has(key)) continue;
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return readSessionRow(merged);
}
