// Header badge for the realtime stream; the state is text, the dot only decorates.
import { connectionState, type LiveConnectionState } from '../lib/live';

const LABELS: Record<LiveConnectionState, string> = {
  live: 'Live',
  paused: 'Paused',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

const DESCRIPTIONS: Record<LiveConnectionState, string> = {
  live: 'Receiving live updates',
  paused: 'Live updates paused while this tab is hidden',
  reconnecting: 'Connecting to live updates',
  offline: 'Live updates unavailable',
};

export function LiveIndicator() {
  return (
    <span class="live-indicator" role="status" data-state={connectionState()} title={DESCRIPTIONS[connectionState()]}>
      <span class="live-dot" aria-hidden="true" />
      {LABELS[connectionState()]}
    </span>
  );
}
