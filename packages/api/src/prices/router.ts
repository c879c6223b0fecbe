// Price table procedures: viewers see prices, unpriced models and re-pricing runs; admins override prices
// and re-price history (preview first, then apply).
import { requireUser } from '../auth/require-user.ts';
import { adminProcedure, router, viewerProcedure } from '../trpc.ts';
import { RemoveOverrideInput, RepriceInput, SetOverrideInput, UnpricedInput } from './schema.ts';

export const pricesRouter = router({
  list: viewerProcedure.query(({ ctx }) => ctx.services.prices.list()),
  unpriced: viewerProcedure.input(UnpricedInput).query(({ ctx, input }) => ctx.services.prices.unpriced(input)),
  runs: viewerProcedure.query(({ ctx }) => ctx.services.prices.recentRuns()),
  setOverride: adminProcedure.input(SetOverrideInput).mutation(({ ctx, input }) => ctx.services.prices.setOverride(requireUser(ctx.actor), input.model, input.entry, ctx.meta)),
  removeOverride: adminProcedure.input(RemoveOverrideInput).mutation(({ ctx, input }) => ctx.services.prices.removeOverride(requireUser(ctx.actor), input.model, ctx.meta)),
  previewReprice: adminProcedure.input(RepriceInput).query(({ ctx, input }) => ctx.services.prices.previewReprice(input)),
  applyReprice: adminProcedure.input(RepriceInput).mutation(({ ctx, input }) => ctx.services.prices.applyReprice(requireUser(ctx.actor), input, ctx.meta)),
});
