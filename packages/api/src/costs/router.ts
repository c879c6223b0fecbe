// Cost analytics procedures: viewers read, admins set the costs time zone and the usage detail retention.
import { requireUser } from '../auth/require-user.ts';
import { adminProcedure, router, viewerProcedure } from '../trpc.ts';
import { BreakdownInput, RecordsInput, TimeseriesInput, TimeZoneInput } from './schema.ts';
import { UsageRetention } from './usage-retention.ts';

export const costsRouter = router({
  summary: viewerProcedure.query(({ ctx }) => ctx.services.costs.summary()),
  timeseries: viewerProcedure.input(TimeseriesInput).query(({ ctx, input }) => ctx.services.costs.timeseries(input)),
  breakdown: viewerProcedure.input(BreakdownInput).query(({ ctx, input }) => ctx.services.costs.breakdown(input)),
  records: viewerProcedure.input(RecordsInput).query(({ ctx, input }) => ctx.services.costs.records(input)),
  detailRetention: viewerProcedure.query(({ ctx }) => ctx.services.costs.detailRetention()),
  setDetailRetention: adminProcedure.input(UsageRetention).mutation(({ ctx, input }) => ctx.services.costs.setDetailRetention(requireUser(ctx.actor), input, ctx.meta)),
  setTimeZone: adminProcedure.input(TimeZoneInput).mutation(({ ctx, input }) => ctx.services.costs.setTimeZone(requireUser(ctx.actor), input.timeZone, ctx.meta)),
});
