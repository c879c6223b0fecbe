// Secrets at rest (ARCHITECTURE.md §5): AES-256-GCM with the server key, a fresh 96-bit IV per seal,
// and a context string as associated data so a sealed value can't be moved to another row or use.
// Format: `v1.<iv>.<ciphertext>.<tag>` (base64url parts). Opening with the wrong key/context throws.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

function checkKey(key: Buffer): void {
  if (key.length !== 32) throw new SecretBoxError(`secret key must be 32 bytes, got ${key.length}`);
}

export function sealSecret(key: Buffer, plaintext: string, context: string): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

export function openSecret(key: Buffer, sealed: string, context: string): string {
  checkKey(key);
  const [version, ivText, ciphertextText, tagText, ...rest] = sealed.split('.');
  if (version !== VERSION || ivText === undefined || ciphertextText === undefined || tagText === undefined || rest.length) {
    throw new SecretBoxError('not a sealed secret (expected v1.<iv>.<ciphertext>.<tag>)');
  }
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretBoxError('sealed secret has a malformed IV or tag');
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(Buffer.from(ciphertextText, 'base64url')), decipher.final()]).toString('utf8');
  } catch (error) {
    throw new SecretBoxError('sealed secret does not open with this key and context (wrong MC_SECRET_KEY, or tampered)', { cause: error });
  }
}
