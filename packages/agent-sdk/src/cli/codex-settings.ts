// What `codex exec --json` does not say (TELEMETRY.md §4): the model (-m, -c model=, the --profile's
// model, then config.toml's model; else "unknown" = unpriced, never a guess) and the billing mode.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Billing } from '../telemetry/usage-record.ts';
import type { CliEnv } from './cli-env.ts';
import { optionValue } from './run-claude.ts';

/** Strips TOML quotes from a bare or quoted string value. */
function tomlString(raw: string): string | undefined {
  const value = raw.trim().replace(/\s+#.*$/, '');
  const quoted = /^"((?:[^"\\]|\\.)*)"$|^'([^']*)'$/.exec(value);
  if (quoted) return quoted[1] ?? quoted[2];
  return /^[A-Za-z0-9._:/-]+$/.test(value) ? value : undefined;
}

/** `model` at top level, or in `[profiles.<name>]`, of a config.toml. Just enough TOML for these keys. */
export function readTomlModel(text: string, profile: string | undefined): string | undefined {
  let table = '';
  let topLevel: string | undefined;
  let inProfile: string | undefined;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      table = (header[1] ?? '').replace(/"/g, '');
      continue;
    }
    const assignment = /^model\s*=\s*(.+)$/.exec(line);
    if (!assignment) continue;
    const value = tomlString(assignment[1] ?? '');
    if (table === '') topLevel ??= value;
    else if (profile !== undefined && table === `profiles.${profile}`) inProfile ??= value;
  }
  return inProfile ?? topLevel;
}

export function resolveCodexModel(options: string[], env: CliEnv): string | null {
  const flag = optionValue(options, ['-m', '--model']);
  if (flag) return flag;
  for (let i = 0; i < options.length; i++) {
    const token = options[i] ?? '';
    const override = token === '-c' || token === '--config' ? options[i + 1] : token.startsWith('--config=') ? token.slice(9) : undefined;
    const match = override ? /^model\s*=\s*(.+)$/.exec(override) : null;
    if (match) return tomlString(match[1] ?? '') ?? null;
  }
  let config = '';
  try {
    config = readFileSync(join(env.codexHome, 'config.toml'), 'utf8');
  } catch {
    return null;
  }
  return readTomlModel(config, optionValue(options, ['-p', '--profile'])) ?? null;
}

/** API key in the environment or auth.json → api; a ChatGPT sign-in (tokens) → subscription. */
export function resolveCodexBilling(env: CliEnv): Billing {
  if (env.codexApiKeySet) return 'api';
  try {
    const auth: unknown = JSON.parse(readFileSync(join(env.codexHome, 'auth.json'), 'utf8'));
    if (typeof auth === 'object' && auth !== null) {
      const record = auth as Record<string, unknown>;
      if (typeof record.OPENAI_API_KEY === 'string' && record.OPENAI_API_KEY !== '') return 'api';
      if (typeof record.tokens === 'object' && record.tokens !== null) return 'subscription';
    }
  } catch {
    // no auth.json: fall through
  }
  return env.openaiApiKeySet ? 'api' : 'unknown';
}
