// Ed25519 device identity for OpenClaw connect (GATEWAY.md §4): create, (de)serialize, sign v3/v2 payloads.
// Storage and encryption are the caller's job; the serialized form contains the private key in clear.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { ConnectDevice } from './frames.ts';

export type DeviceIdentity = {
  /** lowercase hex sha256 of the raw 32-byte public key */
  deviceId: string;
  /** raw 32-byte public key, base64url without padding */
  publicKey: string;
  privateKey: KeyObject;
};

export const SerializedDeviceIdentity = z.object({
  version: z.literal(1),
  algorithm: z.literal('ed25519'),
  deviceId: z.string(),
  publicKey: z.string(),
  /** PKCS#8 DER, standard base64 */
  privateKeyPkcs8: z.string().min(1),
});
export type SerializedDeviceIdentity = z.infer<typeof SerializedDeviceIdentity>;

/** ASN.1 prefix of an Ed25519 PKCS#8 DER key; the 32-byte seed follows. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function createDeviceIdentity(): DeviceIdentity {
  const { privateKey } = generateKeyPairSync('ed25519');
  return identityFromPrivateKey(privateKey);
}

/** Deterministic identity from a 32-byte seed (test vectors; never for real keys). */
export function deviceIdentityFromSeed(seed: Uint8Array): DeviceIdentity {
  if (seed.length !== 32) throw new Error(`Ed25519 seed must be 32 bytes, got ${seed.length}`);
  const der = Buffer.concat([PKCS8_ED25519_PREFIX, seed]);
  return identityFromPrivateKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
}

export function serializeDeviceIdentity(identity: DeviceIdentity): SerializedDeviceIdentity {
  const der = identity.privateKey.export({ format: 'der', type: 'pkcs8' });
  return {
    version: 1,
    algorithm: 'ed25519',
    deviceId: identity.deviceId,
    publicKey: identity.publicKey,
    privateKeyPkcs8: der.toString('base64'),
  };
}

/** Restores an identity; the public key and id are recomputed and must match what was stored. */
export function deserializeDeviceIdentity(stored: unknown): DeviceIdentity {
  const parsed = SerializedDeviceIdentity.parse(stored);
  const privateKey = createPrivateKey({ key: Buffer.from(parsed.privateKeyPkcs8, 'base64'), format: 'der', type: 'pkcs8' });
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('stored device key is not Ed25519');
  const identity = identityFromPrivateKey(privateKey);
  if (identity.deviceId !== parsed.deviceId || identity.publicKey !== parsed.publicKey) {
    throw new Error('stored device identity is inconsistent: deviceId/publicKey do not match the private key');
  }
  return identity;
}

export function deviceIdFromRawPublicKey(raw: Uint8Array): string {
  return createHash('sha256').update(raw).digest('hex');
}

function identityFromPrivateKey(privateKey: KeyObject): DeviceIdentity {
  // GATEWAY.md §4: raw public key = last 32 bytes of the SPKI DER export.
  const raw = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32);
  return { deviceId: deviceIdFromRawPublicKey(raw), publicKey: raw.toString('base64url'), privateKey };
}

export type SignatureFields = {
  deviceId: string;
  clientId: string;
  clientMode: string;
  role: string;
  /** exactly as sent, same order */
  scopes: readonly string[];
  signedAt: number;
  /** the credential actually sent: auth.token ?? auth.deviceToken ?? "" */
  token: string;
  nonce: string;
  platform?: string | null;
  deviceFamily?: string | null;
};

/** The UTF-8 string the gateway verifies (GATEWAY.md §4). v2 lacks platform and deviceFamily. */
export function buildSignaturePayload(fields: SignatureFields, version: 'v3' | 'v2' = 'v3'): string {
  const common = [
    version, fields.deviceId, fields.clientId, fields.clientMode, fields.role, fields.scopes.join(','),
    String(fields.signedAt), fields.token, fields.nonce,
  ];
  if (version === 'v2') return common.join('|');
  return [...common, normalizeSignedField(fields.platform), normalizeSignedField(fields.deviceFamily)].join('|');
}

function normalizeSignedField(value: string | null | undefined): string {
  return (value ?? '').trim().toLowerCase();
}

export function signPayload(identity: DeviceIdentity, payload: string): string {
  return sign(null, Buffer.from(payload, 'utf8'), identity.privateKey).toString('base64url');
}

/** Builds the connect `device` block, signed with the v3 payload. */
export function signConnect(identity: DeviceIdentity, fields: Omit<SignatureFields, 'deviceId'>): ConnectDevice {
  const payload = buildSignaturePayload({ ...fields, deviceId: identity.deviceId }, 'v3');
  return {
    id: identity.deviceId,
    publicKey: identity.publicKey,
    signature: signPayload(identity, payload),
    signedAt: fields.signedAt,
    nonce: fields.nonce,
  };
}

/** Verifies a base64url signature against a base64url raw public key. False on any malformed input. */
export function verifyPayloadSignature(publicKeyBase64Url: string, payload: string, signatureBase64Url: string): boolean {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKeyBase64Url }, format: 'jwk' });
    return verify(null, Buffer.from(payload, 'utf8'), key, Buffer.from(signatureBase64Url, 'base64url'));
  } catch {
    return false;
  }
}
