// Infers a provider from a model id when the reporter did not say (display and grouping only).
export function inferProvider(model: string): string | null {
  const id = model.toLowerCase();
  const prefixed = /^([a-z0-9_-]+)\//.exec(id);
  if (prefixed?.[1]) return prefixed[1] === 'vertex_ai' || prefixed[1] === 'gemini' ? 'google' : prefixed[1];
  if (/(^|\.)anthropic\.|claude/.test(id)) return 'anthropic';
  if (/^(gpt|o\d|codex|chatgpt)/.test(id)) return 'openai';
  if (/gemini/.test(id)) return 'google';
  return null;
}
