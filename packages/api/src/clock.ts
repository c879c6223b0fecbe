// Time source for services: real in production, controllable in tests. Services never call Date.now().
export type Clock = { now(): Date; nowMs(): number };

export const systemClock: Clock = { now: () => new Date(), nowMs: () => Date.now() };

export type FakeClock = Clock & { set(to: Date | string): void; advanceBy(ms: number): void };

export function createFakeClock(start: Date | string): FakeClock {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    nowMs: () => current,
    set: (to) => {
      current = new Date(to).getTime();
    },
    advanceBy: (ms) => {
      current += ms;
    },
  };
}
