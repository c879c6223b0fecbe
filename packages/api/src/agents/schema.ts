// PROTOCOL.md §3–4 wire inputs (snake_case, transformed once to camelCase) and tRPC inputs.
import { z } from 'zod';
import { UsageRecords } from '../usage/schema.ts';

export const AGENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const AgentName = z.string().regex(AGENT_NAME_PATTERN, 'must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$');
const text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);

const Metadata = z
  .record(z.string().max(100), z.unknown())
  .refine((value) => JSON.stringify(value).length <= 16_384, 'must be at most 16 KiB of JSON');

export const AGENT_STATUSES = ['online', 'idle', 'busy', 'needs_input', 'error', 'offline'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];
export const BeatStatus = z.enum(['idle', 'busy', 'needs_input', 'error'], { error: 'must be one of idle, busy, needs_input, error' });

export const ConnectInput = z
  .object({
    tool_name: text(100).optional(),
    tool_version: text(50).optional(),
    agent_name: AgentName,
    agent_role: text(100).optional(),
    metadata: Metadata.optional(),
  })
  .transform((b) => ({ toolName: b.tool_name, toolVersion: b.tool_version, agentName: b.agent_name, agentRole: b.agent_role, metadata: b.metadata }));
export type ConnectInput = z.output<typeof ConnectInput>;

export const DisconnectInput = z.object({ connection_id: z.string().uuid('must be a connection id (uuid)') }).transform((b) => ({ connectionId: b.connection_id }));

export const RegisterInput = z.object({
  name: AgentName,
  role: text(100).optional(),
  capabilities: z.array(text(100)).max(50, 'at most 50 capabilities').optional(),
  framework: text(100).optional(),
});
export type RegisterInput = z.output<typeof RegisterInput>;

export const HeartbeatInput = z
  .object({
    connection_id: z.string().uuid('must be a connection id (uuid)').optional(),
    status: BeatStatus.optional(),
    activity: text(200).optional(),
    task_id: z.union([text(64), z.number().int().nonnegative()]).transform(String).nullish(),
    token_usage: UsageRecords.optional(),
  })
  .transform((b) => ({
    connectionId: b.connection_id,
    status: b.status ?? 'idle',
    activity: b.activity,
    taskId: b.task_id,
    usage: b.token_usage ?? [],
  }));
export type HeartbeatInput = z.output<typeof HeartbeatInput>;

export const AgentRef = z.string().min(1).max(100);

export const FleetListInput = z.object({
  /** Start of "today" in the viewer's time zone, for the tokens/cost-today columns. */
  since: z.iso.datetime({ offset: true }).optional(),
});

export const AgentKeyInput = z.object({ agentId: z.string().min(1).max(64), name: z.string().trim().min(1).max(100) });
