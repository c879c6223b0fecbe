// Pending/error state for one button or form that calls a mutation. A mutation failing
// with UNAUTHORIZED means the session ended elsewhere, so the session is re-read.
import { type Accessor, createSignal } from 'solid-js';
import { describeError, errorCode } from './client-errors';
import { refreshSession } from './session';

export type MutationOutcome<TResult> = { ok: true; value: TResult } | { ok: false };

export interface Mutation<TArgs extends unknown[], TResult> {
  pending: Accessor<boolean>;
  error: Accessor<string | null>;
  clearError: () => void;
  /** Never rejects: a failure resolves `{ ok: false }` and its text is in `error()`. */
  run: (...args: TArgs) => Promise<MutationOutcome<TResult>>;
}

export function createMutation<TArgs extends unknown[], TResult>(
  call: (...args: TArgs) => Promise<TResult>,
): Mutation<TArgs, TResult> {
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  async function run(...args: TArgs): Promise<MutationOutcome<TResult>> {
    setPending(true);
    setError(null);
    try {
      return { ok: true, value: await call(...args) };
    } catch (caught) {
      setError(describeError(caught));
      if (errorCode(caught) === 'UNAUTHORIZED') void refreshSession();
      return { ok: false };
    } finally {
      setPending(false);
    }
  }
  return { pending, error, clearError: () => setError(null), run };
}
