// One board column: heading with its count, the cards in rank order, "Load more" past the first page.
import { createDroppable } from '@thisbeyond/solid-dnd';
import { createUniqueId, For, type JSX, Show } from 'solid-js';
import { STATUS_LABELS, type TaskCard, type TaskStatus } from './task-types';

export interface ColumnProps {
  status: TaskStatus;
  cards: TaskCard[];
  count: number;
  hasMore: boolean;
  canMove: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  children: (card: TaskCard) => JSX.Element;
}

function DroppableArea(props: { status: TaskStatus; children: JSX.Element }) {
  const droppable = createDroppable(`column:${props.status}`, { kind: 'column', status: props.status });
  return (
    <div ref={(element) => droppable(element, () => ({ skipTransform: true }))} class="column-drop" data-over={droppable.isActiveDroppable ? 'true' : 'false'}>
      {props.children}
    </div>
  );
}

export function Column(props: ColumnProps) {
  const headingId = createUniqueId();
  const list = () => (
    <ol class="column-cards" aria-labelledby={headingId}>
      <For each={props.cards}>{(card) => props.children(card)}</For>
    </ol>
  );
  return (
    <section class="board-column" data-status={props.status} aria-labelledby={headingId}>
      <header class="column-header">
        <h2 id={headingId}>{STATUS_LABELS[props.status]}</h2>
        <span class="column-count">
          {props.count}
          <span class="visually-hidden">{props.count === 1 ? ' task' : ' tasks'}</span>
        </span>
      </header>
      <Show when={props.canMove} fallback={list()}>
        <DroppableArea status={props.status}>{list()}</DroppableArea>
      </Show>
      <Show when={props.hasMore}>
        <button type="button" class="button" data-size="small" disabled={props.loadingMore} onClick={() => props.onLoadMore()}>
          {props.loadingMore ? 'Loading…' : `Load more ${STATUS_LABELS[props.status].toLowerCase()}`}
        </button>
      </Show>
    </section>
  );
}
