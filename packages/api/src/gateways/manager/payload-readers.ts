// Lenient accessors for gateway payloads (GATEWAY.md §12.5): unknown keys ignored, wrong types and
// explicit nulls read as absent. Never throws.
export type Payload = Record<string, unknown>;

export function asRecord(value: unknown): Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Payload) : {};
}

export function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function readString(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

export function readNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function readInteger(value: unknown): number | null {
  const number = readNumber(value);
  return number === null ? null : Math.max(0, Math.min(Math.round(number), Number.MAX_SAFE_INTEGER));
}

export function readBoolean(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/** Epoch ms (or an ISO string) → Date; null for anything implausible. */
export function readTime(value: unknown): Date | null {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return new Date(value);
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? new Date(ms) : null;
  }
  return null;
}

/** The agent id inside a session key `agent:<agentId>:<rest>` (GATEWAY.md §7). */
export function agentIdFromSessionKey(sessionKey: string): string | null {
  const parts = sessionKey.split(':');
  return parts[0] === 'agent' && parts[1] ? parts[1] : null;
}

export function truncate(text: string | null, max: number): string | null {
  if (text === null) return null;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
