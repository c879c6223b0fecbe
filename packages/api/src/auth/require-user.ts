// Narrows an actor to a signed-in user for procedures that act on "my" account.
import { forbidden } from '../errors.ts';
import type { Actor, UserActor } from './roles.ts';

export function requireUser(actor: Actor): UserActor {
  if (actor.kind !== 'user') throw forbidden('This needs a user account, not an agent key');
  return actor;
}
