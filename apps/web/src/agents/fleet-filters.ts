// Search, filters and order for the fleet table. Filters live in the URL query (?q=&status=&tool=&gateway=)
// so a filtered view can be bookmarked and shared.
import { isAgentStatus } from './fleet-format';
import type { AgentStatus, FleetAgent } from './fleet-store';

/** The gateway filter value for agents that connect directly (SDK / HTTP), not through a gateway. */
export const DIRECT_GATEWAY = 'none';

export interface FleetFilters {
  query: string;
  status: AgentStatus | null;
  tool: string | null;
  gateway: string | null;
}

export type FleetSearchParams = Partial<Record<'q' | 'status' | 'tool' | 'gateway', string | string[]>>;

function first(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
}

export function readFleetFilters(params: FleetSearchParams): FleetFilters {
  const status = first(params.status);
  return {
    query: first(params.q),
    status: isAgentStatus(status) ? status : null,
    tool: first(params.tool) || null,
    gateway: first(params.gateway) || null,
  };
}

export function hasActiveFilters(filters: FleetFilters): boolean {
  return filters.query !== '' || filters.status !== null || filters.tool !== null || filters.gateway !== null;
}

/** Tracks only the fields the active filters use, so a heartbeat doesn't re-run an unused search. */
export function matchesFilters(agent: FleetAgent, filters: FleetFilters): boolean {
  if (filters.status !== null && agent.status !== filters.status) return false;
  if (filters.tool !== null && agent.toolName !== filters.tool) return false;
  if (filters.gateway !== null && (agent.gatewayId ?? DIRECT_GATEWAY) !== filters.gateway) return false;
  if (filters.query !== '') {
    const needle = filters.query.toLocaleLowerCase();
    const haystacks = [agent.name, agent.activity ?? '', agent.role ?? ''];
    if (!haystacks.some((text) => text.toLocaleLowerCase().includes(needle))) return false;
  }
  return true;
}

/**
 * Agents that need input first, then everyone by name. Other statuses don't reorder rows:
 * a list that jumps on every heartbeat can't be read.
 */
export function compareAgents(a: FleetAgent, b: FleetAgent): number {
  const aWaiting = a.status === 'needs_input';
  const bWaiting = b.status === 'needs_input';
  if (aWaiting !== bWaiting) return aWaiting ? -1 : 1;
  return a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' });
}

/** Distinct non-empty values, sorted, with `keep` (the current filter) included even when unused. */
export function distinctValues(values: Iterable<string | null>, keep: string | null): string[] {
  const set = new Set<string>();
  for (const value of values) if (value) set.add(value);
  if (keep) set.add(keep);
  return [...set].sort((a, b) => a.localeCompare(b));
}
