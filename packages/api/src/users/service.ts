// Admin user management. Invariants: usernames are lower-case and unique; the last enabled admin
// can be neither demoted nor disabled; disabling or resetting a password ends that user's sessions.
import type { PrismaClient } from '@mc/db';
import type { AuditService } from '../audit/service.ts';
import { hashPassword, passwordProblem } from '../auth/passwords.ts';
import type { Role, UserActor } from '../auth/roles.ts';
import { type RequestMeta, toRole } from '../auth/service.ts';
import type { SessionsService } from '../auth/sessions.ts';
import type { Clock } from '../clock.ts';
import { conflict, forbidden, notFound, validationFailed } from '../errors.ts';

export function createUsersService({ db, clock, audit, sessions, onAccessChanged }: {
  db: PrismaClient; clock: Clock; audit: AuditService; sessions: SessionsService;
  /** A user's role or enabled state changed: what their API keys may do changed with it. */
  onAccessChanged: () => void;
}) {
  function checkPassword(password: string, username: string, field: string) {
    const problem = passwordProblem(password, username);
    if (problem) throw validationFailed(`${field}: ${problem}`, [{ path: field, message: problem }]);
  }

  async function list() {
    const users = await db.user.findMany({ orderBy: { username: 'asc' } });
    return users.map((u) => ({
      id: u.id,
      username: u.username,
      role: toRole(u.role),
      disabledAt: u.disabledAt?.toISOString() ?? null,
      createdAt: u.createdAt.toISOString(),
      lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    }));
  }

  async function create(actor: UserActor, input: { username: string; password: string; role: Role }, meta: RequestMeta) {
    const username = input.username.toLowerCase();
    checkPassword(input.password, username, 'password');
    if (await db.user.findUnique({ where: { username } })) throw conflict(`A user named ${username} already exists`);
    const user = await db.user.create({ data: { username, passwordHash: await hashPassword(input.password), role: input.role } });
    await audit.record({ actor, action: 'user.created', targetType: 'user', targetId: user.id, ip: meta.ip, details: { username, role: input.role } });
    return { id: user.id, username, role: input.role };
  }

  async function findOrThrow(userId: string) {
    const user = await db.user.findUnique({ where: { id: userId } });
    if (!user) throw notFound('No such user');
    return user;
  }

  async function otherEnabledAdmins(userId: string) {
    return db.user.count({ where: { role: 'admin', disabledAt: null, NOT: { id: userId } } });
  }

  async function setRole(actor: UserActor, input: { userId: string; role: Role }, meta: RequestMeta) {
    const user = await findOrThrow(input.userId);
    if (user.role === 'admin' && input.role !== 'admin' && (await otherEnabledAdmins(user.id)) === 0) {
      throw forbidden('The last admin cannot be demoted; promote another user first');
    }
    await db.user.update({ where: { id: user.id }, data: { role: input.role } });
    onAccessChanged();
    await audit.record({ actor, action: 'user.role_changed', targetType: 'user', targetId: user.id, ip: meta.ip, details: { from: user.role, to: input.role } });
    return { ok: true as const };
  }

  async function setDisabled(actor: UserActor, input: { userId: string; disabled: boolean }, meta: RequestMeta) {
    const user = await findOrThrow(input.userId);
    if (input.disabled && user.id === actor.userId) throw forbidden('You cannot disable your own account');
    if (input.disabled && user.role === 'admin' && (await otherEnabledAdmins(user.id)) === 0) throw forbidden('The last admin cannot be disabled');
    await db.user.update({ where: { id: user.id }, data: { disabledAt: input.disabled ? clock.now() : null } });
    onAccessChanged();
    if (input.disabled) await sessions.revokeAllForUser(user.id);
    await audit.record({ actor, action: input.disabled ? 'user.disabled' : 'user.enabled', targetType: 'user', targetId: user.id, ip: meta.ip });
    return { ok: true as const };
  }

  async function resetPassword(actor: UserActor, input: { userId: string; newPassword: string }, meta: RequestMeta) {
    const user = await findOrThrow(input.userId);
    checkPassword(input.newPassword, user.username, 'newPassword');
    await db.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(input.newPassword), passwordChangedAt: clock.now() } });
    await sessions.revokeAllForUser(user.id);
    await audit.record({ actor, action: 'user.password_reset', targetType: 'user', targetId: user.id, ip: meta.ip });
    return { ok: true as const };
  }

  return { list, create, setRole, setDisabled, resetPassword };
}

export type UsersService = ReturnType<typeof createUsersService>;
