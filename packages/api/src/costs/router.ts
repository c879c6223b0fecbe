// Cost analytics procedures: viewers read, admins set the costs time zone.
import { requireUser } from '../auth/require-user.ts';
import { adminProcedure, router, viewerProcedure } from '../trpc.ts';
import { BreakdownInput, RecordsInput, TimeseriesInput, TimeZoneInput } from './schema.ts';

export const costsRouter = router({
  summary: viewerProcedure.query(({ ctx }) => ctx.services.costs.summary()),
  timeseries: viewerProcedure.input(TimeseriesInput).query(({ ctx, input }) => ctx.services.costs.timeseries(input)),
  breakdown: viewerProcedure.input(BreakdownInput).query(({ ctx, input }) => ctx.services.costs.breakdown(input)),
  records: viewerProcedure.input(RecordsInput).query(({ ctx, input }) => ctx.services.costs.records(input)),
  setTimeZone: adminProcedure.input(TimeZoneInput).mutation(({ ctx, input }) => ctx.services.costs.setTimeZone(requireUser(ctx.actor), input.timeZone, ctx.meta)),
});
