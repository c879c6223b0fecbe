// PROTOCOL.md wire shapes, as the server sends them (snake_case where the contract is snake_case).
// Written by hand from the contract: the SDK imports nothing from the server.

import type { Billing } from '../telemetry/usage-record.ts';

/** What an agent may report about itself (PROTOCOL.md §4). `online`/`offline` are the server's to set. */
export type AgentStatus = 'idle' | 'busy' | 'needs_input' | 'error';

export type ConnectResponse = {
  connection_id: string;
  agent_id: string;
  agent_name: string;
  status: 'connected';
  heartbeat_url: string;
  token_report_url: string;
  events_url: string;
  heartbeat_interval_s: number;
};

export type WorkItemGroup = {
  /** `assigned_tasks`, `notifications`, or a type a newer server adds. */
  type: string;
  items: unknown[];
};

export type HeartbeatResponse = {
  status: 'HEARTBEAT_OK' | 'WORK_ITEMS_FOUND';
  agent: string;
  checked_at: string;
  token_recorded: number;
  token_duplicates: number;
  next_heartbeat_s: number;
  work_items: WorkItemGroup[];
};

export type TokensResponse = {
  recorded: number;
  duplicates: number;
  records: Array<{ id: string | null; costUsd: number | null; priced: boolean; duplicate?: boolean }>;
};

/** PROTOCOL.md §5 UsageRecord as a script reports it; the SDK adds `id` (if absent), `agent` and `taskId`. */
export type UsageRecordInput = {
  /** Idempotency key (<= 128 chars); the SDK assigns `sdk:<uuid>` when absent, so retries count once. */
  id?: string;
  model: string;
  provider?: string;
  /** Uncached input only (OpenAI-style totals: input − cached − cache writes). */
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  cacheWrite1hTokens?: number;
  reasoningTokens?: number;
  /** Cost the tool itself reported; the server computes its own and keeps this beside it. */
  costUsd?: number;
  billing?: Billing;
  aggregated?: boolean;
  subagent?: string;
  sessionId?: string;
  taskId?: string | number;
  source?: string;
  occurredAt?: string | number | Date;
};

/** A record as it goes on the wire and into the spool: id always set, dates as ISO strings. */
export type WireUsageRecord = Omit<UsageRecordInput, 'occurredAt' | 'id'> & { id: string; agent: string; occurredAt?: string | number };

export type TaskStatus = 'backlog' | 'todo' | 'in_progress' | 'review' | 'done' | (string & {});

/** A task as the queue hands it out (PROTOCOL.md §6); fields a newer server adds are kept. */
export type Task = {
  id: string;
  /** The #number people use for the task. */
  number?: number;
  title: string;
  status: TaskStatus;
  priority?: string;
  /** Optimistic-concurrency version: pass it back as `expectedVersion` to refuse stale moves (409). */
  version?: number;
  [field: string]: unknown;
};

export type QueueReason = 'assigned' | 'continue_current' | 'at_capacity' | 'no_tasks_available';

export type QueueResult = { task: Task | null; reason: QueueReason };

/** PATCH /api/tasks/{id}: a move (own task: in_progress → review, or back to todo on failure) and/or a comment. */
export type TaskUpdate = {
  status?: TaskStatus;
  comment?: string;
  outcome?: 'success' | 'failed';
  /** Refuse the move with a ConflictError if the task changed since this version. */
  expectedVersion?: number;
};
