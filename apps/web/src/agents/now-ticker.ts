// One shared 1 s clock for every "last seen" on screen, running only while something shows it
// and the tab is visible (a hidden tab runs no timers; the time is caught up when shown).
import { type Accessor, createSignal, onCleanup } from 'solid-js';

const TICK_MS = 1_000;
const [nowMs, setNowMs] = createSignal(Date.now());
let users = 0;
let timer: ReturnType<typeof setInterval> | undefined;

function tick(): void {
  setNowMs(Date.now());
}

function run(): void {
  if (timer !== undefined || document.visibilityState === 'hidden') return;
  tick();
  timer = setInterval(tick, TICK_MS);
}

function halt(): void {
  clearInterval(timer);
  timer = undefined;
}

function handleVisibilityChange(): void {
  if (document.visibilityState === 'hidden') halt();
  else run();
}

/** The current time in ms, updated every second while the caller is mounted and the tab visible. */
export function useNow(): Accessor<number> {
  users += 1;
  if (users === 1) {
    document.addEventListener('visibilitychange', handleVisibilityChange);
    run();
  }
  onCleanup(() => {
    users -= 1;
    if (users > 0) return;
    document.removeEventListener('visibilitychange', handleVisibilityChange);
    halt();
  });
  return nowMs;
}
