// Instance-level facts for the overview page.
import { router, viewerProcedure } from '../trpc.ts';

export const systemRouter = router({
  overview: viewerProcedure.query(({ ctx }) => ctx.services.system.overview()),
});
