// Audit log (admin): filtered pages, retention setting. The export is a REST route (rest.ts) so the
// browser can download it.
import { requireUser } from '../auth/require-user.ts';
import { adminProcedure, router } from '../trpc.ts';
import { AuditRetention, ListAuditInput } from './schema.ts';

export const auditRouter = router({
  list: adminProcedure.input(ListAuditInput).query(({ ctx, input }) => ctx.services.audit.list(input)),
  retention: adminProcedure.query(({ ctx }) => ctx.services.audit.getRetention()),
  setRetention: adminProcedure.input(AuditRetention).mutation(({ ctx, input }) => ctx.services.audit.setRetention(requireUser(ctx.actor), input, ctx.meta)),
});
