// Attention view inputs and the item shape (shared with the web app).
import { z } from 'zod';

export const ATTENTION_KINDS = [
  'agent.needs_input', 'agent.offline_with_task', 'gateway.pairing', 'gateway.disconnected', 'cron.failed', 'cron.stuck',
  'budget.threshold', 'task.review', 'task.blocked', 'pipeline.approval', 'webhook.failing',
] as const;
export type AttentionKind = (typeof ATTENTION_KINDS)[number];
export type AttentionPriority = 'critical' | 'high' | 'medium';

export type AttentionItem = {
  /** Identifies one occurrence: a new occurrence of the same problem gets a new key (so it re-alerts). */
  key: string;
  kind: AttentionKind;
  priority: AttentionPriority;
  title: string;
  detail: string | null;
  since: string;
  gatewayId: string | null;
  gatewayName: string | null;
  href: string;
  actionLabel: string;
  /** pipeline.approval: the step an operator can approve right from the item (pipelines.runs.approveStep). */
  approve?: { runId: string; stepKey: string };
};

export const ItemKey = z.string().min(1).max(300);
export const AcknowledgeInput = z.object({ key: ItemKey });
export const SnoozeInput = z.object({ key: ItemKey, minutes: z.number().int().min(1, 'at least 1 minute').max(10_080, 'at most 7 days') });
