// Gateway procedures: list for viewers, every change and the connection test for admins
// (ARCHITECTURE.md §5). No output carries a secret.
import { requireUser } from '../auth/require-user.ts';
import { adminProcedure, router, viewerProcedure } from '../trpc.ts';
import { CreateGatewayInput, GatewayIdInput, TestGatewayInput, UpdateGatewayInput } from './schema.ts';

export const gatewaysRouter = router({
  list: viewerProcedure.query(({ ctx }) => ctx.services.gateways.list()),
  create: adminProcedure.input(CreateGatewayInput).mutation(({ ctx, input }) => ctx.services.gateways.create(requireUser(ctx.actor), input, ctx.meta)),
  update: adminProcedure.input(UpdateGatewayInput).mutation(({ ctx, input }) => ctx.services.gateways.update(requireUser(ctx.actor), input, ctx.meta)),
  remove: adminProcedure.input(GatewayIdInput).mutation(({ ctx, input }) => ctx.services.gateways.remove(requireUser(ctx.actor), input.id, ctx.meta)),
  retryNow: adminProcedure.input(GatewayIdInput).mutation(({ ctx, input }) => ctx.services.gateways.retryNow(input.id)),
  test: adminProcedure.input(TestGatewayInput).mutation(({ ctx, input }) => ctx.services.gateways.test(input)),
});
