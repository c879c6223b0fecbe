// Public surface of @mc/agent-sdk: the agent client (PROTOCOL.md), its typed errors and the telemetry
// parsers (TELEMETRY.md). The typed tRPC client is the separate entry '@mc/agent-sdk/client'.

export type { RetryPolicy } from './agent/backoff.ts';
export {
  type Agent,
  type AgentEvents,
  type AgentOptions,
  type AgentStats,
  AGENT_NAME_PATTERN,
  type ConnectAgentOptions,
  connectAgent,
  createAgent,
} from './agent/connect-agent.ts';
export {
  AuthenticationError,
  ConfigurationError,
  ConflictError,
  type ErrorDetail,
  MissionControlError,
  NotFoundError,
  PermissionError,
  RateLimitedError,
  ServerError,
  ServerUnreachableError,
  UnknownAgentError,
  ValidationError,
} from './agent/errors.ts';
export type { ConnectionState } from './agent/heartbeat-loop.ts';
export { type FetchLike, SDK_VERSION } from './agent/http-api.ts';
export type {
  AgentStatus,
  ConnectResponse,
  HeartbeatResponse,
  QueueReason,
  QueueResult,
  Task,
  TaskStatus,
  TaskUpdate,
  TokensResponse,
  UsageRecordInput,
  WorkItemGroup,
} from './agent/protocol.ts';
export type { UsageQueueStats } from './agent/usage-queue.ts';
export * from './telemetry/index.ts';
