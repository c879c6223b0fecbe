// Instance summary: version, uptime and a few counts (all indexed counts, cheap).
import type { PrismaClient } from '@mc/db';
import type { Clock } from '../clock.ts';

export const APP_VERSION = '0.1.0';

export function createSystemService({ db, clock }: { db: PrismaClient; clock: Clock }) {
  const startedAt = clock.nowMs();
  async function overview() {
    const [users, activeApiKeys, latest] = await Promise.all([
      db.user.count({ where: { disabledAt: null } }),
      db.apiKey.count({ where: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: clock.now() } }] } }),
      db.event.findFirst({ orderBy: { id: 'desc' }, select: { id: true } }),
    ]);
    return { version: APP_VERSION, users, activeApiKeys, events: latest?.id ?? 0, uptimeS: Math.round((clock.nowMs() - startedAt) / 1000) };
  }
  return { overview };
}
