// Fires when no frame arrived for a whole window (GATEWAY.md §10: 2 × policy.tickIntervalMs).
// Any frame feeds it; the client decides what a timeout means (close 4000, reconnect).

export type TickWatchdog = {
  arm(windowMs: number): void;
  feed(): void;
  disarm(): void;
};

export function createTickWatchdog(onSilence: (windowMs: number) => void): TickWatchdog {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let armedWindowMs = 0;
  return {
    arm(windowMs) {
      if (timer !== null) clearTimeout(timer);
      armedWindowMs = windowMs;
      timer = setTimeout(() => {
        timer = null;
        onSilence(armedWindowMs);
      }, windowMs);
    },
    feed() {
      timer?.refresh();
    },
    disarm() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
