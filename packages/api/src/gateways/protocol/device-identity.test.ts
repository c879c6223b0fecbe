import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  buildSignaturePayload, createDeviceIdentity, deserializeDeviceIdentity, deviceIdentityFromSeed, serializeDeviceIdentity,
  signConnect, signPayload, verifyPayloadSignature,
} from './device-identity.ts';

const VECTOR_URL = new URL('../../../../../test/fixtures/openclaw/device-signature-vector.json', import.meta.url);
const Vector = z.object({
  seedHex: z.string(),
  privateKeyPkcs8DerPrefixHex: z.string(),
  publicKeyRawBase64Url: z.string(),
  deviceId: z.string(),
  input: z.object({
    clientId: z.string(), clientMode: z.string(), role: z.string(), scopes: z.array(z.string()), signedAt: z.number(),
    token: z.string(), nonce: z.string(), platform: z.string(), deviceFamily: z.string(),
  }),
  payloadV3: z.string(),
  signatureV3: z.string(),
  payloadV2: z.string(),
  signatureV2: z.string(),
});
const vector = Vector.parse(JSON.parse(readFileSync(VECTOR_URL, 'utf8')));

describe('device identity', () => {
  const identity = deviceIdentityFromSeed(Buffer.from(vector.seedHex, 'hex'));
  const fields = { ...vector.input, deviceId: identity.deviceId };

  it('derives the vector public key (raw base64url) and device id (hex sha256) from the seed', () => {
    expect(identity.publicKey).toBe(vector.publicKeyRawBase64Url);
    expect(identity.deviceId).toBe(vector.deviceId);
  });

  it('reproduces the v3 payload and signature of the test vector byte for byte', () => {
    const payload = buildSignaturePayload(fields, 'v3');
    expect(payload).toBe(vector.payloadV3);
    expect(signPayload(identity, payload)).toBe(vector.signatureV3);
  });

  it('reproduces the v2 payload and signature of the test vector byte for byte', () => {
    const payload = buildSignaturePayload(fields, 'v2');
    expect(payload).toBe(vector.payloadV2);
    expect(signPayload(identity, payload)).toBe(vector.signatureV2);
  });

  it('signs connect with the v3 payload and the vector values', () => {
    const { deviceId: _deviceId, ...input } = fields;
    const device = signConnect(identity, input);
    expect(device).toEqual({ id: vector.deviceId, publicKey: vector.publicKeyRawBase64Url, signature: vector.signatureV3, signedAt: vector.input.signedAt, nonce: vector.input.nonce });
  });

  it('trims and lower-cases platform and device family in the v3 payload', () => {
    const payload = buildSignaturePayload({ ...fields, platform: '  Linux ', deviceFamily: 'Server' }, 'v3');
    expect(payload.endsWith('|linux|server')).toBe(true);
  });

  it('round-trips a new identity through its JSON-able serialized form', () => {
    const created = createDeviceIdentity();
    const stored = JSON.parse(JSON.stringify(serializeDeviceIdentity(created)));
    const restored = deserializeDeviceIdentity(stored);
    expect(restored.deviceId).toBe(created.deviceId);
    expect(restored.publicKey).toBe(created.publicKey);
    expect(created.deviceId).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.from(created.publicKey, 'base64url')).toHaveLength(32);
    const signature = signPayload(restored, 'hello');
    expect(verifyPayloadSignature(created.publicKey, 'hello', signature)).toBe(true);
  });

  it('rejects a stored identity whose device id does not match its key', () => {
    const stored = serializeDeviceIdentity(createDeviceIdentity());
    expect(() => deserializeDeviceIdentity({ ...stored, deviceId: '0'.repeat(64) })).toThrow(/inconsistent/);
  });

  it('does not verify a signature made by another key or over another payload', () => {
    const other = createDeviceIdentity();
    const signature = signPayload(other, vector.payloadV3);
    expect(verifyPayloadSignature(identity.publicKey, vector.payloadV3, signature)).toBe(false);
    expect(verifyPayloadSignature(identity.publicKey, vector.payloadV2, vector.signatureV3)).toBe(false);
    expect(verifyPayloadSignature('not-a-key', vector.payloadV3, vector.signatureV3)).toBe(false);
  });
});
