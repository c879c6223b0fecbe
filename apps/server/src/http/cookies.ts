// Session cookie: HttpOnly, SameSite=Lax; `__Host-` + Secure behind a TLS proxy (MC_TRUST_PROXY).
import type { IncomingMessage } from 'node:http';

export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-mc_session' : 'mc_session';
}

export function readCookie(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

export function serializeSessionCookie(name: string, token: string, expiresAt: Date | null, secure: boolean): string {
  const parts = [`${name}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (secure) parts.push('Secure');
  if (expiresAt) parts.push(`Expires=${expiresAt.toUTCString()}`);
  else parts.push('Max-Age=0');
  return parts.join('; ');
}
