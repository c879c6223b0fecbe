// Attention view procedures: every signed-in user has their own acknowledgements and snoozes.
import { requireUser } from '../auth/require-user.ts';
import { router, viewerProcedure } from '../trpc.ts';
import { AcknowledgeInput, SnoozeInput } from './schema.ts';

export const attentionRouter = router({
  list: viewerProcedure.query(({ ctx }) => ctx.services.attention.list(requireUser(ctx.actor))),
  glance: viewerProcedure.query(({ ctx }) => ctx.services.attention.glance()),
  acknowledge: viewerProcedure.input(AcknowledgeInput).mutation(({ ctx, input }) => ctx.services.attention.acknowledge(requireUser(ctx.actor), input.key)),
  snooze: viewerProcedure.input(SnoozeInput).mutation(({ ctx, input }) => ctx.services.attention.snooze(requireUser(ctx.actor), input.key, input.minutes)),
  restore: viewerProcedure.input(AcknowledgeInput).mutation(({ ctx, input }) => ctx.services.attention.restore(requireUser(ctx.actor), input.key)),
});
