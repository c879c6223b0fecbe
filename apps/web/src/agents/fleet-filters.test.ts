// Pure fleet helpers: URL filters, order, cost text and the ticking "last seen".
import { describe, expect, it } from 'vitest';
import { describeCost, formatLastSeen, formatUsd } from './fleet-format';
import { compareAgents, hasActiveFilters, matchesFilters, readFleetFilters } from './fleet-filters';
import type { FleetAgent } from './fleet-store';

function agent(fields: Partial<FleetAgent> & { name: string }): FleetAgent {
  return {
    id: fields.name,
    role: null,
    status: 'online',
    activity: null,
    statusChangedAt: '2026-11-26T10:00:00.000Z',
    lastSeenAt: '2026-11-26T10:00:00.000Z',
    source: 'sdk',
    gatewayId: null,
    toolName: 'claude-code',
    toolVersion: '2.1.3',
    currentTaskId: null,
    heartbeatIntervalS: 30,
    createdAt: '2026-11-26T09:00:00.000Z',
    tokensToday: 0,
    costTodayUsd: 0,
    unpricedToday: 0,
    ...fields,
  };
}

describe('fleet filters', () => {
  it('reads the URL query, ignoring unknown statuses and blank values', () => {
    expect(readFleetFilters({ q: ' tests ', status: 'needs_input', tool: 'codex', gateway: '' })).toEqual({
      query: 'tests',
      status: 'needs_input',
      tool: 'codex',
      gateway: null,
    });
    const none = readFleetFilters({ status: 'sleeping' });
    expect(none.status).toBeNull();
    expect(hasActiveFilters(none)).toBe(false);
  });

  it('matches name, role or activity case-insensitively, and status, tool and gateway exactly', () => {
    const builder = agent({ name: 'builder-1', activity: 'Running tests', gatewayId: 'gw-1' });
    const filters = readFleetFilters({});
    expect(matchesFilters(builder, { ...filters, query: 'RUNNING' })).toBe(true);
    expect(matchesFilters(builder, { ...filters, query: 'build' })).toBe(true);
    expect(matchesFilters(builder, { ...filters, query: 'deploy' })).toBe(false);
    expect(matchesFilters(builder, { ...filters, status: 'busy' })).toBe(false);
    expect(matchesFilters(builder, { ...filters, tool: 'claude-code' })).toBe(true);
    expect(matchesFilters(builder, { ...filters, gateway: 'gw-1' })).toBe(true);
    expect(matchesFilters(builder, { ...filters, gateway: 'none' })).toBe(false);
    expect(matchesFilters(agent({ name: 'direct' }), { ...filters, gateway: 'none' })).toBe(true);
  });

  it('puts agents that need input first, then sorts by name (numbers in order)', () => {
    const agents = [
      agent({ name: 'worker-10', status: 'busy' }),
      agent({ name: 'worker-2', status: 'error' }),
      agent({ name: 'zeta', status: 'needs_input' }),
      agent({ name: 'alpha', status: 'offline' }),
    ];
    expect([...agents].sort(compareAgents).map((a) => a.name)).toEqual(['zeta', 'alpha', 'worker-2', 'worker-10']);
  });
});

describe('fleet text', () => {
  it('never shows $0 for usage that could not be priced', () => {
    expect(describeCost(0, 3)).toEqual({ amount: null, unpriced: true });
    expect(describeCost(1.5, 2)).toEqual({ amount: '$1.50', unpriced: true });
    expect(describeCost(0, 0)).toEqual({ amount: '$0.00', unpriced: false });
    expect(formatUsd(0.0004)).toBe('<$0.01');
  });

  it('formats last seen in steps short enough to tick every second', () => {
    const at = '2026-11-26T10:00:00.000Z';
    const base = Date.parse(at);
    expect(formatLastSeen(null, base)).toBe('Never');
    expect(formatLastSeen(at, base - 3_000)).toBe('just now');
    expect(formatLastSeen(at, base + 42_000)).toBe('42 s ago');
    expect(formatLastSeen(at, base + 5 * 60_000)).toBe('5 min ago');
    expect(formatLastSeen(at, base + 3 * 3_600_000)).toBe('3 h ago');
    expect(formatLastSeen(at, base + 3 * 86_400_000)).toBe('3 d ago');
  });
});
