import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openSecret, SecretBoxError, sealSecret } from './secret-box.ts';

const key = randomBytes(32);

describe('secret box (AES-256-GCM)', () => {
  it('opens what it sealed, and never stores the plaintext', () => {
    const sealed = sealSecret(key, 'whsec_c2VjcmV0', 'webhook:1');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('whsec_');
    expect(openSecret(key, sealed, 'webhook:1')).toBe('whsec_c2VjcmV0');
  });

  it('uses a fresh IV each time, so equal secrets seal differently', () => {
    expect(sealSecret(key, 'same', 'ctx')).not.toBe(sealSecret(key, 'same', 'ctx'));
  });

  it('refuses another key, another context and any tampering', () => {
    const sealed = sealSecret(key, 'payload', 'webhook:1');
    expect(() => openSecret(randomBytes(32), sealed, 'webhook:1')).toThrow(SecretBoxError);
    expect(() => openSecret(key, sealed, 'webhook:2')).toThrow(SecretBoxError);
    const [version, iv, ciphertext, tag] = sealed.split('.') as [string, string, string, string];
    const flipped = Buffer.from(ciphertext, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => openSecret(key, [version, iv, flipped.toString('base64url'), tag].join('.'), 'webhook:1')).toThrow(SecretBoxError);
    expect(() => openSecret(key, 'plain-text', 'webhook:1')).toThrow(/not a sealed secret/);
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => sealSecret(randomBytes(16), 'x', 'ctx')).toThrow(/32 bytes/);
  });
});
