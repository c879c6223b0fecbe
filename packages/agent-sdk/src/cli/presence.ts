// A Claude Code session's status as the hooks path reports it: one heartbeat with status and activity,
// and, for an agent the server does not know (yet), a connect first. Shared by `mc-agent hook` and the
// keepalive it starts (keepalive.ts).

import { hostname } from 'node:os';
import { basename } from 'node:path';
import { UnknownAgentError } from '../agent/errors.ts';
import type { HttpApi } from '../agent/http-api.ts';
import type { AgentStatus } from '../agent/protocol.ts';
import type { ReportingConfig } from './cli-options.ts';

export type Presence = { status: AgentStatus; activity: string | null };

export function connectBody(config: ReportingConfig, cwd: string | undefined) {
  return {
    agent_name: config.name,
    tool_name: 'claude-code',
    ...(config.role ? { agent_role: config.role } : {}),
    metadata: { host: hostname(), ...(cwd ? { cwd: basename(cwd) } : {}), via: 'hooks' },
  };
}

/** Sends the presence; returns the server's next_heartbeat_s when it gave one. */
export async function sendPresence(api: HttpApi, config: ReportingConfig, cwd: string | undefined, presence: Presence, timeoutMs: () => number): Promise<number | undefined> {
  const path = `/api/agents/${encodeURIComponent(config.name)}/heartbeat`;
  const body = { status: presence.status, ...(presence.activity ? { activity: presence.activity } : {}) };
  let response: unknown;
  try {
    response = await api.request('POST', path, { body, notFound: 'agent', timeoutMs: timeoutMs() });
  } catch (error) {
    if (!(error instanceof UnknownAgentError)) throw error;
    // First event of this agent (or the server forgot it): connect, then say what we are doing.
    await api.request('POST', '/api/connect', { body: connectBody(config, cwd), timeoutMs: timeoutMs() });
    response = await api.request('POST', path, { body, notFound: 'agent', timeoutMs: timeoutMs() });
  }
  const next = typeof response === 'object' && response !== null ? (response as { next_heartbeat_s?: unknown }).next_heartbeat_s : undefined;
  return typeof next === 'number' && Number.isFinite(next) && next > 0 ? next : undefined;
}
