// Fixed-window rate limiter keyed by string (login attempts, PROTOCOL.md §8 limits). In-process; a
// multi-node deployment moves it behind the same interface.
import type { Clock } from '../clock.ts';

export type RateLimitResult = { allowed: true } | { allowed: false; retryAfterS: number };
export type RateLimiter = { hit(key: string): RateLimitResult; peek(key: string): RateLimitResult; reset(key: string): void };

export function createRateLimiter({ limit, windowMs, clock }: { limit: number; windowMs: number; clock: Clock }): RateLimiter {
  const windows = new Map<string, { startMs: number; count: number }>();
  let lastSweepMs = 0;

  function current(key: string) {
    const now = clock.nowMs();
    if (now - lastSweepMs > windowMs) {
      for (const [k, w] of windows) if (now - w.startMs >= windowMs) windows.delete(k);
      lastSweepMs = now;
    }
    let window = windows.get(key);
    if (!window || now - window.startMs >= windowMs) {
      window = { startMs: now, count: 0 };
      windows.set(key, window);
    }
    return { window, now };
  }

  function verdict(window: { startMs: number; count: number }, now: number): RateLimitResult {
    if (limit <= 0 || window.count <= limit) return { allowed: true };
    return { allowed: false, retryAfterS: Math.max(1, Math.ceil((window.startMs + windowMs - now) / 1000)) };
  }

  return {
    hit(key) {
      const { window, now } = current(key);
      window.count += 1;
      return verdict(window, now);
    },
    peek(key) {
      const { window, now } = current(key);
      return verdict({ ...window, count: window.count + 1 }, now);
    },
    reset(key) {
      windows.delete(key);
    },
  };
}
