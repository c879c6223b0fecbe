// Model id → price-table key (TELEMETRY.md §5.1): exact key → alias → normalized key → alias of the
// normalized id → null (unpriced). Never a guess: an unknown model stays unknown.

/** The part of a PriceTable that resolution reads (kept structural: price-table.ts imports this file). */
export type ModelKeyLookup = {
  models: ReadonlyMap<string, unknown>;
  aliases: ReadonlyMap<string, string>;
};

const PROVIDER_PREFIXES = ['anthropic/', 'openai/', 'google/', 'gemini/', 'vertex_ai/', 'bedrock/', 'azure/'];
const REGION_PREFIXES = ['us.', 'eu.', 'apac.', 'au.', 'jp.', 'global.'];
const BEDROCK_VERSION = /-v\d+(?::\d+)?$/;
const DATE_SUFFIX = /(?:-\d{8}|@\d{8}|-\d{4}-\d{2}-\d{2})$/;

/**
 * Same rule as @mc/agent-sdk's normalizeModelId (the SDK must not be a server dependency, so the
 * dozen lines live twice; both test suites pin the TELEMETRY.md examples).
 */
export function normalizeModelId(id: string): string {
  let normalized = id.trim().toLowerCase();
  let stripped = true;
  while (stripped) {
    stripped = false;
    for (const prefix of PROVIDER_PREFIXES) {
      if (normalized.startsWith(prefix)) {
        normalized = normalized.slice(prefix.length);
        stripped = true;
      }
    }
  }
  const region = REGION_PREFIXES.find((prefix) => normalized.startsWith(prefix));
  if (region !== undefined) normalized = normalized.slice(region.length);
  if (normalized.startsWith('anthropic.')) normalized = normalized.slice('anthropic.'.length);
  if (normalized.endsWith('[1m]')) normalized = normalized.slice(0, -'[1m]'.length);
  normalized = normalized.replace(BEDROCK_VERSION, '');
  normalized = normalized.replace(DATE_SUFFIX, '');
  return normalized;
}

/** The `models` key that prices `id`, or null when the table does not know the model. */
export function resolveModel(table: ModelKeyLookup, id: string): string | null {
  if (table.models.has(id)) return id;
  const alias = table.aliases.get(id);
  if (alias !== undefined) return alias;
  const normalized = normalizeModelId(id);
  if (table.models.has(normalized)) return normalized;
  return table.aliases.get(normalized) ?? null;
}
