// Login, logout, first-admin setup and own password changes. Rate-limited, constant-time, audited.
import { timingSafeEqual } from 'node:crypto';
import type { Database } from '@mc/db';
import type { AuditService } from '../audit/service.ts';
import type { Clock } from '../clock.ts';
import { conflict, DomainError, rateLimited, unauthorized, validationFailed } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { type Actor, type Role, ROLES, type UserActor } from './roles.ts';
import type { SessionsService } from './sessions.ts';
import { randomSecret, sha256Hex } from './tokens.ts';

export type RequestMeta = { ip?: string | null; userAgent?: string | null };
export type PublicUser = { id: string; username: string; role: Role };

const LOGIN_WINDOW_MS = 15 * 60 * 1000;

export class StartupConfigError extends Error {
  override readonly name = 'StartupConfigError';
}

export function toRole(value: string): Role {
  return (ROLES as readonly string[]).includes(value) ? (value as Role) : 'viewer';
}

export function createAuthService(deps: { database: Database; clock: Clock; sessions: SessionsService; audit: AuditService; log: Logger }) {
  const { database, clock, sessions, audit, log } = deps;
  const db = database.prisma;
  const failuresByUser = createRateLimiter({ limit: 10, windowMs: LOGIN_WINDOW_MS, clock });
  const failuresByIp = createRateLimiter({ limit: 30, windowMs: LOGIN_WINDOW_MS, clock });
  let setupToken: string | null = null;

  async function login(input: { username: string; password: string }, meta: RequestMeta) {
    const username = input.username.trim().toLowerCase();
    const ipKey = meta.ip ?? 'unknown';
    for (const verdict of [failuresByUser.peek(username), failuresByIp.peek(ipKey)]) {
      if (!verdict.allowed) throw rateLimited(verdict.retryAfterS, 'Too many failed sign-in attempts');
    }
    const user = await db.user.findFirst({ where: { username } });
    const ok = await verifyPassword(user?.passwordHash ?? null, input.password);
    if (!user || !ok || user.disabledAt) {
      failuresByUser.hit(username);
      failuresByIp.hit(ipKey);
      await audit.record({ actor: { kind: 'anonymous' }, action: 'auth.login_failed', targetType: 'user', targetId: username, ip: meta.ip, details: { reason: user?.disabledAt && ok ? 'disabled' : 'invalid' } });
      throw unauthorized('Invalid username or password');
    }
    failuresByUser.reset(username);
    const session = await sessions.create(user.id, meta);
    await db.user.update({ where: { id: user.id }, data: { lastLoginAt: clock.now() } });
    const actor: UserActor = { kind: 'user', userId: user.id, username: user.username, role: toRole(user.role) };
    await audit.record({ actor, action: 'auth.login', targetType: 'user', targetId: user.id, ip: meta.ip });
    return { user: { id: user.id, username: user.username, role: toRole(user.role) } satisfies PublicUser, ...session };
  }

  async function logout(actor: Actor, meta: RequestMeta) {
    if (actor.kind !== 'user' || !actor.sessionId) return;
    await sessions.revoke(actor.sessionId);
    await audit.record({ actor, action: 'auth.logout', targetType: 'user', targetId: actor.userId, ip: meta.ip });
  }

  async function logoutEverywhere(actor: UserActor, meta: RequestMeta) {
    const revoked = await sessions.revokeAllForUser(actor.userId);
    await audit.record({ actor, action: 'auth.logout_everywhere', targetType: 'user', targetId: actor.userId, ip: meta.ip, details: { revoked } });
    return { revoked };
  }

  async function changePassword(actor: UserActor, input: { currentPassword: string; newPassword: string }, meta: RequestMeta) {
    const user = await db.user.findUniqueOrThrow({ where: { id: actor.userId } });
    if (!(await verifyPassword(user.passwordHash, input.currentPassword))) throw new DomainError('FORBIDDEN', 'Current password is wrong');
    const problem = passwordProblem(input.newPassword, user.username);
    if (problem) throw validationFailed(`newPassword: ${problem}`, [{ path: 'newPassword', message: problem }]);
    await db.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(input.newPassword), passwordChangedAt: clock.now() } });
    // Other browsers signed in with the old password lose their sessions; this one stays.
    const others = await db.session.findMany({ where: { userId: user.id, NOT: { id: actor.sessionId ?? '' } }, select: { id: true } });
    for (const session of others) await sessions.revoke(session.id);
    await audit.record({ actor, action: 'auth.password_changed', targetType: 'user', targetId: user.id, ip: meta.ip });
    return { ok: true as const };
  }

  // Raw, like everything an idle server does: Prisma's query engine only starts for the first request that needs it.
  const anyUser = database.sqlite.prepare('SELECT EXISTS (SELECT 1 FROM "User") AS present');
  async function needsSetup(): Promise<boolean> {
    return (anyUser.get() as { present: number }).present === 0;
  }

  /** A one-time setup token while no user exists (printed at startup as a link). */
  async function issueSetupToken(): Promise<string | null> {
    if (!(await needsSetup())) return null;
    setupToken ??= randomSecret(24);
    return setupToken;
  }

  async function setupAdmin(input: { token: string; username: string; password: string }, meta: RequestMeta) {
    const expected = setupToken;
    const valid = expected !== null && timingSafeEqual(Buffer.from(sha256Hex(expected)), Buffer.from(sha256Hex(input.token)));
    if (!valid || !(await needsSetup())) throw new DomainError('FORBIDDEN', 'This setup link is invalid or was already used');
    const user = await createFirstAdmin(input.username, input.password);
    setupToken = null;
    await audit.record({ actor: { kind: 'anonymous' }, action: 'auth.setup_admin', targetType: 'user', targetId: user.id, ip: meta.ip });
    const session = await sessions.create(user.id, meta);
    return { user, ...session };
  }

  async function createFirstAdmin(rawUsername: string, password: string): Promise<PublicUser> {
    const username = rawUsername.trim().toLowerCase();
    const problem = passwordProblem(password, username);
    if (problem) throw validationFailed(`password: ${problem}`, [{ path: 'password', message: problem }]);
    const passwordHash = await hashPassword(password);
    return database.transaction(async (tx) => {
      if ((await tx.user.count()) > 0) throw conflict('An admin already exists');
      const user = await tx.user.create({ data: { username, passwordHash, role: 'admin' } });
      return { id: user.id, username: user.username, role: 'admin' as const };
    });
  }

  /** Seeds the admin from MC_ADMIN_USERNAME/PASSWORD only while no user exists. */
  async function seedAdmin(credentials: { username: string; password: string } | null): Promise<'seeded' | 'skipped' | 'setup-required'> {
    if (!(await needsSetup())) return 'skipped';
    if (!credentials) return 'setup-required';
    const problem = passwordProblem(credentials.password, credentials.username);
    if (problem) throw new StartupConfigError(`MC_ADMIN_PASSWORD ${problem}. Choose a stronger password (at least 12 characters, not a common one).`);
    const user = await createFirstAdmin(credentials.username, credentials.password);
    await audit.record({ actor: { kind: 'anonymous' }, action: 'auth.admin_seeded', targetType: 'user', targetId: user.id });
    log.info({ username: user.username }, 'admin user seeded from environment');
    return 'seeded';
  }

  return { login, logout, logoutEverywhere, changePassword, needsSetup, issueSetupToken, setupAdmin, seedAdmin };
}

export type AuthService = ReturnType<typeof createAuthService>;
