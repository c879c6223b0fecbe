// Webhook procedures: admin only (ARCHITECTURE.md §5). The secret appears only in create and
// rotateSecret results; every other output is a view without it.
import { requireUser } from '../auth/require-user.ts';
import { adminProcedure, router } from '../trpc.ts';
import { CreateWebhookInput, DeliveryIdInput, ListDeliveriesInput, SetWebhookEnabledInput, UpdateWebhookInput, WebhookIdInput } from './schema.ts';

export const webhooksRouter = router({
  list: adminProcedure.query(({ ctx }) => ctx.services.webhooks.list()),
  create: adminProcedure.input(CreateWebhookInput).mutation(({ ctx, input }) => ctx.services.webhooks.create(requireUser(ctx.actor), input, ctx.meta)),
  update: adminProcedure.input(UpdateWebhookInput).mutation(({ ctx, input }) => ctx.services.webhooks.update(requireUser(ctx.actor), input, ctx.meta)),
  setEnabled: adminProcedure
    .input(SetWebhookEnabledInput)
    .mutation(({ ctx, input }) => ctx.services.webhooks.setEnabled(requireUser(ctx.actor), input.id, input.enabled, ctx.meta)),
  rotateSecret: adminProcedure.input(WebhookIdInput).mutation(({ ctx, input }) => ctx.services.webhooks.rotateSecret(requireUser(ctx.actor), input.id, ctx.meta)),
  remove: adminProcedure.input(WebhookIdInput).mutation(({ ctx, input }) => ctx.services.webhooks.remove(requireUser(ctx.actor), input.id, ctx.meta)),
  sendTest: adminProcedure.input(WebhookIdInput).mutation(({ ctx, input }) => ctx.services.webhooks.sendTest(requireUser(ctx.actor), input.id, ctx.meta)),
  deliveries: adminProcedure.input(ListDeliveriesInput).query(({ ctx, input }) => ctx.services.webhooks.listDeliveries(input)),
  attempts: adminProcedure.input(DeliveryIdInput).query(({ ctx, input }) => ctx.services.webhooks.listAttempts(input.id)),
  redeliver: adminProcedure.input(DeliveryIdInput).mutation(({ ctx, input }) => ctx.services.webhooks.redeliver(requireUser(ctx.actor), input.id, ctx.meta)),
});
