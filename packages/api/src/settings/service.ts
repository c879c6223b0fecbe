// Key/value settings stored as JSON, validated by the caller's zod schema on read.
import type { PrismaClient } from '@mc/db';
import type { z } from 'zod';
import type { Clock } from '../clock.ts';

export function createSettingsService({ db, clock }: { db: PrismaClient; clock: Clock }) {
  async function get<T extends z.ZodType>(key: string, schema: T, fallback: z.output<T>): Promise<z.output<T>> {
    const row = await db.setting.findUnique({ where: { key } });
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
