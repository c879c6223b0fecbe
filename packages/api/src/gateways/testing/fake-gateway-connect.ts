// The fake gateway's connect decision (GATEWAY.md §3.2, §4, §5, §9): closed-param validation with the
// real enums, token check, device proof, pairing. Answers with the captured error texts and close codes.
import { z } from 'zod';
import { buildSignaturePayload, deviceIdFromRawPublicKey, verifyPayloadSignature } from '../protocol/device-identity.ts';
import { CLIENT_IDS, CLIENT_MODES, PROTOCOL_VERSION } from '../protocol/frames.ts';
import { asJsonObject, type FakeGatewayFixtures, type JsonObject } from './fake-gateway-fixtures.ts';
import type { PairingRegistry, PendingPairing } from './fake-gateway-pairing.ts';

const SIGNATURE_WINDOW_MS = 120_000;

const FakeConnectParams = z.strictObject({
  minProtocol: z.number().int(),
  maxProtocol: z.number().int(),
  client: z.strictObject({
    id: z.enum(CLIENT_IDS),
    version: z.string(),
    platform: z.string(),
    mode: z.enum(CLIENT_MODES),
    displayName: z.string().optional(),
    deviceFamily: z.string().optional(),
    instanceId: z.string().optional(),
    buildId: z.string().optional(),
    modelIdentifier: z.string().optional(),
    timeZone: z.string().optional(),
  }),
  role: z.string(),
  scopes: z.array(z.string()).optional(),
  caps: z.array(z.string()).optional(),
  auth: z.strictObject({ token: z.string().optional(), deviceToken: z.string().optional(), password: z.string().optional(), bootstrapToken: z.string().optional() }).optional(),
  device: z.strictObject({ id: z.string(), publicKey: z.string(), signature: z.string(), signedAt: z.number(), nonce: z.string() }).optional(),
  locale: z.string().optional(),
  userAgent: z.string().optional(),
});
export type FakeConnectParams = z.infer<typeof FakeConnectParams>;

export type ConnectAuthResult = { method: 'token' | 'password' | 'device-token'; scopes: string[]; deviceToken: string | null; issuedAtMs: number | null };

export type ConnectOutcome =
  | { ok: true; requestId: string; params: FakeConnectParams; auth: ConnectAuthResult }
  | { ok: false; requestId: string; errorName: string; error: JsonObject; close: { code: number; reason: string }; pairingRequested?: PendingPairing };

export type ConnectContext = {
  fixtures: FakeGatewayFixtures;
  registry: PairingRegistry;
  nonce: string;
  now: number;
  origin: string | undefined;
  config: { token: string | null; password: string | null; pairingRequired: boolean };
};

