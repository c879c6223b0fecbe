// Reads one NDJSON line (TELEMETRY.md §1 "Lines") and the loosely typed fields inside it.
// Nothing here throws: a line that is not a JSON object is reported as malformed, odd fields read as absent.

export type JsonObject = Record<string, unknown>;

export type ParsedLine = { kind: 'blank' } | { kind: 'malformed' } | { kind: 'object'; value: JsonObject };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Splits what was pushed into lines: callers push one line, but a chunk holding several (or ending in
 * `\n`) must not become one malformed line. JSON text never contains a raw `\n`, so splitting is safe.
 */
export function splitPushedLines(chunk: string): string[] {
  const body = chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk;
  return body.split('\n');
}

/** Strips one trailing `\r`, ignores blank lines, parses the rest as a JSON object. */
export function parseJsonLine(rawLine: string): ParsedLine {
  const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
  if (line.trim() === '') return { kind: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    // Not JSON (a CLI warning, a truncated write): counted by the caller, never fatal.
    return { kind: 'malformed' };
  }
  return isJsonObject(value) ? { kind: 'object', value } : { kind: 'malformed' };
}

export function readString(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' ? value : undefined;
}

/** A non-empty string, else undefined (ids, session ids, model names). */
export function readNonEmptyString(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function readObject(object: JsonObject, key: string): JsonObject | undefined {
  const value = object[key];
  return isJsonObject(value) ? value : undefined;
}

export function readFiniteNumber(object: JsonObject, key: string): number | undefined {
  const value = object[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** ISO-8601 (UTC, ms) for a parseable `timestamp` string, else undefined. */
export function readTimestamp(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}
