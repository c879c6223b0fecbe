// The agent as clients see it, from a Prisma row or a raw SQLite row (dates as text there).
import type { AgentStatus } from './schema.ts';

export type AgentView = {
  id: string;
  name: string;
  role: string | null;
  status: AgentStatus;
  activity: string | null;
  statusChangedAt: string;
  lastSeenAt: string | null;
  source: string;
  gatewayId: string | null;
  toolName: string | null;
  toolVersion: string | null;
  currentTaskId: string | null;
  heartbeatIntervalS: number;
  createdAt: string;
};

type DateLike = Date | string | null;
const iso = (value: DateLike): string | null => (value === null ? null : new Date(value).toISOString());

export type AgentRowLike = {
  id: string; name: string; role: string | null; status: string; activity: string | null; statusChangedAt: DateLike; lastSeenAt: DateLike;
  source: string; gatewayId: string | null; toolName: string | null; toolVersion: string | null; currentTaskId: string | null;
  heartbeatIntervalS: number | bigint; createdAt: DateLike;
};

export function toAgentView(row: AgentRowLike): AgentView {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    status: row.status as AgentStatus,
    activity: row.activity,
    statusChangedAt: iso(row.statusChangedAt) ?? new Date(0).toISOString(),
    lastSeenAt: iso(row.lastSeenAt),
    source: row.source,
    gatewayId: row.gatewayId,
    toolName: row.toolName,
    toolVersion: row.toolVersion,
    currentTaskId: row.currentTaskId,
    heartbeatIntervalS: Number(row.heartbeatIntervalS),
    createdAt: iso(row.createdAt) ?? new Date(0).toISOString(),
  };
}
