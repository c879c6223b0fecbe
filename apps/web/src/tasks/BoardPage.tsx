// /tasks: the Kanban board. Filters live in the URL (?assignee=&label=&priority=&q=&gateway=) so a
// view can be shared; ?task=17 opens a task. Operators move cards by drag and drop or by keyboard
// (Space picks up, arrows move, Space drops, Escape cancels); moves are optimistic and reconciled
// with the server. Live events keep every open board within a second of each other.
import { useLocation, useSearchParams } from '@solidjs/router';
import { DragDropProvider, DragDropSensors, type DragEvent, DragOverlay } from '@thisbeyond/solid-dnd';
import { createEffect, createSignal, createUniqueId, For, on, onCleanup, Show } from 'solid-js';
import { ErrorState, LoadingState } from '../components/ListStates';
import { describeError } from '../lib/client-errors';
import { onLiveEvent, onLiveResync } from '../lib/live';
import { hasRole } from '../lib/roles';
import { useCurrentUser } from '../lib/session';
import { trpc } from '../lib/trpc';
import { ArchivePanel } from './ArchivePanel';
import { type BoardFilters, createBoardStore } from './board-store';
import { Column } from './Column';
import { FilterBar } from './FilterBar';
import { TaskCardView } from './TaskCard';
import { TaskDialog } from './TaskDialog';
import { TaskFormDialog } from './TaskForm';
import { PRIORITIES, STATUS_LABELS, STATUSES, type TaskCard, type TaskPriority, type TaskStatus } from './task-types';
import './tasks.css';

type Picked = { id: string; originStatus: TaskStatus; originIndex: number; version: number };
const param = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) || undefined;

