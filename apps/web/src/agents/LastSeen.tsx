// "Last seen 12 s ago", ticking with the shared clock; the exact time is in datetime/title.
import { Show } from 'solid-js';
import { formatDateTime } from '../lib/format-time';
import { formatLastSeen } from './fleet-format';

export function LastSeen(props: { at: string | null; nowMs: number }) {
  return (
    <Show when={props.at} fallback={<span class="agent-muted">Never</span>}>
      {(at) => (
        <time class="last-seen" datetime={at()} title={formatDateTime(at())}>
          {formatLastSeen(at(), props.nowMs)}
        </time>
      )}
    </Show>
  );
}
