// Audit log (admin).
import { z } from 'zod';
import { adminProcedure, router } from '../trpc.ts';

export const auditRouter = router({
  list: adminProcedure
    .input(z.object({ action: z.string().max(100).optional(), limit: z.number().int().min(1).max(500).default(100), cursor: z.number().int().positive().optional() }))
    .query(({ ctx, input }) => ctx.services.audit.list(input)),
});
