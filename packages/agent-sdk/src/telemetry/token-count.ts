// Token counts and reported costs as read from tool output (TELEMETRY.md §1): a count is a finite
// number >= 0, floored; anything else reads as 0. Costs become integer nano-USD so deltas are exact.

import type { JsonObject } from './json-line.ts';

export function toTokenCount(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return 0;
  // Counts beyond 2^53 are not real token counts; clamping keeps every later sum exact.
  return Math.min(Math.floor(value), Number.MAX_SAFE_INTEGER);
}

export function readTokenCount(object: JsonObject | undefined, key: string): number {
  return object === undefined ? 0 : toTokenCount(object[key]);
}

/** `round(usd * 1e9)` for a finite, non-negative reported cost; anything else is "no cost reported". */
export function usdToNanos(value: unknown): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return null;
  const nanos = Math.round(value * 1e9);
  return Number.isSafeInteger(nanos) ? nanos : null;
}

export function nanosToUsd(nanos: number): number {
  return nanos / 1e9;
}
