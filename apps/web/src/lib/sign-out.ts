// The one way out of the signed-in app after a successful sign-out: stop the live stream,
// forget cached data, and show /login (optionally with a notice).
import type { Navigator } from '@solidjs/router';
import { stopLive } from './live';
import { markSignedOut } from './session';

export function leaveSignedInApp(navigate: Navigator, notice?: string): void {
  stopLive();
  markSignedOut();
  navigate('/login', { replace: true, state: notice ? { notice } : undefined });
}
