// Budget procedures: viewers see budgets and their progress, admins manage them.
import { requireUser } from '../auth/require-user.ts';
import { adminProcedure, router, viewerProcedure } from '../trpc.ts';
import { BudgetIdInput, CreateBudgetInput, UpdateBudgetInput } from './schema.ts';

export const budgetsRouter = router({
  list: viewerProcedure.query(({ ctx }) => ctx.services.budgets.list()),
  create: adminProcedure.input(CreateBudgetInput).mutation(({ ctx, input }) => ctx.services.budgets.create(requireUser(ctx.actor), input, ctx.meta)),
  update: adminProcedure.input(UpdateBudgetInput).mutation(({ ctx, input }) => ctx.services.budgets.update(requireUser(ctx.actor), input, ctx.meta)),
  remove: adminProcedure.input(BudgetIdInput).mutation(({ ctx, input }) => ctx.services.budgets.remove(requireUser(ctx.actor), input.id, ctx.meta)),
});
