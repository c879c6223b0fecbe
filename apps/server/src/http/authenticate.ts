// Resolves the credential of a request: API key (Authorization: Bearer / x-api-key) first, then the
// session cookie. A presented but invalid key is reported so REST can answer 401 instead of anonymous.
import type { IncomingMessage } from 'node:http';
import { type Actor, anonymous, type Services } from '@mc/api';
import { readCookie } from './cookies.ts';

export type Authentication = { actor: Actor; via: 'key' | 'cookie' | 'none'; invalidKey: boolean };

export function presentedKey(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim();
  const key = req.headers['x-api-key'];
  return typeof key === 'string' && key.trim() ? key.trim() : null;
}

export async function authenticate(req: IncomingMessage, services: Services, cookieName: string): Promise<Authentication> {
  const key = presentedKey(req);
  if (key !== null) {
    const actor = await services.apiKeys.authenticate(key);
    return actor ? { actor, via: 'key', invalidKey: false } : { actor: anonymous, via: 'none', invalidKey: true };
  }
  const token = readCookie(req, cookieName);
  if (token) {
    const session = await services.sessions.validate(token);
    if (session) return { actor: session.actor, via: 'cookie', invalidKey: false };
  }
  return { actor: anonymous, via: 'none', invalidKey: false };
}
