// `mc-agent doctor [--url u] [--api-key k] [--name n]`: checks what reporting needs (configuration, the
// server answering, the key and its role, the clock) and says how to fix each failure. Exit 1 on failure.

import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { MissionControlError } from '../agent/errors.ts';
import { createHttpApi, normalizeServerUrl } from '../agent/http-api.ts';
import type { CliEnv } from './cli-env.ts';
import { resolveReportingConfig, spoolDirFor, type WrapperOptions } from './cli-options.ts';

export type Check = { ok: boolean; warning?: boolean; label: string; detail: string };

/** Above this the server may refuse records' times and offline detection drifts. */
const CLOCK_WARN_MS = 5_000;
const CLOCK_FAIL_MS = 60_000;

function pendingSpoolRecords(directory: string | null): number {
  if (directory === null) return 0;
  try {
    return readdirSync(directory)
      .filter((name) => name.endsWith('.jsonl'))
      .reduce((sum, name) => sum + readFileSync(join(directory, name), 'utf8').split('\n').filter((line) => line.trim() !== '').length, 0);
  } catch {
    return 0;
  }
}

function hooksInstalled(): boolean {
  try {
    return /mc-agent(\.m?js)?['"]? hook|\/cli\/main\.js['"]? hook/.test(readFileSync(join(homedir(), '.claude', 'settings.json'), 'utf8'));
  } catch {
    return false;
  }
}

export async function runDoctor(options: WrapperOptions, env: CliEnv): Promise<Check[]> {
  const checks: Check[] = [];
  const { config, problem } = resolveReportingConfig(options, env, 'claude');
  if (config === null) {
    checks.push({ ok: false, label: 'configuration', detail: `${problem}: export MC_URL=http://<server>:3200 and MC_API_KEY=<operator key or agent key> (or pass --url / --api-key)` });
    return checks;
  }
  try {
    normalizeServerUrl(config.url);
  } catch (error) {
    checks.push({ ok: false, label: 'configuration', detail: (error as Error).message });
    return checks;
  }
  checks.push({ ok: true, label: 'configuration', detail: `server ${config.url}, agent name ${config.name}` });

  const base = normalizeServerUrl(config.url);
  const started = Date.now();
  let serverDate: number | null = null;
  try {
    const response = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5_000) });
    const finished = Date.now();
    const date = response.headers.get('date');
    serverDate = date ? Date.parse(date) - (started + finished) / 2 : null;
    checks.push(
      response.ok
        ? { ok: true, label: 'server', detail: `${base} answers (${finished - started} ms)` }
        : { ok: false, label: 'server', detail: `${base}/healthz answered HTTP ${response.status}; is MC_URL the Mission Control server?` },
    );
  } catch (error) {
    const cause = (error as Error).cause;
    const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : (error as Error).message;
    checks.push({ ok: false, label: 'server', detail: `cannot reach ${base} (${code}): is the server running, and is MC_URL right?` });
    return checks;
  }

  try {
    const me = await createHttpApi({ url: config.url, apiKey: config.apiKey, timeoutMs: 5_000 }).request<Record<string, unknown>>('GET', '/api/me');
    if (me.kind === 'agent') checks.push({ ok: true, label: 'api key', detail: `agent key "${String(me.keyName)}" (reports only as its own agent)` });
    else if (me.kind === 'user' && (me.role === 'operator' || me.role === 'admin')) checks.push({ ok: true, label: 'api key', detail: `user key of ${String(me.username)} (${String(me.role)})` });
    else checks.push({ ok: false, label: 'api key', detail: `the key acts as ${String(me.username ?? me.kind)} with role ${String(me.role ?? 'none')}; reporting needs an operator key or an agent key` });
  } catch (error) {
    checks.push({ ok: false, label: 'api key', detail: error instanceof MissionControlError ? error.message : String(error) });
  }

  if (serverDate !== null && Number.isFinite(serverDate)) {
    const skew = Math.round(serverDate);
    const detail = `local clock is ${Math.abs(skew / 1000).toFixed(1)} s ${skew > 0 ? 'behind' : 'ahead of'} the server`;
    if (Math.abs(skew) > CLOCK_FAIL_MS) checks.push({ ok: false, label: 'clock', detail: `${detail}: sync it (NTP), usage times and liveness depend on it` });
    else if (Math.abs(skew) > CLOCK_WARN_MS) checks.push({ ok: true, warning: true, label: 'clock', detail: `${detail}; consider syncing it (NTP)` });
    else checks.push({ ok: true, label: 'clock', detail: `in sync with the server (${Math.abs(skew)} ms, 1 s resolution)` });
  }

  const pending = pendingSpoolRecords(spoolDirFor(env, config));
  if (pending > 0) checks.push({ ok: true, warning: true, label: 'spool', detail: `${pending} usage records wait on disk; the next mc-agent run delivers them` });
  checks.push({ ok: true, label: 'claude hooks', detail: hooksInstalled() ? 'installed in ~/.claude/settings.json' : 'not installed (optional: mc-agent claude-hooks --install)' });
  return checks;
}

export function formatChecks(checks: Check[]): string {
  return `${checks.map((check) => `${check.ok ? (check.warning ? '!' : '✓') : '✗'} ${check.label}: ${check.detail}`).join('\n')}\n`;
}