export function evaluateConnect(frame: JsonObject, context: ConnectContext): ConnectOutcome {
  const requestId = typeof frame.id === 'string' ? frame.id : 'r1';
  /** `template` is the errors.json entry to start from when `errorName` has no capture of its own. */
  const fail = (errorName: string, patch?: { details?: JsonObject; closeReason?: string; message?: string; template?: string }): ConnectOutcome => {
    const fixture = context.fixtures.connectErrors[patch?.template ?? errorName];
    if (fixture === undefined) throw new Error(`errors.json lacks connect.${errorName}`);
    const error = { ...fixture.response.error };
    if (patch?.message !== undefined) error.message = patch.message;
    if (patch?.details !== undefined) error.details = { ...asJsonObject(error.details), ...patch.details };
    return { ok: false, requestId, errorName, error, close: { code: fixture.close.code, reason: patch?.closeReason ?? patch?.message ?? fixture.close.reason } };
  };

  if (frame.type !== 'req' || frame.method !== 'connect') return fail('first_frame_not_connect');
  const parsed = FakeConnectParams.safeParse(frame.params, { reportInput: true });
  if (!parsed.success) return fail('invalid_connect_params', { template: 'unknown_client_id', message: `invalid connect params: ${describeIssue(parsed.error.issues[0])}` });
  const params = parsed.data;
  if (params.minProtocol > PROTOCOL_VERSION || params.maxProtocol < PROTOCOL_VERSION) {
    return fail('protocol_mismatch', { details: { clientMinProtocol: params.minProtocol, clientMaxProtocol: params.maxProtocol } });
  }
  if (params.role !== 'operator' && params.role !== 'node') return fail('invalid_connect_params', { template: 'unknown_client_id', message: 'invalid connect params: at /role: must be equal to one of the allowed values' });
  if (context.origin !== undefined && !isLocalOrigin(context.origin)) return fail('origin_not_allowed');

  const scopes = params.scopes ?? [];
  const auth = params.auth ?? {};
  const { device } = params;
  if (auth.token !== undefined && context.config.token !== null && auth.token !== context.config.token) return fail('token_mismatch');
  if (auth.password !== undefined && context.config.password !== null && auth.password !== context.config.password) {
    return fail('password_mismatch', { template: 'token_mismatch', message: 'unauthorized: gateway password mismatch', details: { code: 'AUTH_PASSWORD_MISMATCH', authReason: 'password_mismatch' } });
  }
  if (device === undefined) {
    if (auth.token === undefined && auth.password === undefined) return fail('device_identity_required');
    if (params.client.id === 'openclaw-control-ui') return fail('control_ui_requires_device');
    // §5.1: device-less shared auth keeps its scopes only for cli/cli or gateway-client/backend on
    // a direct loopback connection without Origin; a "remote" (pairingRequired) gateway clears them.
    const trusted = (params.client.id === 'cli' && params.client.mode === 'cli') || (params.client.id === 'gateway-client' && params.client.mode === 'backend');
    const keepsScopes = trusted && context.origin === undefined && !context.config.pairingRequired;
    return { ok: true, requestId, params, auth: { method: auth.token !== undefined ? 'token' : 'password', scopes: keepsScopes ? scopes : [], deviceToken: null, issuedAtMs: null } };
  }

  const proofError = checkDeviceProof(params, device, context);
  if (proofError !== null) return fail(proofError);

  const paired = context.registry.paired(device.id);
  if (auth.token === undefined && auth.password === undefined) {
    if (auth.deviceToken === undefined) return fail('token_mismatch');
    if (paired === undefined || paired.deviceToken === null || paired.deviceToken !== auth.deviceToken) {
      return fail('device_token_mismatch', {
        template: 'token_mismatch',
        message: 'unauthorized: device token mismatch (rotate or re-pair the device)',
        details: { code: 'AUTH_DEVICE_TOKEN_MISMATCH', authReason: 'device_token_mismatch', recommendedNextStep: 'update_auth_credentials' },
      });
    }
    if (!scopes.every((scope) => paired.scopes.includes(scope))) return fail('device_token_scope_mismatch');
    return { ok: true, requestId, params, auth: { method: 'device-token', scopes, deviceToken: paired.deviceToken, issuedAtMs: paired.issuedAtMs } };
  }

  const method = auth.token !== undefined ? 'token' : 'password';
  if (paired !== undefined && scopes.every((scope) => paired.scopes.includes(scope))) {
    const withToken = context.registry.ensureToken(device.id) ?? paired;
    return { ok: true, requestId, params, auth: { method, scopes, deviceToken: withToken.deviceToken, issuedAtMs: withToken.issuedAtMs } };
  }
  const needsApproval = paired !== undefined || context.config.pairingRequired || context.origin !== undefined;
  if (needsApproval) {
    const request = context.registry.request({
      deviceId: device.id, publicKey: device.publicKey, clientId: params.client.id, clientMode: params.client.mode,
      platform: params.client.platform, displayName: params.client.displayName ?? null, role: params.role, scopes,
      reason: paired === undefined ? 'not-paired' : 'scope-upgrade',
    });
    const outcome = fail('pairing_required_backend', {
      details: { requestId: request.requestId, deviceId: device.id, requestedRole: params.role, requestedScopes: scopes, reason: request.reason },
      closeReason: `pairing required: device is not approved yet (requestId: ${request.requestId})`,
    });
    return outcome.ok ? outcome : { ...outcome, pairingRequested: request };
  }
  // §5.1 rows 2 and 4: on loopback, backend clients get no pairing record; others are paired silently.
  if (params.client.id === 'gateway-client' && params.client.mode === 'backend') {
    return { ok: true, requestId, params, auth: { method, scopes, deviceToken: null, issuedAtMs: null } };
  }
  const silent = context.registry.pairSilently({ deviceId: device.id, publicKey: device.publicKey, scopes });
  return { ok: true, requestId, params, auth: { method, scopes, deviceToken: silent.deviceToken, issuedAtMs: silent.issuedAtMs } };
}

function checkDeviceProof(params: FakeConnectParams, device: NonNullable<FakeConnectParams['device']>, context: ConnectContext): string | null {
  const raw = Buffer.from(device.publicKey, 'base64url');
  if (raw.length !== 32 || deviceIdFromRawPublicKey(raw) !== device.id) return 'device_id_mismatch';
  if (device.nonce !== context.nonce) return 'device_nonce_mismatch';
  if (Math.abs(device.signedAt - context.now) > SIGNATURE_WINDOW_MS) return 'device_signature_expired';
  const auth = params.auth ?? {};
  const fields = {
    deviceId: device.id, clientId: params.client.id, clientMode: params.client.mode, role: params.role, scopes: params.scopes ?? [],
    signedAt: device.signedAt, token: auth.token ?? auth.deviceToken ?? auth.bootstrapToken ?? '', nonce: device.nonce,
    platform: params.client.platform, deviceFamily: params.client.deviceFamily ?? '',
  };
  const valid = (['v3', 'v2'] as const).some((version) => verifyPayloadSignature(device.publicKey, buildSignaturePayload(fields, version), device.signature));
  return valid ? null : 'device_signature_invalid';
}

/** ajv-style text like the real gateway's: "at /client/id: must be equal to one of the allowed values". */
function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (issue === undefined) return 'at root: invalid';
  const path = issue.path.map(String);
  const at = (segments: string[]) => (segments.length === 0 ? 'at root' : `at /${segments.join('/')}`);
  if (issue.code === 'invalid_value') return `${at(path)}: must be equal to one of the allowed values`;
  if (issue.code === 'unrecognized_keys') return `${at(path)}: unexpected property '${issue.keys[0] ?? ''}'`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${at(path.slice(0, -1))}: must have required property '${path.at(-1) ?? ''}'`;
  if (issue.code === 'invalid_type') return `${at(path)}: must be ${issue.expected}`;
  return `${at(path)}: ${issue.message}`;
}

function isLocalOrigin(origin: string): boolean {
  try {
    const host = new URL(origin).hostname;
    return (
      host === 'localhost' || host === '[::1]' || /^127\./.test(host) || /^10\./.test(host) || /^192\.168\./.test(host) ||
      /^172\.(1[6-9]|2\d|3[01])\./.test(host) || /^169\.254\./.test(host) || host.endsWith('.local') || host.endsWith('.ts.net')
    );
  } catch {
    return false;
  }
}
