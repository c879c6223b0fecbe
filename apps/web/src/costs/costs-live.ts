// Keeps the cost page live: usage events (heartbeats with usage, token reports), budget and price changes
// schedule one refetch, at most once a second; the keyed stores then re-render only the changed numbers.
import { onCleanup } from 'solid-js';
import { onLiveEvent, onLiveResync } from '../lib/live';

const MIN_INTERVAL_MS = 1_000;
const FIRST_DELAY_MS = 150;

function carriesUsage(payload: unknown): boolean {
  return typeof payload === 'object' && payload !== null && 'usage' in payload;
}

export function refetchOnUsage(refresh: () => void): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastRunAt = 0;
  const schedule = () => {
    if (timer !== undefined) return;
    const wait = Math.max(FIRST_DELAY_MS, lastRunAt + MIN_INTERVAL_MS - Date.now());
    timer = setTimeout(() => {
      timer = undefined;
      lastRunAt = Date.now();
      refresh();
    }, wait);
  };
  onLiveEvent('agent.updated', (event) => {
    if (carriesUsage(event.payload)) schedule();
  });
  for (const type of ['usage.recorded', 'budget.threshold', 'budget.created', 'budget.updated', 'budget.removed', 'prices.updated', 'prices.repriced']) {
    onLiveEvent(type, schedule);
  }
  onLiveResync(schedule);
  onCleanup(() => clearTimeout(timer));
}
