// At-least-once across a restart: deliveries waiting for a retry, and events committed while the
// dispatcher was down, are all delivered by the next process with their original event ids.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '../clock.ts';
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
});
