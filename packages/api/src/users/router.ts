// Admin user management procedures.
import { requireUser } from '../auth/require-user.ts';
import { CreateUserInput, ResetPasswordInput, SetDisabledInput, SetRoleInput } from '../auth/schema.ts';
import { adminProcedure, router } from '../trpc.ts';

export const usersRouter = router({
  list: adminProcedure.query(({ ctx }) => ctx.services.users.list()),
  create: adminProcedure.input(CreateUserInput).mutation(({ ctx, input }) => ctx.services.users.create(requireUser(ctx.actor), input, ctx.meta)),
  setRole: adminProcedure.input(SetRoleInput).mutation(({ ctx, input }) => ctx.services.users.setRole(requireUser(ctx.actor), input, ctx.meta)),
  setDisabled: adminProcedure.input(SetDisabledInput).mutation(({ ctx, input }) => ctx.services.users.setDisabled(requireUser(ctx.actor), input, ctx.meta)),
  resetPassword: adminProcedure.input(ResetPasswordInput).mutation(({ ctx, input }) => ctx.services.users.resetPassword(requireUser(ctx.actor), input, ctx.meta)),
});
