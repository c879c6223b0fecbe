// Money at the edge (TELEMETRY.md §5.3): costs are integer nano-USD (bigint); USD floats are derived
// only for display/APIs, through a conversion that refuses to lose precision.

const MAX_SAFE_NANOS = BigInt(Number.MAX_SAFE_INTEGER);

/** nanos / 1e9 as a number; throws beyond ±MAX_SAFE_INTEGER nanos (about $9M), where floats get inexact. */
export function nanosToUsd(nanos: bigint): number {
  if (nanos > MAX_SAFE_NANOS || nanos < -MAX_SAFE_NANOS) {
    throw new RangeError(`${nanos} nano-USD exceeds Number.MAX_SAFE_INTEGER; keep it as bigint`);
  }
  return Number(nanos) / 1e9;
}

/** round(usd × 1e9): how tool-reported costs (`costUsd`) are stored as `reportedCostNanos`. */
export function usdToNanos(usd: number): bigint {
  if (!Number.isFinite(usd)) throw new RangeError(`${usd} is not a finite USD amount`);
  const nanos = Math.round(usd * 1e9);
  if (!Number.isSafeInteger(nanos)) throw new RangeError(`${usd} USD exceeds Number.MAX_SAFE_INTEGER nano-USD`);
  return BigInt(nanos);
}
