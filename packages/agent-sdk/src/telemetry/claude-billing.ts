// Claude Code billing and rate-limit signals (TELEMETRY.md §2.5): `apiKeySource` of the latest init,
// upgraded to "subscription" by a rate_limit_event (printed for claude.ai logins only).

import type { JsonObject } from './json-line.ts';
import { readFiniteNumber, readNonEmptyString } from './json-line.ts';
import type { Billing } from './usage-record.ts';

export type RateLimitInfo = {
  status: string;
  rateLimitType?: string;
  resetsAt?: string;
  utilization?: number;
  isUsingOverage?: boolean;
};

const API_KEY_SOURCES = new Set(['ANTHROPIC_API_KEY', 'apiKeyHelper', '/login managed key', 'user', 'project', 'org', 'temporary']);
const MAX_DATE_MS = 8.64e15;

export function billingFromApiKeySource(apiKeySource: string | null, rateLimitSeen: boolean): Billing {
  if (apiKeySource !== null && API_KEY_SOURCES.has(apiKeySource)) return 'api';
  if (apiKeySource === 'oauth') return 'subscription';
  // "none" covers claude.ai logins, bearer tokens and Bedrock/Vertex alike; only claude.ai logins
  // print rate_limit_event, so seeing one settles it.
  if ((apiKeySource === 'none' || apiKeySource === null) && rateLimitSeen) return 'subscription';
  return 'unknown';
}

/** `rate_limit_info` → summary entry; resetsAt is epoch seconds in the stream, ISO in the summary. */
export function readRateLimitInfo(info: JsonObject): RateLimitInfo | undefined {
  const status = readNonEmptyString(info, 'status');
  if (status === undefined) return undefined;
  const rateLimitType = readNonEmptyString(info, 'rateLimitType');
  const resetsAtS = readFiniteNumber(info, 'resetsAt');
  const resetsAtMs = resetsAtS === undefined ? undefined : resetsAtS * 1000;
  const utilization = readFiniteNumber(info, 'utilization');
  const isUsingOverage = typeof info.isUsingOverage === 'boolean' ? info.isUsingOverage : undefined;
  return {
    status,
    ...(rateLimitType !== undefined ? { rateLimitType } : {}),
    ...(resetsAtMs !== undefined && Math.abs(resetsAtMs) <= MAX_DATE_MS ? { resetsAt: new Date(resetsAtMs).toISOString() } : {}),
    ...(utilization !== undefined ? { utilization } : {}),
    ...(isUsingOverage !== undefined ? { isUsingOverage } : {}),
  };
}
