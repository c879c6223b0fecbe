// The gateway, session and cron calls of the web app, typed by the agreed tRPC contract.
// Until the backend's router lands these types mirror the contract by hand and the client is
// the app's one tRPC client seen through that contract; afterwards they come from AppRouter.
import { trpc } from '../lib/trpc';

export type GatewayStatus =
  | 'connecting'
  | 'ready'
  | 'pairing_required'
  | 'auth_failed'
  | 'unreachable'
  | 'protocol_mismatch'
  | 'backoff'
  | 'stopped'
  | 'disabled';

export type AuthMode = 'token' | 'password' | 'none';

export interface GatewayError {
  code: string;
  message: string;
  hint?: string;
}

export interface PairingRequest {
  requestId: string | null;
  deviceId: string;
  requestedScopes: string[];
  approveCommand: string;
}

export interface GatewayItem {
  id: string;
  name: string;
  url: string;
  authMode: AuthMode;
  hasSecret: boolean;
  adminScopeRequested: boolean;
  enabled?: boolean;
  status: GatewayStatus;
  lastError: GatewayError | null;
  latencyMs: number | null;
  serverVersion: string | null;
  protocol: number | null;
  scopes: string[];
  pairing: PairingRequest | null;
  lastConnectedAt: string | null;
  nextRetryAt: string | null;
  counts: { agents: number; sessions: number; cronJobs: number };
}

export interface GatewayCreateInput {
  name: string;
  url: string;
  authMode: AuthMode;
  secret?: string;
  requestAdminScope?: boolean;
}

export interface GatewayUpdateInput extends Partial<GatewayCreateInput> {
  id: string;
  enabled?: boolean;
}

export interface GatewayTestInput {
  url: string;
  authMode: AuthMode;
  secret?: string;
}

export interface GatewayTestResult {
  ok: boolean;
  status: string;
  message: string;
  hint?: string;
  serverVersion?: string | null;
  latencyMs?: number | null;
}

export type SessionSource = 'gateway' | 'sdk';

export interface SessionItem {
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
  contextTokens: number | null;
  contextLimit: number | null;
  costUsd: number | null;
  updatedAt: string | null;
}

export interface SessionListInput {
  gatewayId?: string;
  agent?: string;
  status?: string;
  search?: string;
  source?: SessionSource;
  cursor?: string;
  limit?: number;
}

export interface SessionListPage {
  items: SessionItem[];
  nextCursor: string | null;
}

export interface SessionRef {
  gatewayId: string;
  sessionKey: string;
}

export interface PreviewItem {
  role: string;
  text: string;
}

export interface CronJob {
  id: string;
  gatewayId: string;
  gatewayName: string;
  jobId: string;
  name: string;
  enabled: boolean;
  schedule: string;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastStatus: string | null;
  lastDurationMs: number | null;
  consecutiveErrors: number;
  lastError: string | null;
  running: boolean;
}

export interface CronRun {
  runId: string;
  status: string;
  runAt: string;
  durationMs: number | null;
  summary: string | null;
  error: string | null;
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
}

interface Query<TInput, TOutput> {
  query: (input: TInput) => Promise<TOutput>;
}
interface Mutation<TInput, TOutput> {
  mutate: (input: TInput) => Promise<TOutput>;
}

interface GatewayContract {
  gateways: {
    list: { query: () => Promise<GatewayItem[]> };
    create: Mutation<GatewayCreateInput, unknown>;
    update: Mutation<GatewayUpdateInput, unknown>;
    remove: Mutation<{ id: string }, unknown>;
    retryNow: Mutation<{ id: string }, unknown>;
    test: Mutation<GatewayTestInput, GatewayTestResult>;
  };
  sessions: {
    list: Query<SessionListInput, SessionListPage>;
    preview: Query<SessionRef, { items: PreviewItem[] }>;
    abort: Mutation<SessionRef, unknown>;
    send: Mutation<SessionRef & { message: string }, unknown>;
    reset: Mutation<SessionRef, unknown>;
    delete: Mutation<SessionRef, unknown>;
  };
  cron: {
    list: Query<{ gatewayId?: string }, CronJob[]>;
    runs: Query<{ gatewayId: string; jobId: string; limit?: number }, CronRun[]>;
    runNow: Mutation<{ gatewayId: string; jobId: string }, unknown>;
  };
}

/** The gateway, session and cron procedures. */
export const gatewayApi = trpc as unknown as GatewayContract;
