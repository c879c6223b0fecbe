// The board's client state: one keyed store per column in rank order, counts, and the filters the
// server applied. Snapshots are applied with keyed `reconcile` (only changed cards re-render); live
// events and optimistic moves place single cards by rank.
import { createStore, produce, reconcile } from 'solid-js/store';
import type { BoardSnapshot, TaskCard, TaskPriority, TaskStatus } from './task-types';
import { STATUSES } from './task-types';

export type BoardFilters = { assignee?: string; label?: string; priority?: TaskPriority; text?: string; gateway?: string };

type BoardState = {
  columns: Record<TaskStatus, TaskCard[]>;
  counts: Record<TaskStatus, number>;
  hasMore: Record<TaskStatus, boolean>;
  labels: string[];
  loaded: boolean;
};

const emptyColumns = () => Object.fromEntries(STATUSES.map((s) => [s, []])) as unknown as Record<TaskStatus, TaskCard[]>;
const zeroes = <T>(value: T) => Object.fromEntries(STATUSES.map((s) => [s, value])) as Record<TaskStatus, T>;

/** Client-side twin of the server filters, for live events (the server filters snapshots). */
export function matchesFilters(card: TaskCard, filters: BoardFilters): boolean {
  if (card.archivedAt) return false;
  if (filters.assignee) {
    if (filters.assignee === 'unassigned') {
      if (card.assignee) return false;
    } else if (!card.assignee || (card.assignee.id !== filters.assignee && card.assignee.name !== filters.assignee)) return false;
  }
  if (filters.label && !card.labels.includes(filters.label)) return false;
  if (filters.priority && card.priority !== filters.priority) return false;
  if (filters.gateway && card.assignee?.gatewayId !== filters.gateway) return false;
  if (filters.text) {
    const text = filters.text.toLowerCase();
    const number = /^#?(\d+)$/.exec(filters.text)?.[1];
    // Descriptions are not on cards; a text match there shows up on the next snapshot.
    if (!card.title.toLowerCase().includes(text) && String(card.number) !== number) return false;
  }
  return true;
}

export function createBoardStore() {
  const [board, setBoard] = createStore<BoardState>({ columns: emptyColumns(), counts: zeroes(0), hasMore: zeroes(false), labels: [], loaded: false });

  function applySnapshot(snapshot: BoardSnapshot) {
    setBoard(
      produce((state) => {
        state.counts = { ...snapshot.counts };
        state.hasMore = { ...snapshot.hasMore };
        state.labels = [...snapshot.labels];
        state.loaded = true;
      }),
    );
    for (const status of STATUSES) setBoard('columns', status, reconcile(snapshot.columns[status], { key: 'id' }));
  }

  function appendPage(status: TaskStatus, cards: TaskCard[], hasMore: boolean) {
    setBoard('columns', status, (column) => [...column, ...cards.filter((card) => !column.some((c) => c.id === card.id))]);
    setBoard('hasMore', status, hasMore);
  }

  function find(id: string): TaskCard | undefined {
    for (const status of STATUSES) {
      const card = board.columns[status].find((c) => c.id === id);
      if (card) return card;
    }
    return undefined;
  }

  function remove(id: string) {
    for (const status of STATUSES) {
      if (board.columns[status].some((c) => c.id === id)) setBoard('columns', status, (column) => column.filter((c) => c.id !== id));
    }
  }

  /** Puts a card where its status and rank say, or removes it when it no longer matches. A card
   * ranked after the last loaded one of a column with more pages stays out (it loads with them). */
  function upsert(card: TaskCard, filters: BoardFilters) {
    const existing = find(card.id);
    if (existing && existing.version > card.version) return; // a stale event after a newer result
    remove(card.id);
    if (!matchesFilters(card, filters)) return;
    const column = board.columns[card.status];
    const last = column[column.length - 1];
    if (board.hasMore[card.status] && last && card.rank > last.rank) return;
    const index = column.findIndex((c) => c.rank > card.rank);
    setBoard('columns', card.status, (cards) => (index === -1 ? [...cards, card] : [...cards.slice(0, index), card, ...cards.slice(index)]));
  }

  /** Optimistic move: the card at `index` of `status` before the server answers. */
  function place(id: string, status: TaskStatus, index: number) {
    const card = find(id);
    if (!card) return;
    const moved = { ...card, status };
    remove(id);
    setBoard('columns', status, (cards) => [...cards.slice(0, index), moved, ...cards.slice(index)]);
    if (card.status !== status) {
      setBoard('counts', card.status, (n) => Math.max(0, n - 1));
      setBoard('counts', status, (n) => n + 1);
    }
  }

  function setCost(id: string, cost: TaskCard['cost']) {
    for (const status of STATUSES) {
      const index = board.columns[status].findIndex((c) => c.id === id);
      if (index !== -1) setBoard('columns', status, index, 'cost', reconcile(cost));
    }
  }

  /** Ids of loaded cards assigned to any of these agents. */
  function cardsOfAgents(agentIds: ReadonlySet<string>): string[] {
    return STATUSES.flatMap((status) => board.columns[status].filter((c) => c.assignee && agentIds.has(c.assignee.id)).map((c) => c.id));
  }

  function setCounts(counts: Record<TaskStatus, number>) {
    setBoard('counts', reconcile(counts));
  }

  return { board, applySnapshot, appendPage, find, remove, upsert, place, setCounts, setCost, cardsOfAgents };
}

export type BoardStore = ReturnType<typeof createBoardStore>;
