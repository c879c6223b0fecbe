// API key procedures: operators manage their own keys, admins all keys.
import { requireUser } from '../auth/require-user.ts';
import { operatorProcedure, router } from '../trpc.ts';
import { CreateApiKeyInput, RevokeApiKeyInput } from './schema.ts';

export const apiKeysRouter = router({
  list: operatorProcedure.query(({ ctx }) => ctx.services.apiKeys.list(requireUser(ctx.actor))),
  create: operatorProcedure.input(CreateApiKeyInput).mutation(({ ctx, input }) => ctx.services.apiKeys.create(requireUser(ctx.actor), input, ctx.meta)),
  revoke: operatorProcedure.input(RevokeApiKeyInput).mutation(({ ctx, input }) => ctx.services.apiKeys.revoke(requireUser(ctx.actor), input.id, ctx.meta)),
});
