// Live events over tRPC WS: listen first, catch up from the client's last id, then stream live
// events, each tracked by its id so a reconnect resumes exactly (ARCHITECTURE.md §3).
import { tracked } from '@trpc/server';
import { z } from 'zod';
import { router, viewerProcedure } from '../trpc.ts';
import type { BusEvent } from './bus.ts';
import { maySee } from './service.ts';

export type LiveEvent = { id: number; type: string; payload: unknown; createdAt: string };
/** `cursor` opens a fresh stream: it carries the newest id so a client that pauses before any event
 * arrives can still resume exactly. `resync`: the gap was not replayable, refetch. */
export type LiveMessage = LiveEvent | { type: 'resync'; latestId: number } | { type: 'cursor'; latestId: number };

const toLive = (event: BusEvent): LiveEvent => ({ id: event.id, type: event.type, payload: event.payload, createdAt: event.createdAt });

export const eventsRouter = router({
  onEvent: viewerProcedure
    .input(z.object({ lastEventId: z.string().regex(/^\d{1,15}$/).nullish() }))
    .subscription(async function* ({ ctx, input, signal }) {
      const stop = new AbortController();
      signal?.addEventListener('abort', () => stop.abort(), { once: true });
      const live = ctx.services.bus.listen(stop.signal); // 1. listen first (buffers)
      try {
        let cursor: number;
        if (input.lastEventId == null) {
          cursor = await ctx.services.events.latestId();
          yield tracked(String(cursor), { type: 'cursor', latestId: cursor } as LiveMessage);
        } else {
          cursor = Number(input.lastEventId);
          const missed = await ctx.services.events.since(cursor, ctx.actor); // 2. catch up
          if (missed.kind === 'resync') {
            cursor = missed.latestId;
            yield tracked(String(cursor), { type: 'resync', latestId: cursor } as LiveMessage);
          } else {
            for (const event of missed.events) {
              cursor = event.id;
              yield tracked(String(event.id), toLive(event) as LiveMessage);
            }
          }
        }
        for await (const event of live) {
          // 3. live, skipping what the catch-up already sent
          if (event.id <= cursor || !maySee(ctx.actor, event)) continue;
          cursor = event.id;
          yield tracked(String(event.id), toLive(event) as LiveMessage);
        }
      } finally {
        stop.abort();
      }
    }),
});
