// Fleet view procedures; admin actions for agent keys and removal.
import { requireUser } from '../auth/require-user.ts';
import { adminProcedure, router, viewerProcedure } from '../trpc.ts';
import { z } from 'zod';
import { AgentKeyInput, AgentRef, FleetListInput } from './schema.ts';

export const agentsRouter = router({
  list: viewerProcedure.input(FleetListInput.optional()).query(({ ctx, input }) => ctx.services.agents.list(input?.since ? new Date(input.since) : undefined)),
  byId: viewerProcedure.input(z.object({ agentRef: AgentRef })).query(({ ctx, input }) => ctx.services.agents.byId(input.agentRef)),
  createKey: adminProcedure.input(AgentKeyInput).mutation(({ ctx, input }) => ctx.services.agents.createKey(requireUser(ctx.actor), input.agentId, input.name, ctx.meta)),
  revokeKey: adminProcedure.input(z.object({ id: z.string().min(1).max(64) })).mutation(({ ctx, input }) => ctx.services.apiKeys.revoke(requireUser(ctx.actor), input.id, ctx.meta)),
  remove: adminProcedure.input(z.object({ agentId: z.string().min(1).max(64) })).mutation(({ ctx, input }) => ctx.services.agents.remove(requireUser(ctx.actor), input.agentId, ctx.meta)),
});
