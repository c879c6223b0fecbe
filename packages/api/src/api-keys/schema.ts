// Inputs of the API key procedures (shared with the web app).
import { z } from 'zod';
import { Role } from '../auth/roles.ts';

export const KeyName = z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters');
export const CreateApiKeyInput = z.object({
  name: KeyName,
  role: Role,
  expiresInDays: z.number().int('must be a whole number of days').min(1).max(3650).nullish(),
});
export const RevokeApiKeyInput = z.object({ id: z.string().min(1).max(64) });
