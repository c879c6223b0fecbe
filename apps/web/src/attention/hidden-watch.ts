// While the tab is hidden, the live socket is paused (lib/live.ts) and nothing else runs — except,
// when the user turned notifications on, this: one attention.list request every 30 s, and a
// browser notification for each new critical or high item. Stops the moment the tab is visible.
import type { AttentionItem } from '@mc/api';
import { needsInputNotificationsOn } from '../agents/needs-input-notifier';
import { trpc } from '../lib/trpc';

const POLL_MS = 30_000;
/** The fleet notifier already covers needs-input transitions during the socket's pause grace. */
const FLEET_NOTIFIER_WINDOW_MS = 10_000;

let timer: ReturnType<typeof setInterval> | undefined;
let seen = new Set<string>();
let hiddenAt = 0;

function notify(item: AttentionItem): void {
  try {
    const notification = new Notification(item.title, { body: item.detail ?? item.actionLabel, tag: `mc-attention-${item.key}` });
    notification.onclick = () => {
      window.focus();
      location.assign(item.href);
      notification.close();
    };
  } catch (error) {
    console.warn('could not show a notification', error);
  }
}

async function poll(): Promise<void> {
  try {
    const { items } = await trpc.attention.list.query();
    for (const item of items) {
      if (seen.has(item.key)) continue;
      seen.add(item.key);
      const coveredByFleet = item.kind === 'agent.needs_input' && Date.parse(item.since) < hiddenAt + FLEET_NOTIFIER_WINDOW_MS;
      if ((item.priority === 'critical' || item.priority === 'high') && !coveredByFleet) notify(item);
    }
  } catch (error) {
    console.warn('attention poll failed while hidden', error);
  }
}

function onVisibilityChange(): void {
  clearInterval(timer);
  timer = undefined;
  if (document.visibilityState !== 'hidden' || !needsInputNotificationsOn()) return;
  hiddenAt = Date.now();
  timer = setInterval(() => void poll(), POLL_MS);
}

/** Call with the items on screen: they are known, so only newer ones notify once the tab is hidden. */
export function rememberVisibleItems(items: readonly AttentionItem[]): void {
  seen = new Set(items.map((item) => item.key));
}

export function startHiddenAttentionWatch(): () => void {
  document.addEventListener('visibilitychange', onVisibilityChange);
  return () => {
    document.removeEventListener('visibilitychange', onVisibilityChange);
    clearInterval(timer);
  };
}
