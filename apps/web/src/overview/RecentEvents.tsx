// Live feed of the newest events from the realtime store (kept while navigating).
import { createSignal, For, onCleanup, Show } from 'solid-js';
import { EmptyState } from '../components/ListStates';
import { formatRelative, formatTimeOfDay } from '../lib/format-time';
import { connectionState, type LiveEvent, recentEvents } from '../lib/live';

const PAYLOAD_PREVIEW_CHARS = 140;

function previewPayload(payload: unknown): string {
  if (payload === null || payload === undefined) return '';
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return text.length > PAYLOAD_PREVIEW_CHARS ? `${text.slice(0, PAYLOAD_PREVIEW_CHARS - 1)}…` : text;
}

function EventRow(props: { event: LiveEvent; nowMs: number }) {
  return (
    <li class="event-row">
      <span class="event-type">{props.event.type}</span>
      <span class="event-payload mono">{previewPayload(props.event.payload)}</span>
      <time class="event-time" datetime={props.event.createdAt} title={formatTimeOfDay(props.event.createdAt)}>
        {formatRelative(props.event.createdAt, props.nowMs)}
      </time>
    </li>
  );
}

export function RecentEvents() {
  // Relative times ("2 minutes ago") need a clock; a coarse one is enough.
  const [nowMs, setNowMs] = createSignal(Date.now());
  const clock = setInterval(() => setNowMs(Date.now()), 15_000);
  onCleanup(() => clearInterval(clock));

  return (
    <section class="card" aria-labelledby="recent-events-title">
      <div class="page-header">
        <h2 id="recent-events-title">Recent events</h2>
        <span class="muted-text">{recentEvents().length} shown</span>
      </div>
      <Show
        when={recentEvents().length > 0}
        fallback={
          <EmptyState>
            {connectionState() === 'live'
              ? 'No events yet. New activity appears here as it happens.'
              : 'No events yet. They appear here once live updates connect.'}
          </EmptyState>
        }
      >
        <ol class="event-list" aria-live="polite" aria-relevant="additions">
          <For each={recentEvents()}>{(event) => <EventRow event={event} nowMs={nowMs()} />}</For>
        </ol>
      </Show>
    </section>
  );
}
