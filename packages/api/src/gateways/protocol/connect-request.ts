// Builds the `connect` params Mission Control sends (GATEWAY.md §3.2, §4): gateway-client/backend,
// protocol 4 only, signed v3 device block. Picks the credential; validates against the closed schema.
import { type DeviceIdentity, signConnect } from './device-identity.ts';
import { type ChallengePayload, type ConnectAuth, ConnectParams, PROTOCOL_VERSION, summarizeIssues } from './frames.ts';

export const CLIENT_ID = 'gateway-client';
export const CLIENT_MODE = 'backend';
export const CLIENT_ROLE = 'operator';
/** `tool-events` for live tool streams; never `session-scoped-events` (it would hide other sessions' runs). */
export const CLIENT_CAPS = ['tool-events'];

export type ConnectCredentials = { token?: string; password?: string; deviceToken?: string | null };
export type ConnectAuthMethod = 'device-token' | 'token' | 'password' | 'none';

/** The device token wins when we have one (GATEWAY.md §5.2 step 4); then the shared token, then a password. */
export function chooseConnectAuth(credentials: ConnectCredentials): { auth: ConnectAuth | undefined; method: ConnectAuthMethod } {
  if (credentials.deviceToken) return { auth: { deviceToken: credentials.deviceToken }, method: 'device-token' };
  if (credentials.token) return { auth: { token: credentials.token }, method: 'token' };
  if (credentials.password) return { auth: { password: credentials.password }, method: 'password' };
  return { auth: undefined, method: 'none' };
}

export function buildConnectParams(input: {
  identity: DeviceIdentity;
  challenge: ChallengePayload;
  auth: ConnectAuth | undefined;
  scopes: readonly string[];
  clientVersion: string;
  platform: string;
  displayName: string;
}): ConnectParams {
  const signedAt = input.challenge.ts; // the gateway's own clock: no skew to worry about (§4)
  const device = signConnect(input.identity, {
    clientId: CLIENT_ID,
    clientMode: CLIENT_MODE,
    role: CLIENT_ROLE,
    scopes: input.scopes,
    signedAt,
    token: input.auth?.token ?? input.auth?.deviceToken ?? '',
    nonce: input.challenge.nonce,
    platform: input.platform,
    deviceFamily: '',
  });
  const params = {
    minProtocol: PROTOCOL_VERSION,
    maxProtocol: PROTOCOL_VERSION,
    client: { id: CLIENT_ID, version: input.clientVersion, platform: input.platform, mode: CLIENT_MODE, displayName: input.displayName },
    role: CLIENT_ROLE,
    scopes: [...input.scopes],
    caps: [...CLIENT_CAPS],
    ...(input.auth === undefined ? {} : { auth: input.auth }),
    device,
  };
  const parsed = ConnectParams.safeParse(params);
  if (!parsed.success) throw new Error(`invalid connect params: ${summarizeIssues(parsed.error)}`);
  return parsed.data;
}
