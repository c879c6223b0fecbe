// Key/value settings stored as JSON, validated by the caller's zod schema on read.
import type { Database } from '@mc/db';
import type { z } from 'zod';
import type { Clock } from '../clock.ts';

export function createSettingsService({ database, clock }: { database: Database; clock: Clock }) {
  const db = database.prisma;
  // Reads are raw: housekeeping reads settings, and an idle server should not start Prisma's query engine.
  const read = database.sqlite.prepare('SELECT value FROM "Setting" WHERE key = ?');
  async function get<T extends z.ZodType>(key: string, schema: T, fallback: z.output<T>): Promise<z.output<T>> {
    const row = read.get(key) as { value: string } | undefined;
    if (!row) return fallback;
    const parsed = schema.safeParse(JSON.parse(row.value));
    return parsed.success ? parsed.data : fallback;
  }

  async function set(key: string, value: unknown): Promise<void> {
    const json = JSON.stringify(value);
    await db.setting.upsert({ where: { key }, create: { key, value: json, updatedAt: clock.now() }, update: { value: json, updatedAt: clock.now() } });
  }

  return { get, set };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
