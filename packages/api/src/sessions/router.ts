// Sessions page procedures: read for viewers, abort/send for operators, reset/delete for admins.
import { requireUser } from '../auth/require-user.ts';
import { adminProcedure, operatorProcedure, router, viewerProcedure } from '../trpc.ts';
import { ListSessionsInput, SendSessionMessageInput, SessionRefInput } from './schema.ts';

export const gatewaySessionsRouter = router({
  list: viewerProcedure.input(ListSessionsInput).query(({ ctx, input }) => ctx.services.gatewaySessions.list(input)),
  preview: viewerProcedure.input(SessionRefInput).query(({ ctx, input }) => ctx.services.gatewaySessions.preview(input)),
  abort: operatorProcedure.input(SessionRefInput).mutation(({ ctx, input }) => ctx.services.gatewaySessions.abort(requireUser(ctx.actor), input, ctx.meta)),
  send: operatorProcedure.input(SendSessionMessageInput).mutation(({ ctx, input }) => ctx.services.gatewaySessions.send(requireUser(ctx.actor), input, ctx.meta)),
  reset: adminProcedure.input(SessionRefInput).mutation(({ ctx, input }) => ctx.services.gatewaySessions.reset(requireUser(ctx.actor), input, ctx.meta)),
  delete: adminProcedure.input(SessionRefInput).mutation(({ ctx, input }) => ctx.services.gatewaySessions.delete(requireUser(ctx.actor), input, ctx.meta)),
});
