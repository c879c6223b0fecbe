// At-least-once across a restart: deliveries waiting for a retry, and events committed while the
// dispatcher was down, are all delivered by the next process with their original event ids.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '../clock.ts';
import { FANOUT_CURSOR_KEY } from './dispatcher.ts';
import { startReceiver, startWebhookHarness, TEST_ADMIN_ACTOR, TEST_META } from './test-kit.ts';

const dir = mkdtempSync(join(tmpdir(), 'mc-webhooks-restart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('webhook dispatcher restart', () => {
  it('loses nothing when the server restarts mid-retry', async () => {
    const file = join(dir, 'mc.db');
    const secretKey = randomBytes(32);
    const clock = createFakeClock(new Date(Math.floor(Date.now() / 1000) * 1000));
    const hook = await startReceiver((_req, res) => {
      res.statusCode = 502;
      res.end();
    });
    try {
      const first = await startWebhookHarness({ file, secretKey, clock });
      const { webhook } = await first.services.webhooks.create(TEST_ADMIN_ACTOR, { url: hook.url, description: '', eventFilter: ['task.*'], allowPrivateNetwork: true }, TEST_META);
      const a = await first.services.events.emit({ type: 'task.created', payload: { n: 1 } });
      const b = await first.services.events.emit({ type: 'task.moved', payload: { n: 2 } });
      await first.dispatcher.idle();
      expect(hook.requests).toHaveLength(2);
      await first.dispatcher.stop();
      // Committed while no dispatcher runs: only the outbox knows about it.
      const c = await first.services.events.emit({ type: 'task.updated', payload: { n: 3 } });
      await first.shutdown();

      hook.respondWith((_req, res) => res.end('ok'));
      const second = await startWebhookHarness({ file, secretKey, clock });
      try {
        await second.dispatcher.idle();
        expect(hook.requests.map((r) => r.headers['webhook-id'])).toEqual([`evt_${a.id}`, `evt_${b.id}`, `evt_${c.id}`]);
        clock.advanceBy(60_000);
        await second.dispatcher.idle();
        const rows = await second.database.prisma.webhookDelivery.findMany({ where: { webhookId: webhook.id }, orderBy: { eventId: 'asc' } });
        expect(rows.map((row) => [row.eventId, row.status, row.attempt])).toEqual([
          [a.id, 'succeeded', 2],
          [b.id, 'succeeded', 2],
          [c.id, 'succeeded', 1],
        ]);
        expect(hook.requests.slice(3).map((r) => r.headers['webhook-id']).sort()).toEqual([`evt_${a.id}`, `evt_${b.id}`].sort());
      } finally {
        await second.shutdown();
      }
    } finally {
      await hook.close();
    }
  });

  it('events no webhook wants cost no write; the cursor is stored on stop, so a webhook created later never gets them', async () => {
    const file = join(dir, 'unmatched.db');
    const secretKey = randomBytes(32);
    const hook = await startReceiver();
    try {
      const first = await startWebhookHarness({ file, secretKey });
      await first.services.webhooks.create(TEST_ADMIN_ACTOR, { url: hook.url, description: '', eventFilter: ['task.*'], allowPrivateNetwork: true }, TEST_META);
      await first.dispatcher.idle();
      const storedCursor = () => first.database.sqlite.prepare('SELECT value FROM "Setting" WHERE key = ?').get(FANOUT_CURSOR_KEY) as { value: string };
      const before = storedCursor().value;
      let last = 0;
      for (let i = 0; i < 20; i++) last = (await first.services.events.emit({ type: 'agent.updated', payload: { i } })).id;
      const changesBefore = first.database.sqlite.prepare('SELECT total_changes() AS n').get() as { n: number };
      await first.dispatcher.idle();
      const changesAfter = first.database.sqlite.prepare('SELECT total_changes() AS n').get() as { n: number };
      expect(changesAfter.n).toBe(changesBefore.n); // fanned out without a write
      expect(storedCursor().value).toBe(before);
      expect(hook.requests).toHaveLength(0);
      await first.shutdown();

      const second = await startWebhookHarness({ file, secretKey });
      try {
        expect(JSON.parse((second.database.sqlite.prepare('SELECT value FROM "Setting" WHERE key = ?').get(FANOUT_CURSOR_KEY) as { value: string }).value)).toEqual({ lastEventId: last });
        await second.services.webhooks.create(TEST_ADMIN_ACTOR, { url: hook.url, description: '', eventFilter: ['*'], allowPrivateNetwork: true }, TEST_META);
        const after = await second.services.events.emit({ type: 'agent.updated', payload: { i: 'after' } });
        await second.dispatcher.idle();
        const delivered = hook.requests.map((r) => r.headers['webhook-id']);
        expect(delivered).toContain(`evt_${after.id}`);
        for (let id = 1; id <= last; id++) expect(delivered).not.toContain(`evt_${id}`);
      } finally {
        await second.shutdown();
      }
    } finally {
      await hook.close();
    }
  });
});
