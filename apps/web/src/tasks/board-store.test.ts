// Board store: filter matching for live events and rank-ordered placement of single cards.
import { describe, expect, it } from 'vitest';
import { createBoardStore, matchesFilters } from './board-store';
import type { TaskCard } from './task-types';

function card(overrides: Partial<TaskCard>): TaskCard {
  return {
    id: 'id-1', number: 1, title: 'Fix the parser', status: 'todo', priority: 'medium', rank: 'a0', labels: [], dueAt: null, assignee: null,
    createdBy: { type: 'user', id: 'u', name: 'ada' }, autoDone: false, version: 1, outcome: null, claimedAt: null, completedAt: null, archivedAt: null,
    createdAt: '2026-11-26T10:00:00.000Z', updatedAt: '2026-11-26T10:00:00.000Z', openDependencies: 0, cost: { costUsd: null, records: 0, unpricedRecords: 0 },
    ...overrides,
  };
}

describe('matchesFilters', () => {
  const assigned = card({ labels: ['parser'], priority: 'high', assignee: { id: 'agent-1', name: 'builder-1', gatewayId: 'gw-1' } });

  it('matches assignee by id or name, "unassigned", label, priority, gateway and text or #number', () => {
    expect(matchesFilters(assigned, { assignee: 'builder-1', label: 'parser', priority: 'high', gateway: 'gw-1', text: 'PARSER' })).toBe(true);
    expect(matchesFilters(assigned, { assignee: 'agent-1', text: '#1' })).toBe(true);
    expect(matchesFilters(assigned, { assignee: 'unassigned' })).toBe(false);
    expect(matchesFilters(card({}), { assignee: 'unassigned' })).toBe(true);
    expect(matchesFilters(assigned, { label: 'ui' })).toBe(false);
    expect(matchesFilters(assigned, { priority: 'low' })).toBe(false);
    expect(matchesFilters(assigned, { gateway: 'gw-2' })).toBe(false);
    expect(matchesFilters(assigned, { text: 'lexer' })).toBe(false);
  });

  it('never shows archived cards on the board', () => {
    expect(matchesFilters(card({ archivedAt: '2026-11-26T10:00:00.000Z' }), {})).toBe(false);
  });
});

describe('board store', () => {
  it('places live cards by rank, moves them between columns and ignores stale versions', () => {
    const store = createBoardStore();
    store.upsert(card({ id: 'b', rank: 'a2' }), {});
    store.upsert(card({ id: 'a', rank: 'a0' }), {});
    store.upsert(card({ id: 'c', rank: 'a1' }), {});
    expect(store.board.columns.todo.map((c) => c.id)).toEqual(['a', 'c', 'b']);
    store.upsert(card({ id: 'c', rank: 'a0', status: 'review', version: 2 }), {});
    expect(store.board.columns.todo.map((c) => c.id)).toEqual(['a', 'b']);
    expect(store.board.columns.review.map((c) => c.id)).toEqual(['c']);
    store.upsert(card({ id: 'c', rank: 'a1', status: 'todo', version: 1 }), {});
    expect(store.board.columns.review.map((c) => c.id)).toEqual(['c']);
  });

  it('drops a live card that no longer matches the filters', () => {
    const store = createBoardStore();
    store.upsert(card({ id: 'x', labels: ['ui'] }), { label: 'ui' });
    store.upsert(card({ id: 'x', labels: [], version: 2 }), { label: 'ui' });
    expect(store.board.columns.todo).toEqual([]);
  });
});
