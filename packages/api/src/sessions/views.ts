// The session row clients see (sessions.list items, session.updated payloads), built from a
// GatewaySession row joined with its gateway and agent names, or from an SDK usage aggregate.
import { nanosToUsd } from '../usage/pricing/money.ts';

export type SessionSource = 'gateway' | 'sdk';

export type SessionListItem = {
  id: string;
  source: SessionSource;
  gatewayId: string | null;
  gatewayName: string | null;
  sessionKey: string;
  agentId: string | null;
  agentName: string | null;
  title: string | null;
  status: string | null;
  busy: boolean;
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** current context size (SessionRow.totalTokens, GATEWAY.md §11): a gauge, never billed */
  contextTokens: number | null;
  contextLimit: number | null;
  costUsd: number | null;
  updatedAt: string | null;
};

type DateLike = Date | string | null;
const iso = (value: DateLike): string | null => (value === null ? null : new Date(value).toISOString());
const toNumber = (value: number | bigint | null): number | null => (value === null ? null : Number(value));

/** A joined row, from Prisma (Date, boolean, bigint) or raw SQLite (text, 0/1, number). */
export type SessionRowLike = {
  id: string;
  source: string;
  gatewayId: string | null;
  gatewayName: string | null;
  sessionKey: string;
  agentId: string | null;
  agentName: string | null;
  title: string | null;
  status: string | null;
  busy: boolean | number | bigint;
  model: string | null;
  inputTokens: number | bigint | null;
  outputTokens: number | bigint | null;
  contextTokens: number | bigint | null;
  contextLimit: number | bigint | null;
  costNanos: bigint | number | null;
  activityAt: DateLike;
};

export function toSessionListItem(row: SessionRowLike): SessionListItem {
  return {
    id: row.id,
    source: row.source === 'sdk' ? 'sdk' : 'gateway',
    gatewayId: row.gatewayId,
    gatewayName: row.gatewayName,
    sessionKey: row.sessionKey,
    agentId: row.agentId,
    agentName: row.agentName,
    title: row.title,
    status: row.status,
    busy: Boolean(Number(row.busy)),
    model: row.model,
    inputTokens: toNumber(row.inputTokens),
    outputTokens: toNumber(row.outputTokens),
    contextTokens: toNumber(row.contextTokens),
    contextLimit: toNumber(row.contextLimit),
    costUsd: row.costNanos === null ? null : nanosToUsd(BigInt(row.costNanos)),
    updatedAt: iso(row.activityAt),
  };
}
