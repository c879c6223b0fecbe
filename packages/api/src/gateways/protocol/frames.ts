// OpenClaw protocol-4 frame schemas (GATEWAY.md §2-3, §9). Lenient when reading (unknown keys
// dropped, optional keys may be null, enums stay strings); strict and closed when sending.
// Knows nothing about sockets or state: parse and encode only.
import { z } from 'zod';

export const PROTOCOL_VERSION = 4;
/** GATEWAY.md §3.1: frames before hello-ok are capped at 64 KiB by the gateway; we apply the same cap. */
export const PRE_HELLO_MAX_FRAME_BYTES = 64 * 1024;
/** hello-ok.policy.maxPayload seen live; used when a gateway omits it. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;
export const DEFAULT_TICK_INTERVAL_MS = 30_000;

/** Closed enums of connect.params (GATEWAY.md §3.2). Exported for the fake gateway's validation. */
export const CLIENT_IDS = [
  'webchat-ui', 'openclaw-control-ui', 'openclaw-browser-copilot', 'openclaw-tui', 'webchat', 'cli',
  'gateway-client', 'openclaw-macos', 'openclaw-linux', 'openclaw-ios', 'openclaw-watchos',
  'openclaw-android', 'node-host', 'openclaw-worker', 'test', 'fingerprint', 'openclaw-probe',
] as const;
export const CLIENT_MODES = ['webchat', 'cli', 'ui', 'backend', 'node', 'worker', 'probe', 'test'] as const;
export const CONNECT_ROLES = ['operator', 'node'] as const;

// ---------- reading (lenient) ----------

/** A string array that never fails: non-arrays become [], non-string items are dropped. */
const lenientStrings = z.unknown().transform((value): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [],
);
const optionalString = z.string().nullish().catch(null);
const optionalNumber = z.number().nullish().catch(null);
const optionalBoolean = z.boolean().nullish().catch(null);

export const GatewayErrorDetails = z.object({
  code: optionalString,
  reason: optionalString,
  requestId: optionalString,
  deviceId: optionalString,
  requestedRole: optionalString,
  requestedScopes: lenientStrings.optional(),
  remediationHint: optionalString,
  missingScope: optionalString,
  requiredScopes: lenientStrings.optional(),
  expectedProtocol: optionalNumber,
  pauseReconnect: optionalBoolean,
  reloadRequired: optionalBoolean,
  recommendedNextStep: optionalString,
});
export type GatewayErrorDetails = z.infer<typeof GatewayErrorDetails>;

export const GatewayErrorShape = z.object({
  code: z.string().catch('UNKNOWN'),
  message: z.string().catch(''),
  details: z.unknown().optional(),
  retryable: optionalBoolean,
  retryAfterMs: optionalNumber,
});
export type GatewayErrorShape = z.infer<typeof GatewayErrorShape>;

/** `details` is open-ended; this reads the keys we act on and ignores the rest. */
export function readErrorDetails(error: GatewayErrorShape): GatewayErrorDetails {
  const parsed = GatewayErrorDetails.safeParse(error.details ?? {});
  return parsed.success ? parsed.data : GatewayErrorDetails.parse({});
}

export const ResponseFrame = z.object({
  type: z.literal('res'),
  id: z.string(),
  ok: z.boolean(),
  payload: z.unknown().optional(),
  error: GatewayErrorShape.nullish().catch(null),
});
export type ResponseFrame = z.infer<typeof ResponseFrame>;

export const StateVersion = z.object({ presence: optionalNumber, health: optionalNumber });
export type StateVersion = z.infer<typeof StateVersion>;

export const EventFrame = z.object({
  type: z.literal('event'),
  event: z.string(),
  payload: z.unknown().optional(),
  seq: z.number().int().nullish().catch(null),
  stateVersion: StateVersion.nullish().catch(null),
});
export type EventFrame = z.infer<typeof EventFrame>;

export const ChallengePayload = z.object({
  nonce: z.string().min(1),
  ts: z.number(),
  capabilities: lenientStrings.optional(),
});
export type ChallengePayload = z.infer<typeof ChallengePayload>;

const HelloAuth = z.object({
  role: optionalString,
  scopes: lenientStrings,
  method: optionalString,
  deviceToken: optionalString,
  issuedAtMs: optionalNumber,
});

const HelloSnapshot = z.object({
  presence: z.array(z.unknown()).nullish().catch(null),
  health: z.unknown().optional(),
  stateVersion: StateVersion.nullish().catch(null),
  uptimeMs: optionalNumber,
  sessionDefaults: z
    .object({ defaultAgentId: optionalString, mainKey: optionalString, mainSessionKey: optionalString, scope: optionalString })
    .nullish()
    .catch(null),
});

