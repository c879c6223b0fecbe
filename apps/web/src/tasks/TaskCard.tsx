// One card: number, title, priority, labels, assignee, due date, cost. Operators drag it (pointer)
// or pick it up with Space and move it with the arrow keys (BoardPage handles the keys).
import { A } from '@solidjs/router';
import { createDraggable, createDroppable } from '@thisbeyond/solid-dnd';
import { For, Show } from 'solid-js';
import { formatDateTime } from '../lib/format-time';
import { formatCost, PRIORITY_LABELS, type TaskCard as Card } from './task-types';

export interface TaskCardProps {
  card: Card;
  canMove: boolean;
  picked: boolean;
  instructionsId: string;
  href: string;
  onKeyDown: (event: KeyboardEvent, card: Card) => void;
}

function DraggableCard(props: TaskCardProps) {
  const draggable = createDraggable(props.card.id, { kind: 'card' });
  const droppable = createDroppable(props.card.id, { kind: 'card' });
  return (
    <CardBody
      {...props}
      ref={(element) => {
        draggable(element, () => ({ skipTransform: true }));
        droppable(element, () => ({ skipTransform: true }));
      }}
      dragging={draggable.isActiveDraggable}
    />
  );
}

function CardBody(props: TaskCardProps & { ref?: (element: HTMLElement) => void; dragging?: boolean }) {
  const cost = () => formatCost(props.card.cost);
  return (
    <li
      ref={props.ref}
      class="task-card"
      data-task-id={props.card.id}
      data-priority={props.card.priority}
      data-dragging={props.dragging ? 'true' : 'false'}
      data-picked={props.picked ? 'true' : 'false'}
      tabindex="0"
      aria-label={`#${props.card.number} ${props.card.title}`}
      aria-describedby={props.canMove ? props.instructionsId : undefined}
      aria-roledescription={props.canMove ? 'movable task' : undefined}
      onKeyDown={(event) => props.onKeyDown(event, props.card)}
    >
      <div class="task-card-head">
        <A class="task-card-title" href={props.href} tabindex="-1">
          <span class="task-number">#{props.card.number}</span> {props.card.title}
        </A>
      </div>
      <div class="task-card-meta">
        <span class="priority-badge" data-priority={props.card.priority}>
          {PRIORITY_LABELS[props.card.priority]}
        </span>
        <For each={props.card.labels}>{(label) => <span class="label-chip">{label}</span>}</For>
        <Show when={props.card.openDependencies > 0}>
          <span class="blocked-badge">Blocked by {props.card.openDependencies}</span>
        </Show>
      </div>
      <div class="task-card-foot">
        <span class="assignee">{props.card.assignee ? (props.card.assignee.name ?? props.card.assignee.id) : 'Unassigned'}</span>
        <Show when={props.card.dueAt}>{(due) => <span class="due">Due {formatDateTime(due(), '')}</span>}</Show>
        <Show when={cost()}>{(text) => <span class="task-cost"><span class="visually-hidden">Cost </span>{text()}</span>}</Show>
      </div>
    </li>
  );
}

export function TaskCardView(props: TaskCardProps) {
  return (
    <Show when={props.canMove} fallback={<CardBody {...props} />}>
      <DraggableCard {...props} />
    </Show>
  );
}
