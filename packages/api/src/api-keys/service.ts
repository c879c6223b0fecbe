// API keys: `mc_` user keys act with at most their creator's role; `mca_` agent keys are bound to one
// agent. Only SHA-256 hashes are stored; the secret is returned once, at creation.
import { type PrismaClient, sqliteDate } from '@mc/db';
import type BetterSqlite3 from 'better-sqlite3';
import type { AuditService } from '../audit/service.ts';
import { type Actor, type AgentActor, type Role, roleAtLeast, type UserActor } from '../auth/roles.ts';
import { type RequestMeta, toRole } from '../auth/service.ts';
import { randomSecret, sha256Hex } from '../auth/tokens.ts';
import type { Clock } from '../clock.ts';
import { forbidden, notFound } from '../errors.ts';

export const USER_KEY_PREFIX = 'mc_';
export const AGENT_KEY_PREFIX = 'mca_';
const LAST_USED_WRITE_EVERY_MS = 60_000;
const KEY_CACHE_MS = 10_000;
const KEY_CACHE_MAX = 10_000;

type KeyRow = {
  id: string; name: string; displayPrefix: string; role: string; createdAt: Date; lastUsedAt: Date | null;
  expiresAt: Date | null; revokedAt: Date | null; agentId: string | null; user: { username: string } | null;
};

export function toApiKeyView(row: KeyRow, agentNames: Map<string, string> = new Map()) {
  return {
    id: row.id,
    name: row.name,
    displayPrefix: row.displayPrefix,
    role: toRole(row.role),
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    ownerUsername: row.user?.username ?? null,
    agentName: row.agentId ? (agentNames.get(row.agentId) ?? row.agentId) : null,
  };
}

export type ApiKeyView = ReturnType<typeof toApiKeyView>;

