// Roles and the actor model. The one place that decides whether an actor holds a level of access.
import { z } from 'zod';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

export type UserActor = {
  kind: 'user';
  userId: string;
  username: string;
  role: Role;
  /** Set when authenticated by cookie (sockets close when it is revoked). */
  sessionId?: string;
  /** Set when authenticated by a user API key (mc_). */
  apiKeyId?: string;
};
export type AgentActor = { kind: 'agent'; apiKeyId: string; agentId: string; keyName: string };
export type Actor = { kind: 'anonymous' } | UserActor | AgentActor;

export const anonymous: Actor = { kind: 'anonymous' };

/** Access levels of procedures and routes. `agent` = an agent key or an operator+ user;
 * `authenticated` = any credential (users of every role and agent keys). */
export type AccessLevel = 'public' | 'authenticated' | Role | 'agent';

export function roleAtLeast(role: Role, required: Role): boolean {
  return RANK[role] >= RANK[required];
}

export function hasAccess(actor: Actor, level: AccessLevel): boolean {
  if (level === 'public') return true;
  if (actor.kind === 'anonymous') return false;
  if (level === 'authenticated') return true;
  if (level === 'agent') return actor.kind === 'agent' || roleAtLeast(actor.role, 'operator');
  if (actor.kind === 'agent') return false;
  return roleAtLeast(actor.role, level);
}

export function actorLabel(actor: Actor): { actorType: string; actorId: string | null; actorName: string | null } {
  switch (actor.kind) {
    case 'anonymous':
      return { actorType: 'anonymous', actorId: null, actorName: null };
    case 'agent':
      return { actorType: 'agent', actorId: actor.agentId, actorName: actor.keyName };
    case 'user':
      return { actorType: actor.apiKeyId ? 'apiKey' : 'user', actorId: actor.userId, actorName: actor.username };
  }
}
