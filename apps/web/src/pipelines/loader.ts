// A value loaded from the server with explicit reloads (live events, after a mutation). The newest
// request wins: an older response arriving late never overwrites a newer one.
import { type Accessor, createSignal } from 'solid-js';

export interface Loader<T> {
  value: Accessor<T | undefined>;
  error: Accessor<unknown>;
  reload: () => Promise<void>;
}

export function createLoader<T>(fetch: () => Promise<T>): Loader<T> {
  const [value, setValue] = createSignal<T | undefined>(undefined);
  const [error, setError] = createSignal<unknown>(undefined);
  let generation = 0;
  async function reload() {
    const mine = ++generation;
    try {
      const next = await fetch();
      if (mine !== generation) return;
      setValue(() => next);
      setError(undefined);
    } catch (caught) {
      if (mine === generation) setError(() => caught);
    }
  }
  void reload();
  return { value, error, reload };
}
