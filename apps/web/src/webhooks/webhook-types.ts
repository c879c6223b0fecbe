// Webhook row types, inferred from the router (never written by hand).
import type { MutationOutput, QueryOutput, trpc } from '../lib/trpc';

export type WebhookRow = QueryOutput<typeof trpc.webhooks.list>[number];
export type CreatedWebhook = MutationOutput<typeof trpc.webhooks.create>;
export type DeliveryPage = QueryOutput<typeof trpc.webhooks.deliveries>;
export type DeliveryRow = DeliveryPage['items'][number];
export type AttemptRow = QueryOutput<typeof trpc.webhooks.attempts>[number];
export type DeliveryStatus = DeliveryRow['status'];

/** Event families offered as chips; anything else can be typed as a custom pattern. */
export const EVENT_FAMILIES = ['*', 'agent.*', 'task.*', 'usage.*', 'budget.*', 'cron.*', 'gateway.*', 'session.*', 'pipeline.*', 'webhook.*'] as const;

export const DELIVERY_STATUS_LABELS: Record<DeliveryStatus, string> = {
  pending: 'Pending',
  retrying: 'Retrying',
  succeeded: 'Succeeded',
  failed: 'Failed',
  dead: 'Gave up',
};
