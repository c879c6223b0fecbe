// Loading, empty and error states shared by every list and page, all as text.
import { type JSX, onMount, Show } from 'solid-js';
import { describeError, errorCode } from '../lib/client-errors';
import { refreshSession } from '../lib/session';
import './list-states.css';

export function LoadingState(props: { label: string }) {
  return (
    <p class="state" data-state="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {props.label}
    </p>
  );
}

export function EmptyState(props: { children: JSX.Element }) {
  return (
    <p class="state" data-state="empty">
      {props.children}
    </p>
  );
}

export function ErrorState(props: { error: unknown; onRetry?: () => void }) {
  onMount(() => {
    // The session ended elsewhere (sign out everywhere, expiry): the layout redirects.
    if (errorCode(props.error) === 'UNAUTHORIZED') void refreshSession();
  });
  return (
    <div class="state" data-state="error" role="alert">
      <p>{describeError(props.error)}</p>
      <Show when={props.onRetry}>
        {(retry) => (
          <button type="button" class="button" onClick={() => retry()()}>
            Try again
          </button>
        )}
      </Show>
    </div>
  );
}
