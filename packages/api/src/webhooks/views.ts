// What webhook procedures return. The sealed secret never leaves the service: these views have no
// secret field, and the plaintext secret is returned only by create and rotateSecret.
import { parseEventFilter } from './event-filter.ts';
import type { DeliveryStatus } from './schema.ts';

type WebhookRow = {
  id: string; url: string; description: string; eventFilter: string; enabled: boolean; allowPrivateNetwork: boolean;
  consecutiveFailures: number; disabledReason: string | null; createdAt: Date; updatedAt: Date; lastDeliveryAt: Date | null;
};

export function toWebhookView(row: WebhookRow) {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventFilter: parseEventFilter(row.eventFilter),
    enabled: row.enabled,
    allowPrivateNetwork: row.allowPrivateNetwork,
    consecutiveFailures: row.consecutiveFailures,
    disabledReason: row.disabledReason,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    lastDeliveryAt: row.lastDeliveryAt?.toISOString() ?? null,
  };
}
export type WebhookView = ReturnType<typeof toWebhookView>;

type DeliveryRow = {
  id: string; webhookId: string; eventId: number; eventType: string; attempt: number; status: string; httpStatus: number | null;
  durationMs: number | null; error: string | null; requestExcerpt: string | null; responseExcerpt: string | null;
  nextAttemptAt: Date | null; createdAt: Date; updatedAt: Date; webhook?: { url: string } | null;
};

export function toDeliveryView(row: DeliveryRow) {
  return {
    id: row.id,
    webhookId: row.webhookId,
    webhookUrl: row.webhook?.url ?? null,
    eventId: row.eventId,
    eventType: row.eventType,
    attempt: row.attempt,
    status: row.status as DeliveryStatus,
    httpStatus: row.httpStatus,
    durationMs: row.durationMs,
    error: row.error,
    requestExcerpt: row.requestExcerpt,
    responseExcerpt: row.responseExcerpt,
    nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
export type DeliveryView = ReturnType<typeof toDeliveryView>;

type AttemptRow = {
  id: number; attempt: number; status: string; httpStatus: number | null; durationMs: number; error: string | null;
  requestExcerpt: string | null; responseExcerpt: string | null; createdAt: Date;
};

export function toAttemptView(row: AttemptRow) {
  return { ...row, createdAt: row.createdAt.toISOString() };
}
export type AttemptView = ReturnType<typeof toAttemptView>;
