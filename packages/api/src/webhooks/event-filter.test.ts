import { describe, expect, it } from 'vitest';
import { EVENT_PATTERN, matchesEventFilter, parseEventFilter } from './event-filter.ts';

describe('webhook event filters', () => {
  it('matches everything, a family at any depth, or an exact type', () => {
    expect(matchesEventFilter(['*'], 'agent.updated')).toBe(true);
    expect(matchesEventFilter(['agent.*'], 'agent.updated')).toBe(true);
    expect(matchesEventFilter(['gateway.*'], 'gateway.session.aborted')).toBe(true);
    expect(matchesEventFilter(['agent.*'], 'agents.updated')).toBe(false);
    expect(matchesEventFilter(['agent.*'], 'agent')).toBe(false);
    expect(matchesEventFilter(['task.created'], 'task.created')).toBe(true);
    expect(matchesEventFilter(['task.created'], 'task.moved')).toBe(false);
    expect(matchesEventFilter([], 'task.moved')).toBe(false);
  });

  it('never matches webhook.test, which goes only to the webhook being tested', () => {
    expect(matchesEventFilter(['*', 'webhook.*', 'webhook.test'], 'webhook.test')).toBe(false);
    expect(matchesEventFilter(['webhook.*'], 'webhook.disabled')).toBe(true);
  });

  it('accepts only well-formed patterns and reads stored filters fail-closed', () => {
    for (const ok of ['*', 'agent.*', 'task.created', 'gateway.cron.run_finished']) expect(EVENT_PATTERN.test(ok), ok).toBe(true);
    for (const bad of ['', '**', 'agent*', '.agent', 'Agent.*', 'agent.*.x', 'a b', 'agent..x']) expect(EVENT_PATTERN.test(bad), bad).toBe(false);
    expect(parseEventFilter('["agent.*","bad pattern",3]')).toEqual(['agent.*']);
    expect(parseEventFilter('not json')).toEqual([]);
  });
});
