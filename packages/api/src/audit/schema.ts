// Inputs of the audit log procedures and export route (shared with the web app).
import { z } from 'zod';

const DateBound = z
  .string()
  .trim()
  .max(40)
  .refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 date or date-time')
  .transform((value) => new Date(value));

/** Filters shared by the page and the export: actor name/id, action prefix, [from, to) time range. */
export const AuditFilter = z.object({
  action: z.string().trim().max(100).optional(),
  actor: z.string().trim().max(100).optional(),
  from: DateBound.optional(),
  to: DateBound.optional(),
});
export type AuditFilter = z.infer<typeof AuditFilter>;

export const ListAuditInput = AuditFilter.extend({
  limit: z.number().int().min(1).max(500).default(100),
  cursor: z.number().int().positive().optional(),
});
export type ListAuditInput = z.infer<typeof ListAuditInput>;

export const AuditExportQuery = AuditFilter.extend({ format: z.enum(['csv', 'json']).default('csv') });

/** 0 keeps entries forever. */
export const AuditRetention = z.object({ days: z.number().int().min(0).max(3650) });
export type AuditRetention = z.infer<typeof AuditRetention>;
