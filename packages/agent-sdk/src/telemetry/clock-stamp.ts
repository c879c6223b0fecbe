// occurredAt from the caller's clock (TELEMETRY.md §1): the wall-clock time a line was read, when the
// line itself has no timestamp. No clock → undefined (the server stamps receive time).

export type Clock = () => Date;

export function stampNow(clock: Clock | undefined): string | undefined {
  if (clock === undefined) return undefined;
  const now = clock();
  return Number.isNaN(now.getTime()) ? undefined : now.toISOString();
}