export default function BoardPage() {
  const user = useCurrentUser();
  const canMove = () => hasRole(user().role, 'operator');
  const [params, setParams] = useSearchParams();
  const location = useLocation();
  const hrefFor = (card: TaskCard) => {
    const search = new URLSearchParams(location.search);
    search.set('task', String(card.number));
    return `?${search.toString()}`;
  };
  const filters = (): BoardFilters => ({
    assignee: param(params.assignee),
    label: param(params.label),
    priority: PRIORITIES.find((p): p is TaskPriority => p === param(params.priority)),
    text: param(params.q),
    gateway: param(params.gateway),
  });
  const store = createBoardStore();
  const { board } = store;
  const [loadError, setLoadError] = createSignal<unknown>(null);
  const [announcement, setAnnouncement] = createSignal('');
  const [moveError, setMoveError] = createSignal<string | null>(null);
  const [picked, setPicked] = createSignal<Picked | null>(null);
  const [creating, setCreating] = createSignal(false);
  const [loadingMore, setLoadingMore] = createSignal<TaskStatus | null>(null);
  const instructionsId = createUniqueId();
  let loadGeneration = 0;

  async function load() {
    const generation = ++loadGeneration;
    try {
      const snapshot = await trpc.tasks.board.query({ ...filters(), perColumn: 100 });
      if (generation !== loadGeneration) return;
      store.applySnapshot(snapshot);
      setLoadError(null);
    } catch (error) {
      if (generation === loadGeneration) setLoadError(error);
    }
  }
  createEffect(on(() => JSON.stringify(filters()), () => void load()));

  // Counts are re-read (one cheap grouped query) after bursts of live events.
  let countsTimer: ReturnType<typeof setTimeout> | undefined;
  function refreshCountsSoon() {
    clearTimeout(countsTimer);
    countsTimer = setTimeout(() => {
      void trpc.tasks.counts.query(filters()).then(store.setCounts, () => undefined);
    }, 250);
  }
  onCleanup(() => clearTimeout(countsTimer));

  const applyLive = (event: { payload: unknown }) => {
    const payload = event.payload as { task?: TaskCard };
    if (!payload.task || picked()?.id === payload.task.id) return;
    store.upsert(payload.task, filters());
    refreshCountsSoon();
  };
  for (const type of ['task.created', 'task.updated', 'task.moved', 'task.commented']) onLiveEvent(type, applyLive);
  onLiveEvent('task.archived', () => void load());

  // Usage events don't name tasks: refresh the cost of the loaded cards of the agents that spent.
  const spendingAgents = new Set<string>();
  let costTimer: ReturnType<typeof setTimeout> | undefined;
  const noteSpending = (event: { payload: unknown }) => {
    const payload = event.payload as { agentId?: string; usage?: unknown };
    if (!payload.agentId || !payload.usage) return;
    spendingAgents.add(payload.agentId);
    clearTimeout(costTimer);
    costTimer = setTimeout(() => {
      const ids = store.cardsOfAgents(spendingAgents).slice(0, 500);
      spendingAgents.clear();
      if (ids.length === 0) return;
      void trpc.tasks.costs.query({ ids }).then((rows) => {
        for (const row of rows) store.setCost(row.id, row.cost);
      }, () => undefined);
    }, 500);
  };
  onLiveEvent('usage.recorded', noteSpending);
  onLiveEvent('agent.updated', noteSpending);
  onCleanup(() => clearTimeout(costTimer));
  onLiveResync(() => void load());

  async function loadMore(status: TaskStatus) {
    const column = board.columns[status];
    setLoadingMore(status);
    try {
      const page = await trpc.tasks.list.query({ ...filters(), status, cursor: column[column.length - 1]?.rank ?? null, limit: 100 });
      store.appendPage(status, page.items, page.nextCursor !== null);
    } catch (error) {
      setMoveError(describeError(error));
    } finally {
      setLoadingMore(null);
    }
  }

  /** Sends the move of a card already placed locally at `index` of `status`; reconciles or reverts. */
  async function commitMove(id: string, status: TaskStatus, version: number) {
    const column = board.columns[status];
    const index = column.findIndex((c) => c.id === id);
    const card = column[index];
    if (!card) return;
    const after = column[index - 1];
    const before = column[index + 1];
    setMoveError(null);
    try {
      const moved = await trpc.tasks.move.mutate({ id, expectedVersion: version, status, afterId: after?.id ?? null, beforeId: after ? null : (before?.id ?? null) });
      store.upsert(moved, filters());
      setAnnouncement(`Moved #${moved.number} to ${STATUS_LABELS[moved.status]}.`);
      refreshCountsSoon();
    } catch (error) {
      const message = `Couldn't move #${card.number}: ${describeError(error)}`;
      setMoveError(message);
      setAnnouncement(message);
      await load();
    }
  }

  function positionOf(id: string): { status: TaskStatus; index: number } | null {
    for (const status of STATUSES) {
      const index = board.columns[status].findIndex((c) => c.id === id);
      if (index !== -1) return { status, index };
    }
    return null;
  }

  function focusCard(id: string) {
    queueMicrotask(() => document.querySelector<HTMLElement>(`[data-task-id="${id}"]`)?.focus());
  }

  function describePosition(card: TaskCard, status: TaskStatus, index: number) {
    return `#${card.number} in ${STATUS_LABELS[status]}, position ${index + 1} of ${board.columns[status].length}.`;
  }

  function handleCardKey(event: KeyboardEvent, card: TaskCard) {
    if (event.target !== event.currentTarget) return;
    if (event.key === 'Enter') {
      event.preventDefault();
      setParams({ task: String(card.number) });
      return;
    }
    if (!canMove()) return;
    const current = picked();
    const position = positionOf(card.id);
    if (!position) return;
    if (event.key === ' ') {
      event.preventDefault();
      if (!current) {
        setPicked({ id: card.id, originStatus: position.status, originIndex: position.index, version: card.version });
        setAnnouncement(`Picked up ${describePosition(card, position.status, position.index)} Arrow keys move it, Space drops it, Escape cancels.`);
        return;
      }
      setPicked(null);
      if (position.status === current.originStatus && position.index === current.originIndex) {
        setAnnouncement(`#${card.number} dropped where it was.`);
        return;
      }
      setAnnouncement(`Dropped ${describePosition(card, position.status, position.index)}`);
      void commitMove(card.id, position.status, current.version);
      return;
    }
    if (!current || current.id !== card.id) return;
    if (event.key === 'Escape') {
      event.preventDefault();
      store.place(card.id, current.originStatus, current.originIndex);
      setPicked(null);
      setAnnouncement(`Move cancelled; #${card.number} is back in ${STATUS_LABELS[current.originStatus]}.`);
      focusCard(card.id);
      return;
    }
    const columnIndex = STATUSES.indexOf(position.status);
    let target: { status: TaskStatus; index: number } | null = null;
    if (event.key === 'ArrowUp' && position.index > 0) target = { status: position.status, index: position.index - 1 };
    if (event.key === 'ArrowDown' && position.index < board.columns[position.status].length - 1) target = { status: position.status, index: position.index + 1 };
    const sideways = event.key === 'ArrowLeft' ? STATUSES[columnIndex - 1] : event.key === 'ArrowRight' ? STATUSES[columnIndex + 1] : undefined;
    if (sideways) target = { status: sideways, index: Math.min(position.index, board.columns[sideways].length) };
    if (!target) return;
    event.preventDefault();
    store.place(card.id, target.status, target.index);
    setAnnouncement(describePosition(card, target.status, target.index));
    focusCard(card.id);
  }

  // Where the pointer was last decides whether a card dropped on another card lands above or below it
  // (solid-dnd resets the drag transform before onDragEnd runs).
  let lastPointerY = 0;
  const trackPointer = (event: PointerEvent) => {
    lastPointerY = event.clientY;
  };
  document.addEventListener('pointermove', trackPointer, { passive: true });
  onCleanup(() => document.removeEventListener('pointermove', trackPointer));

  function handleDragEnd({ draggable, droppable }: DragEvent) {
    if (!droppable || !canMove()) return;
    const id = String(draggable.id);
    const card = store.find(id);
    if (!card || droppable.id === draggable.id) return;
    let status: TaskStatus;
    let index: number;
    if (String(droppable.id).startsWith('column:')) {
      status = String(droppable.id).slice('column:'.length) as TaskStatus;
      index = board.columns[status].filter((c) => c.id !== id).length;
    } else {
      const target = positionOf(String(droppable.id));
      if (!target) return;
      status = target.status;
      const others = board.columns[status].filter((c) => c.id !== id);
      const targetIndex = others.findIndex((c) => c.id === droppable.id);
      const rect = document.querySelector(`[data-task-id="${String(droppable.id)}"]`)?.getBoundingClientRect();
      const below = rect ? lastPointerY > rect.top + rect.height / 2 : false;
      index = below ? targetIndex + 1 : targetIndex;
    }
    const from = positionOf(id);
    if (from && from.status === status && from.index === index) return;
    store.place(id, status, index);
    void commitMove(id, status, card.version);
  }

  const openTask = () => param(params.task);

  return (
    <section class="page tasks-page" aria-labelledby="tasks-title">
      <div class="page-header">
        <div>
          <h1 id="tasks-title">Tasks</h1>
          <p class="page-intro">Plan work and hand it out; agents claim tasks from the todo column.</p>
        </div>
        <Show when={canMove()}>
          <button type="button" class="button" data-variant="primary" onClick={() => setCreating(true)}>
            New task
          </button>
        </Show>
      </div>
      <FilterBar filters={filters()} labels={board.labels} onChange={(next) => setParams({ ...next, task: undefined })} />
      <p id={instructionsId} class="visually-hidden">
        Press Space to pick the task up, arrow keys to move it, Space to drop it, Escape to cancel. Enter opens it.
      </p>
      <p class="visually-hidden" role="status" aria-live="assertive">
        {announcement()}
      </p>
      <Show when={moveError()}>
        {(message) => (
          <p class="form-error" role="alert">
            {message()}
          </p>
        )}
      </Show>
      <Show when={!loadError()} fallback={<ErrorState error={loadError()} onRetry={() => void load()} />}>
        <Show when={board.loaded} fallback={<LoadingState label="Loading the board…" />}>
          <DragDropProvider onDragEnd={handleDragEnd}>
            <DragDropSensors />
            <div class="board" data-picked={picked() ? 'true' : 'false'}>
              <For each={STATUSES}>
                {(status) => (
                  <Column
                    status={status}
                    cards={board.columns[status]}
                    count={board.counts[status]}
                    hasMore={board.hasMore[status]}
                    canMove={canMove()}
                    loadingMore={loadingMore() === status}
                    onLoadMore={() => void loadMore(status)}
                  >
                    {(card) => (
                      <TaskCardView
                        card={card}
                        canMove={canMove()}
                        picked={picked()?.id === card.id}
                        instructionsId={instructionsId}
                        href={hrefFor(card)}
                        onKeyDown={handleCardKey}
                      />
                    )}
                  </Column>
                )}
              </For>
            </div>
            <DragOverlay class="drag-overlay">
              {(draggable) => {
                const card = draggable ? store.find(String(draggable.id)) : undefined;
                return <div class="task-card" data-overlay="true">{card ? `#${card.number} ${card.title}` : ''}</div>;
              }}
            </DragOverlay>
          </DragDropProvider>
        </Show>
      </Show>
      <ArchivePanel filters={filters()} />
      <Show when={openTask()}>
        {(ref) => <TaskDialog taskRef={ref()} canEdit={canMove()} onClose={() => setParams({ task: undefined })} />}
      </Show>
      <Show when={creating()}>
        <TaskFormDialog
          onClose={() => setCreating(false)}
          onSaved={(card) => {
            setCreating(false);
            store.upsert(card, filters());
            refreshCountsSoon();
            setAnnouncement(`Created #${card.number}.`);
          }}
        />
      </Show>
    </section>
  );
}
