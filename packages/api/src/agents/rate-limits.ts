// PROTOCOL.md §8 limits, configurable with MC_RATE_LIMITS (JSON); 0 turns one off.
import { z } from 'zod';

export const RateLimitSettings = z
  .object({
    heartbeatPerAgentPerMin: z.number().int().min(0).default(120),
    connectPerAgentPerMin: z.number().int().min(0).default(60),
    tokensPerKeyPerMin: z.number().int().min(0).default(600),
    queuePerAgentPerMin: z.number().int().min(0).default(60),
  })
  .strict();
export type RateLimitSettings = z.output<typeof RateLimitSettings>;

export const DEFAULT_RATE_LIMITS: RateLimitSettings = RateLimitSettings.parse({});
