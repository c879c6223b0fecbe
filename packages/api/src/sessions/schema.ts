// Sessions page inputs (zod, shared with the web app).
import { z } from 'zod';

export const ListSessionsInput = z.object({
  gatewayId: z.string().min(1).max(64).optional(),
  /** Agent id or name */
  agent: z.string().trim().min(1).max(200).optional(),
  /** a gateway status (running, done, failed, …) or "busy" */
  status: z.string().trim().min(1).max(40).optional(),
  search: z.string().trim().min(1).max(200).optional(),
  source: z.enum(['gateway', 'sdk']).optional(),
  cursor: z.string().max(500).nullish(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type ListSessionsInput = z.output<typeof ListSessionsInput>;

export const SessionRefInput = z.object({ gatewayId: z.string().min(1).max(64), sessionKey: z.string().min(1).max(500) });
export type SessionRefInput = z.output<typeof SessionRefInput>;

export const SendSessionMessageInput = SessionRefInput.extend({ message: z.string().trim().min(1, 'must not be empty').max(100_000) });
export type SendSessionMessageInput = z.output<typeof SendSessionMessageInput>;
