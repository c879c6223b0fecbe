// Inputs of the webhook procedures (shared with the web app). URLs: http(s) only, no credentials,
// at most 2048 characters; event filters: 1–50 patterns (`*`, `agent.*`, `task.created`).
import { z } from 'zod';
import { EVENT_PATTERN } from './event-filter.ts';

export const DELIVERY_STATUSES = ['pending', 'retrying', 'succeeded', 'failed', 'dead'] as const;
export const DeliveryStatus = z.enum(DELIVERY_STATUSES);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

export const WebhookUrl = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(2048, 'must be at most 2048 characters')
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not a valid URL (e.g. https://hooks.example.com/mission-control)' });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: `must use http or https, not ${url.protocol.replace(':', '')}` });
    else if (url.username || url.password) ctx.addIssue({ code: 'custom', message: 'must not contain a user name or password; authenticate with the signature instead' });
    else if (!url.hostname) ctx.addIssue({ code: 'custom', message: 'needs a host name' });
  });

export const EventPattern = z
  .string()
  .trim()
  .max(100)
  .regex(EVENT_PATTERN, 'must be *, an event type like task.created, or a family like agent.*');
export const EventFilter = z.array(EventPattern).min(1, 'needs at least one event pattern').max(50).transform((patterns) => [...new Set(patterns)]);

const WebhookId = z.string().min(1).max(64);
const Description = z.string().trim().max(500, 'must be at most 500 characters');

export const CreateWebhookInput = z.object({
  url: WebhookUrl,
  description: Description.default(''),
  eventFilter: EventFilter,
  allowPrivateNetwork: z.boolean().default(false),
});
export type CreateWebhookInput = z.infer<typeof CreateWebhookInput>;

export const UpdateWebhookInput = z.object({
  id: WebhookId,
  url: WebhookUrl.optional(),
  description: Description.optional(),
  eventFilter: EventFilter.optional(),
  allowPrivateNetwork: z.boolean().optional(),
});
export type UpdateWebhookInput = z.infer<typeof UpdateWebhookInput>;

export const WebhookIdInput = z.object({ id: WebhookId });
export const SetWebhookEnabledInput = z.object({ id: WebhookId, enabled: z.boolean() });
export const DeliveryIdInput = z.object({ id: z.string().min(1).max(64) });

export const ListDeliveriesInput = z.object({
  webhookId: WebhookId.optional(),
  status: DeliveryStatus.optional(),
  eventType: z.string().trim().max(100).optional(),
  limit: z.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(64).optional(),
});
export type ListDeliveriesInput = z.infer<typeof ListDeliveriesInput>;
