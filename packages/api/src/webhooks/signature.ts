// Standard Webhooks signing (standardwebhooks.com): secret `whsec_<base64 key>`, headers webhook-id,
// webhook-timestamp (Unix seconds) and webhook-signature `v1,<base64 HMAC-SHA256(key, "<id>.<ts>.<body>")>`.
import { createHmac, randomBytes } from 'node:crypto';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
const SECRET_KEY_BYTES = 32;

export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(SECRET_KEY_BYTES).toString('base64');
}

export function signWebhookPayload(secret: string, messageId: string, timestampS: number, body: string): string {
  const key = Buffer.from(secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret, 'base64');
  const digest = createHmac('sha256', key).update(`${messageId}.${timestampS}.${body}`).digest('base64');
  return `v1,${digest}`;
}

/** The Standard Webhooks message id of an outbox event: stable across retries and redeliveries. */
export const webhookMessageId = (eventId: number): string => `evt_${eventId}`;

export function standardWebhookHeaders(secret: string, messageId: string, timestampS: number, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'MissionControl-Webhooks/1',
    'webhook-id': messageId,
    'webhook-timestamp': String(timestampS),
    'webhook-signature': signWebhookPayload(secret, messageId, timestampS, body),
  };
}
