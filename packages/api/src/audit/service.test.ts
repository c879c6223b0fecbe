import { createTestDb, type TestDatabase } from '@mc/db/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserActor } from '../auth/roles.ts';
import { createFakeClock } from '../clock.ts';
import { createAuditService, csvField } from './service.ts';
import { createSettingsService } from '../settings/service.ts';

const clock = createFakeClock('2026-11-26T10:00:00Z');
const ada: UserActor = { kind: 'user', userId: 'u-ada', username: 'ada', role: 'admin' };
const bob: UserActor = { kind: 'user', userId: 'u-bob', username: 'bob', role: 'operator' };
let db: TestDatabase;
let audit: ReturnType<typeof createAuditService>;

async function collect(chunks: AsyncIterable<string>) {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

beforeAll(async () => {
  db = await createTestDb();
  audit = createAuditService({ database: db, clock, settings: createSettingsService({ database: db, clock }) });
  await audit.record({ actor: ada, action: 'webhook.created', targetType: 'webhook', targetId: 'w1', ip: '10.0.0.1', details: { url: 'https://x' } });
  clock.advanceBy(86_400_000);
  await audit.record({ actor: bob, action: 'task.moved', targetType: 'task', targetId: 't1', ip: '10.0.0.2' });
  clock.advanceBy(86_400_000);
  await audit.record({ actor: ada, action: 'webhook.deleted', targetType: 'webhook', targetId: 'w1', ip: '10.0.0.1', details: { note: '=HYPERLINK("x"), "quoted"' } });
});
afterAll(async () => {
  await db.close();
});

describe('audit service', () => {
  it('filters by actor, action prefix and time range, newest first', async () => {
    expect((await audit.list({ actor: 'ada', limit: 10 })).map((e) => e.action)).toEqual(['webhook.deleted', 'webhook.created']);
    expect((await audit.list({ actor: 'u-bob', limit: 10 })).map((e) => e.action)).toEqual(['task.moved']);
    expect((await audit.list({ action: 'webhook.', limit: 10 })).map((e) => e.action)).toEqual(['webhook.deleted', 'webhook.created']);
    const day2 = await audit.list({ from: new Date('2026-11-27T00:00:00Z'), to: new Date('2026-11-28T00:00:00Z'), limit: 10 });
    expect(day2.map((e) => e.action)).toEqual(['task.moved']);
    const [newest] = await audit.list({ limit: 1 });
    expect((await audit.list({ limit: 10, cursor: newest?.id })).map((e) => e.action)).toEqual(['task.moved', 'webhook.created']);
  });

  it('exports CSV with quoting and spreadsheet-formula defusing, and JSON, and audits the export', async () => {
    const csv = await audit.exportLog(ada, { action: 'webhook.' }, 'csv', { ip: '10.0.0.9' });
    expect(csv.contentType).toBe('text/csv; charset=utf-8');
    expect(csv.filename).toMatch(/^mission-control-audit-2026-11-28-10-00-00\.csv$/);
    const lines = (await collect(csv.chunks)).trim().split('\n');
    expect(lines[0]).toBe('id,at,actorType,actorId,actorName,action,targetType,targetId,ip,details');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('"{""note"":""=HYPERLINK(\\""x\\""), \\""quoted\\""""}"');
    const json = await audit.exportLog(ada, { actor: 'bob' }, 'json', { ip: '10.0.0.9' });
    expect(JSON.parse(await collect(json.chunks))).toMatchObject([{ action: 'task.moved', actorName: 'bob', ip: '10.0.0.2' }]);
    expect((await audit.list({ action: 'audit.exported', limit: 10 })).map((e) => e.ip)).toEqual(['10.0.0.9', '10.0.0.9']);
  });

  it('defuses formula-looking CSV fields', () => {
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('-2')).toBe("'-2");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField(null)).toBe('');
  });

  it('keeps a year by default, prunes past the configured retention, and 0 keeps everything', async () => {
    expect(await audit.getRetention()).toEqual({ days: 365 });
    await audit.setRetention(ada, { days: 0 }, { ip: null });
    clock.advanceBy(400 * 86_400_000);
    expect(await audit.pruneExpired()).toBe(0);
    await audit.setRetention(ada, { days: 30 }, { ip: null });
    const before = (await audit.list({ limit: 100 })).length;
    const pruned = await audit.pruneExpired();
    expect(pruned).toBe(before - 1); // only the retention change just made is younger than 30 days
    expect((await audit.list({ limit: 100 })).map((e) => e.action)).toEqual(['audit.retention_changed']);
  });
});