export function createApiKeysService({ db, sqlite, clock, audit }: { db: PrismaClient; sqlite: BetterSqlite3.Database; clock: Clock; audit: AuditService }) {
  async function create(actor: UserActor, input: { name: string; role: Role; expiresInDays?: number | null }, meta: RequestMeta) {
    if (!roleAtLeast(actor.role, input.role)) throw forbidden(`You cannot create a key with more rights than your own role (${actor.role})`);
    const secret = USER_KEY_PREFIX + randomSecret();
    const now = clock.now();
    const row = await db.apiKey.create({
      data: {
        prefix: USER_KEY_PREFIX,
        hash: sha256Hex(secret),
        displayPrefix: secret.slice(0, 10),
        name: input.name,
        role: input.role,
        userId: actor.userId,
        createdAt: now,
        expiresAt: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null,
      },
      include: { user: { select: { username: true } } },
    });
    await audit.record({ actor, action: 'apiKey.created', targetType: 'apiKey', targetId: row.id, ip: meta.ip, details: { name: input.name, role: input.role } });
    return { secret, apiKey: toApiKeyView(row) };
  }

  /** Creates an agent key bound to `agentId` (admin action; the agents service checks the agent exists). */
  async function createForAgent(actor: UserActor, agent: { id: string; name: string }, name: string, meta: RequestMeta) {
    const secret = AGENT_KEY_PREFIX + randomSecret();
    const row = await db.apiKey.create({
      data: { prefix: AGENT_KEY_PREFIX, hash: sha256Hex(secret), displayPrefix: secret.slice(0, 11), name, role: 'operator', agentId: agent.id, userId: actor.userId, createdAt: clock.now() },
      include: { user: { select: { username: true } } },
    });
    await audit.record({ actor, action: 'apiKey.agent_key_created', targetType: 'agent', targetId: agent.id, ip: meta.ip, details: { name, keyId: row.id } });
    return { secret, apiKey: toApiKeyView(row, new Map([[agent.id, agent.name]])) };
  }

  async function list(actor: UserActor) {
    const rows = await db.apiKey.findMany({
      where: actor.role === 'admin' ? {} : { userId: actor.userId },
      orderBy: { createdAt: 'desc' },
      include: { user: { select: { username: true } } },
    });
    return rows.map((row) => toApiKeyView(row));
  }

  async function revoke(actor: UserActor, id: string, meta: RequestMeta) {
    const key = await db.apiKey.findUnique({ where: { id } });
    if (!key || (actor.role !== 'admin' && key.userId !== actor.userId)) throw notFound('No such API key');
    if (!key.revokedAt) await db.apiKey.update({ where: { id }, data: { revokedAt: clock.now() } });
    forgetCachedKeys();
    await audit.record({ actor, action: 'apiKey.revoked', targetType: 'apiKey', targetId: id, ip: meta.ip, details: { name: key.name } });
    return { ok: true as const };
  }

  // Every API request authenticates: one prepared statement on the raw connection (a Prisma query
  // here cost ~20 % of a heartbeat's CPU). Dates come back as SQLite text.
  const findByHash = sqlite.prepare(
    `SELECT k.id, k.prefix, k.name, k.role, k.agentId, k.expiresAt, k.revokedAt, k.lastUsedAt,
            u.id AS userId, u.username, u.role AS userRole, u.disabledAt
     FROM "ApiKey" k LEFT JOIN "User" u ON u.id = k.userId WHERE k.hash = ?`,
  );
  const touch = sqlite.prepare(`UPDATE "ApiKey" SET lastUsedAt = ? WHERE id = ?`);
  type KeyLookup = {
    id: string; prefix: string; name: string; role: string; agentId: string | null; expiresAt: string | null; revokedAt: string | null;
    lastUsedAt: string | null; userId: string | null; username: string | null; userRole: string | null; disabledAt: string | null;
  };

  // Valid keys by hash, so a busy agent's requests cost no ApiKey query (it was ~7 % of a heartbeat).
  // Every change through the services that ends or narrows a key clears it (revoke, agent removal, owner
  // disabled or re-roled: forgetCachedKeys); entries also lapse after KEY_CACHE_MS, which bounds how long a
  // change made behind the services' back (by hand in SQL) goes unseen. Expiry is checked on every use.
  const cache = new Map<string, { key: KeyLookup; lastUsedMs: number; cachedUntil: number }>();

  function lookup(hash: string, nowMs: number) {
    const hit = cache.get(hash);
    if (hit && hit.cachedUntil > nowMs) return hit;
    const key = findByHash.get(hash) as KeyLookup | undefined;
    if (!key || key.revokedAt || key.disabledAt) {
      cache.delete(hash);
      return null;
    }
    if (cache.size >= KEY_CACHE_MAX) cache.clear();
    const entry = { key, lastUsedMs: key.lastUsedAt ? Date.parse(key.lastUsedAt) : 0, cachedUntil: nowMs + KEY_CACHE_MS };
    cache.set(hash, entry);
    return entry;
  }

  /** Resolves a presented secret to an actor; null for unknown, revoked or expired keys. */
  async function authenticate(secret: string): Promise<Actor | null> {
    if (!(secret.startsWith(USER_KEY_PREFIX) || secret.startsWith(AGENT_KEY_PREFIX)) || secret.length > 100) return null;
    const now = clock.now();
    const nowMs = now.getTime();
    const entry = lookup(sha256Hex(secret), nowMs);
    if (!entry) return null;
    const { key } = entry;
    if (key.expiresAt && Date.parse(key.expiresAt) <= nowMs) return null;
    if (nowMs - entry.lastUsedMs > LAST_USED_WRITE_EVERY_MS) {
      // A single-row autocommit write: safe beside the write lock (it never spans an await).
      touch.run(sqliteDate(now), key.id);
      entry.lastUsedMs = nowMs;
    }
    if (key.prefix === AGENT_KEY_PREFIX && key.agentId) {
      return { kind: 'agent', apiKeyId: key.id, agentId: key.agentId, keyName: key.name } satisfies AgentActor;
    }
    if (!key.userId || !key.username || !key.userRole) return null;
    // A key never has more rights than its owner has today.
    const ownerRole = toRole(key.userRole);
    const role = roleAtLeast(ownerRole, toRole(key.role)) ? toRole(key.role) : ownerRole;
    return { kind: 'user', userId: key.userId, username: key.username, role, apiKeyId: key.id } satisfies UserActor;
  }

  /** Drops every cached key lookup: call after any change that can end or narrow a key. */
  function forgetCachedKeys(): void {
    cache.clear();
  }

  return { create, createForAgent, list, revoke, authenticate, forgetCachedKeys };
}

export type ApiKeysService = ReturnType<typeof createApiKeysService>;
