// Browser sessions (the Lucia v3 guide's pattern): the cookie holds a random token, the DB holds only
// SHA-256(token). 30-day inactivity expiry, renewed at most once a minute to keep reads cheap.
import { type Database, sqliteDate } from '@mc/db';
import type { Clock } from '../clock.ts';
import type { EventBus } from '../events/bus.ts';
import { type Role, ROLES, type UserActor } from './roles.ts';
import { randomSecret, sha256Hex } from './tokens.ts';

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
const RENEW_AFTER_MS = 60 * 1000;

export function createSessionsService({ database, clock, bus }: { database: Database; clock: Clock; bus: EventBus }) {
  const db = database.prisma;
  async function create(userId: string, meta: { ip?: string | null; userAgent?: string | null }) {
    const token = randomSecret();
    const now = clock.now();
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
    await db.session.create({
      data: { id: sha256Hex(token), userId, expiresAt, lastSeenAt: now, createdAt: now, ip: meta.ip ?? null, userAgent: meta.userAgent?.slice(0, 300) ?? null },
    });
    return { token, expiresAt };
  }

  /** Resolves a cookie token to its user, sliding the expiry; null when unknown, expired or disabled. */
  async function validate(token: string): Promise<{ actor: UserActor; expiresAt: Date } | null> {
    if (token.length < 20 || token.length > 100) return null;
    const id = sha256Hex(token);
    const session = await db.session.findUnique({ where: { id }, include: { user: true } });
    if (!session) return null;
    const now = clock.now();
    if (session.expiresAt <= now || session.user.disabledAt) {
      await db.session.deleteMany({ where: { id } });
      return null;
    }
    let expiresAt = session.expiresAt;
    if (now.getTime() - session.lastSeenAt.getTime() > RENEW_AFTER_MS) {
      expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
      await db.session.updateMany({ where: { id }, data: { lastSeenAt: now, expiresAt } });
    }
    const role = (ROLES as readonly string[]).includes(session.user.role) ? (session.user.role as Role) : 'viewer';
    return { actor: { kind: 'user', userId: session.userId, username: session.user.username, role, sessionId: id }, expiresAt };
  }

  async function stillValid(sessionId: string): Promise<boolean> {
    const session = await db.session.findUnique({ where: { id: sessionId }, select: { expiresAt: true } });
    return !!session && session.expiresAt > clock.now();
  }

  async function revoke(sessionId: string): Promise<void> {
    await db.session.deleteMany({ where: { id: sessionId } });
    bus.revokeSessions([sessionId]);
  }

  async function revokeAllForUser(userId: string): Promise<number> {
    const sessions = await db.session.findMany({ where: { userId }, select: { id: true } });
    await db.session.deleteMany({ where: { userId } });
    bus.revokeSessions(sessions.map((s) => s.id));
    return sessions.length;
  }

  /** Housekeeping; raw SQL, so an idle server never starts Prisma's query engine. */
  async function pruneExpired(): Promise<number> {
    return database.rawTransaction((sqlite) => sqlite.prepare('DELETE FROM "Session" WHERE expiresAt < ?').run(sqliteDate(clock.now())).changes);
  }

  return { create, validate, stillValid, revoke, revokeAllForUser, pruneExpired };
}

export type SessionsService = ReturnType<typeof createSessionsService>;
