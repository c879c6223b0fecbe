// Sessions filters live in the URL (?gateway=&agent=&status=&source=&q=) so a view can be shared.
// The server filters the list; live updates are matched here with the same rules.
import type { SessionItem, SessionListInput, SessionSource } from '../gateways/gateway-api';

export interface SessionFilters {
  gateway: string | null;
  agent: string | null;
  status: string | null;
  source: SessionSource | null;
  query: string;
}

export type SessionSearchParams = Partial<Record<'gateway' | 'agent' | 'status' | 'source' | 'q', string | string[]>>;

function first(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
}

export function readSessionFilters(params: SessionSearchParams): SessionFilters {
  const source = first(params.source);
  return {
    gateway: first(params.gateway) || null,
    agent: first(params.agent) || null,
    status: first(params.status) || null,
    source: source === 'gateway' || source === 'sdk' ? source : null,
    query: first(params.q),
  };
}

export const CLEARED_FILTERS: SessionSearchParams = { gateway: undefined, agent: undefined, status: undefined, source: undefined, q: undefined };

export function hasActiveFilters(filters: SessionFilters): boolean {
  return filters.gateway !== null || filters.agent !== null || filters.status !== null || filters.source !== null || filters.query !== '';
}

export function toListInput(filters: SessionFilters): SessionListInput {
  return {
    ...(filters.gateway ? { gatewayId: filters.gateway } : {}),
    ...(filters.agent ? { agent: filters.agent } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.source ? { source: filters.source } : {}),
    ...(filters.query ? { search: filters.query } : {}),
  };
}

/** Whether a live-updated session belongs in the filtered list (mirrors the server's filters). */
export function matchesSessionFilters(session: SessionItem, filters: SessionFilters): boolean {
  if (filters.gateway !== null && session.gatewayId !== filters.gateway) return false;
  if (filters.agent !== null && session.agentId !== filters.agent && session.agentName !== filters.agent) return false;
  if (filters.status === 'busy' ? !session.busy : filters.status !== null && session.status !== filters.status) return false;
  if (filters.source !== null && session.source !== filters.source) return false;
  if (filters.query !== '') {
    const needle = filters.query.toLocaleLowerCase();
    const haystacks = [session.title, session.sessionKey, session.agentName, session.model, session.gatewayName];
    if (!haystacks.some((text) => text?.toLocaleLowerCase().includes(needle))) return false;
  }
  return true;
}