/** hello-ok as read off the wire. Secrets (recoveryScope, pluginSurfaceUrls) are dropped by the schema. */
export const HelloOkPayload = z.object({
  type: z.literal('hello-ok'),
  protocol: z.number(),
  server: z
    .object({ version: optionalString, buildId: optionalString, bootId: optionalString, connId: optionalString })
    .nullish()
    .catch(null),
  features: z
    .object({ methods: lenientStrings, events: lenientStrings, capabilities: lenientStrings.optional() })
    .nullish()
    .catch(null),
  snapshot: HelloSnapshot.nullish().catch(null),
  auth: HelloAuth.nullish().catch(null),
  policy: z
    .object({ maxPayload: optionalNumber, maxBufferedBytes: optionalNumber, tickIntervalMs: optionalNumber })
    .nullish()
    .catch(null),
});
export type HelloOkPayload = z.infer<typeof HelloOkPayload>;

/** What the client hands to onHello: hello-ok without the device token (delivered via onDeviceToken). */
export type HelloOk = Omit<HelloOkPayload, 'auth'> & {
  auth: { role: string | null; scopes: string[]; method: string | null; issuedAtMs: number | null };
};

export type InboundFrame =
  | { kind: 'res'; frame: ResponseFrame }
  | { kind: 'event'; frame: EventFrame }
  | { kind: 'ignored'; reason: string };

/** Parses one text frame. Never throws: anything unusable comes back as `ignored` with a reason. */
export function parseInboundFrame(text: string): InboundFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'ignored', reason: 'malformed JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'ignored', reason: 'frame is not a JSON object' };
  }
  const type = 'type' in value ? value.type : undefined;
  if (type === 'res') {
    const parsed = ResponseFrame.safeParse(value);
    return parsed.success ? { kind: 'res', frame: parsed.data } : { kind: 'ignored', reason: `invalid res frame: ${summarizeIssues(parsed.error)}` };
  }
  if (type === 'event') {
    const parsed = EventFrame.safeParse(value);
    return parsed.success ? { kind: 'event', frame: parsed.data } : { kind: 'ignored', reason: `invalid event frame: ${summarizeIssues(parsed.error)}` };
  }
  return { kind: 'ignored', reason: `unsupported frame type ${JSON.stringify(type) ?? 'undefined'}` };
}

export function summarizeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'root'}: ${issue.message}`).join('; ');
}

// ---------- sending (strict, closed) ----------

export const ConnectClient = z.strictObject({
  id: z.enum(CLIENT_IDS),
  version: z.string().min(1),
  platform: z.string().min(1),
  mode: z.enum(CLIENT_MODES),
  displayName: z.string().optional(),
  deviceFamily: z.string().optional(),
  instanceId: z.string().optional(),
  buildId: z.string().optional(),
  modelIdentifier: z.string().optional(),
  timeZone: z.string().optional(),
});

export const ConnectAuth = z.strictObject({
  token: z.string().optional(),
  deviceToken: z.string().optional(),
  password: z.string().optional(),
});
export type ConnectAuth = z.infer<typeof ConnectAuth>;

export const ConnectDevice = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{64}$/),
  publicKey: z.string().min(1),
  signature: z.string().min(1),
  signedAt: z.number().int(),
  nonce: z.string().min(1),
});
export type ConnectDevice = z.infer<typeof ConnectDevice>;

export const ConnectParams = z.strictObject({
  minProtocol: z.number().int(),
  maxProtocol: z.number().int(),
  client: ConnectClient,
  role: z.enum(CONNECT_ROLES),
  scopes: z.array(z.string()),
  caps: z.array(z.string()).optional(),
  auth: ConnectAuth.optional(),
  device: ConnectDevice.optional(),
  locale: z.string().optional(),
  userAgent: z.string().optional(),
});
export type ConnectParams = z.infer<typeof ConnectParams>;

export const RequestFrame = z.strictObject({
  type: z.literal('req'),
  id: z.string().min(1),
  method: z.string().min(1),
  params: z.unknown().optional(),
});
export type RequestFrame = z.infer<typeof RequestFrame>;

/** Serializes a request; throws on a frame that breaks the closed envelope (a bug on our side). */
export function encodeRequestFrame(frame: RequestFrame): string {
  const parsed = RequestFrame.safeParse(frame);
  if (!parsed.success) throw new Error(`refusing to send an invalid req frame: ${summarizeIssues(parsed.error)}`);
  return JSON.stringify(parsed.data);
}
