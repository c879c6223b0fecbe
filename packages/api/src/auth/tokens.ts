// Random secrets and their stored form: only SHA-256 hex digests reach the database.
import { createHash, randomBytes } from 'node:crypto';

export const randomSecret = (bytes = 32): string => randomBytes(bytes).toString('base64url');
export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');
