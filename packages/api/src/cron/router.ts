// Cron page procedures: list and history for viewers; run now for admins (needs operator.admin on the
// gateway connection too).
import { requireUser } from '../auth/require-user.ts';
import { adminProcedure, router, viewerProcedure } from '../trpc.ts';
import { CronJobRefInput, CronRunsInput, ListCronJobsInput } from './schema.ts';

export const cronRouter = router({
  list: viewerProcedure.input(ListCronJobsInput).query(({ ctx, input }) => ctx.services.cron.list(input)),
  runs: viewerProcedure.input(CronRunsInput).query(({ ctx, input }) => ctx.services.cron.runs(input)),
  runNow: adminProcedure.input(CronJobRefInput).mutation(({ ctx, input }) => ctx.services.cron.runNow(requireUser(ctx.actor), input, ctx.meta)),
});
