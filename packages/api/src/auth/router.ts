// Sign-in, sign-out, first-admin setup and own password change.
import { publicProcedure, router, viewerProcedure } from '../trpc.ts';
import { requireUser } from './require-user.ts';
import { ChangePasswordInput, LoginInput, SetupAdminInput } from './schema.ts';

export const authRouter = router({
  me: publicProcedure.query(async ({ ctx }) => {
    const actor = ctx.actor;
    const user = actor.kind === 'user' ? { id: actor.userId, username: actor.username, role: actor.role } : null;
    return { user, setupRequired: user ? false : await ctx.services.auth.needsSetup() };
  }),
  login: publicProcedure.input(LoginInput).mutation(async ({ ctx, input }) => {
    const { user, token, expiresAt } = await ctx.services.auth.login(input, ctx.meta);
    ctx.setSessionCookie(token, expiresAt);
    return { user };
  }),
  setupAdmin: publicProcedure.input(SetupAdminInput).mutation(async ({ ctx, input }) => {
    const { user, token, expiresAt } = await ctx.services.auth.setupAdmin(input, ctx.meta);
    ctx.setSessionCookie(token, expiresAt);
    return { user };
  }),
  logout: publicProcedure.mutation(async ({ ctx }) => {
    await ctx.services.auth.logout(ctx.actor, ctx.meta);
    ctx.clearSessionCookie();
    return { ok: true as const };
  }),
  logoutEverywhere: viewerProcedure.mutation(async ({ ctx }) => {
    const result = await ctx.services.auth.logoutEverywhere(requireUser(ctx.actor), ctx.meta);
    ctx.clearSessionCookie();
    return result;
  }),
  changePassword: viewerProcedure
    .input(ChangePasswordInput)
    .mutation(({ ctx, input }) => ctx.services.auth.changePassword(requireUser(ctx.actor), input, ctx.meta)),
});
