import { describe, expect, it } from 'vitest';
import type { SessionItem } from '../gateways/gateway-api';
import { hasActiveFilters, matchesSessionFilters, readSessionFilters, toListInput } from './session-filters';
import { contextLevel, contextPercent, formatSessionCost } from './session-format';

const session: SessionItem = {
  id: 's1',
  source: 'gateway',
  gatewayId: 'g1',
  gatewayName: 'lab',
  sessionKey: 'agent:dev:main',
  agentId: 'a1',
  agentName: 'lab/dev',
  title: 'MC probe',
  status: 'done',
  busy: false,
  model: 'mock-1',
  inputTokens: 1000,
  outputTokens: 12,
  contextTokens: 1200,
  contextLimit: 200000,
  costUsd: null,
  updatedAt: '2026-11-24T01:23:35.983Z',
};

describe('session filters', () => {
  it('reads the URL, ignoring unknown sources and blank values', () => {
    const filters = readSessionFilters({ gateway: 'g1', source: 'bogus', q: '  probe ', status: '' });
    expect(filters).toEqual({ gateway: 'g1', agent: null, status: null, source: null, query: 'probe' });
    expect(hasActiveFilters(filters)).toBe(true);
    expect(toListInput(filters)).toEqual({ gatewayId: 'g1', search: 'probe' });
    expect(hasActiveFilters(readSessionFilters({}))).toBe(false);
  });

  it('matches live updates like the server: agent by id or name, busy as a status, text anywhere', () => {
    const none = readSessionFilters({});
    expect(matchesSessionFilters(session, none)).toBe(true);
    expect(matchesSessionFilters(session, { ...none, agent: 'lab/dev' })).toBe(true);
    expect(matchesSessionFilters(session, { ...none, agent: 'a1' })).toBe(true);
    expect(matchesSessionFilters(session, { ...none, agent: 'other' })).toBe(false);
    expect(matchesSessionFilters(session, { ...none, status: 'busy' })).toBe(false);
    expect(matchesSessionFilters({ ...session, busy: true }, { ...none, status: 'busy' })).toBe(true);
    expect(matchesSessionFilters(session, { ...none, query: 'MOCK-1' })).toBe(true);
    expect(matchesSessionFilters(session, { ...none, query: 'nothing' })).toBe(false);
    expect(matchesSessionFilters(session, { ...none, source: 'sdk' })).toBe(false);
  });
});

describe('session cells', () => {
  it('never shows an unknown cost as $0', () => {
    expect(formatSessionCost(null)).toBe('unpriced');
    expect(formatSessionCost(0.00324)).toBe('<$0.01');
    expect(formatSessionCost(0)).toBe('$0.00');
    expect(formatSessionCost(1.5)).toBe('$1.50');
  });

  it('gauges context against its limit', () => {
    expect(contextPercent(1200, 200000)).toBe(1);
    expect(contextPercent(150000, 200000)).toBe(75);
    expect(contextPercent(null, 200000)).toBeNull();
    expect(contextPercent(10, 0)).toBeNull();
    expect([contextLevel(null), contextLevel(10), contextLevel(75), contextLevel(95)]).toEqual(['unknown', 'ok', 'high', 'full']);
  });
});
