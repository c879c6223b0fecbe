// Gateway admin inputs (zod, shared with the web app). Secrets are write-only: inputs accept them,
// no output ever contains them.
import { z } from 'zod';

export const GatewayAuthMode = z.enum(['token', 'password', 'none']);

export const GatewayName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(63, 'must be at most 63 characters')
  .regex(/^[^/\s][^/]*$/, 'must not contain "/" (it separates the gateway from the agent in mirrored agent names)');

export const GatewayUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'ws:' || url.protocol === 'wss:') && url.hostname.length > 0;
    } catch {
      return false;
    }
  }, 'must be a WebSocket URL such as ws://127.0.0.1:18789 or wss://gateway.example.lan');

const Secret = z.string().min(1, 'must not be empty').max(4096);

export const CreateGatewayInput = z
  .object({
    name: GatewayName,
    url: GatewayUrl,
    authMode: GatewayAuthMode.default('token'),
    secret: Secret.optional(),
    requestAdminScope: z.boolean().default(false),
    enabled: z.boolean().default(true),
  })
  .superRefine((input, ctx) => {
    if (input.authMode !== 'none' && input.secret === undefined) {
      ctx.addIssue({ code: 'custom', path: ['secret'], message: `is required for ${input.authMode} auth (the gateway's ${input.authMode})` });
    }
  });
export type CreateGatewayInput = z.output<typeof CreateGatewayInput>;

export const UpdateGatewayInput = z.object({
  id: z.string().min(1).max(64),
  name: GatewayName.optional(),
  url: GatewayUrl.optional(),
  authMode: GatewayAuthMode.optional(),
  /** a new secret; null forgets the stored one */
  secret: Secret.nullable().optional(),
  requestAdminScope: z.boolean().optional(),
  enabled: z.boolean().optional(),
});
export type UpdateGatewayInput = z.output<typeof UpdateGatewayInput>;

export const GatewayIdInput = z.object({ id: z.string().min(1).max(64) });

export const TestGatewayInput = z.object({ url: GatewayUrl, authMode: GatewayAuthMode.default('token'), secret: Secret.optional() });
export type TestGatewayInput = z.output<typeof TestGatewayInput>;

/** One MC_GATEWAYS entry (apps/server config): seeded at startup when no gateway has that name. */
export const GatewaySeed = z
  .object({
    name: GatewayName,
    url: GatewayUrl,
    token: Secret.optional(),
    password: Secret.optional(),
    requestAdminScope: z.boolean().optional(),
  })
  .strict()
  .refine((seed) => !(seed.token && seed.password), { message: 'set token or password, not both' });
export type GatewaySeed = z.output<typeof GatewaySeed>;
export const GatewaySeeds = z.array(GatewaySeed).max(100);
