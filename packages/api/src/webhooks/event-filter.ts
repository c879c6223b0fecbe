// Webhook event filters: a list of patterns, each `*` (everything), `prefix.*` (that family, any depth)
// or an exact type. `webhook.test` is never matched: a test event goes only to the webhook it tests.
export const EVENT_PATTERN = /^(\*|[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*(\.\*)?)$/;
export const TEST_EVENT_TYPE = 'webhook.test';

export function matchesEventFilter(patterns: readonly string[], type: string): boolean {
  if (type === TEST_EVENT_TYPE) return false;
  for (const pattern of patterns) {
    if (pattern === '*' || pattern === type) return true;
    if (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))) return true;
  }
  return false;
}

/** Parses a stored filter; anything unreadable matches nothing (fail closed). */
export function parseEventFilter(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && EVENT_PATTERN.test(item)) : [];
  } catch {
    return [];
  }
}
