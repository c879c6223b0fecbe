// normalizeModelId of TELEMETRY.md §5.1: gateway, provider, region and version decorations stripped, so
// "us.anthropic.claude-opus-4-1-20250805-v1:0" and "claude-opus-4-1" compare equal (reconciliation pool).

const PROVIDER_PREFIXES = ['anthropic/', 'openai/', 'google/', 'gemini/', 'vertex_ai/', 'bedrock/', 'azure/'];
const REGION_PREFIXES = ['us.', 'eu.', 'apac.', 'au.', 'jp.', 'global.'];
const BEDROCK_VERSION = /-v\d+(?::\d+)?$/;
const DATE_SUFFIX = /(?:-\d{8}|@\d{8}|-\d{4}-\d{2}-\d{2})$/;

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
