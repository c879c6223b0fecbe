// Who is signed in: one cached `auth.me` query the whole app reads through the router's
// query cache, plus the context the signed-in layout provides to its pages.
import { query, revalidate } from '@solidjs/router';
import { type Accessor, createContext, useContext } from 'solid-js';
import { type Session, type SessionUser, trpc } from './trpc';

export const getSession = query(() => trpc.auth.me.query(), 'session');

/**
 * Fetches the session now and caches it, for right after signing in or creating the admin.
 * Drops every other cached query first: lists fetched as the previous user must not show.
 */
export async function reloadSession(): Promise<Session> {
  const session = await trpc.auth.me.query();
  query.clear();
  query.set(getSession.keyFor(), session);
  return session;
}

/** Caches "nobody signed in" after an explicit sign-out, before navigating to /login. */
export function markSignedOut(): void {
  query.clear();
  query.set(getSession.keyFor(), { user: null, setupRequired: false });
}

/** Re-reads the session; the signed-in layout redirects to /login when it is gone. */
export function refreshSession(): Promise<void> {
  return revalidate(getSession.key, true);
}

export const CurrentUserContext = createContext<Accessor<SessionUser>>();

export function useCurrentUser(): Accessor<SessionUser> {
  const user = useContext(CurrentUserContext);
  if (!user) throw new Error('useCurrentUser() needs the signed-in layout above it');
  return user;
}
