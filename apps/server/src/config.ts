// The sole reader of process.env (ARCHITECTURE.md §6). Validates once, returns camelCase values with
// absolute paths and units in names; an invalid value stops startup with a message saying what to set.
import { isAbsolute, join, resolve } from 'node:path';
import { type GatewaySeed, GatewaySeeds, RateLimitSettings } from '@mc/api';
import { z } from 'zod';

export class StartupError extends Error {
  override readonly name = 'StartupError';
}

const optionalString = z.string().trim().optional().transform((value) => (value ? value : undefined));
const flag = z
  .string()
  .optional()
  .transform((value) => value !== undefined && /^(1|true|yes|on)$/i.test(value.trim()));

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3200),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  MC_DATA_DIR: z.string().trim().min(1).default('./data'),
  DATABASE_URL: optionalString,
  MC_ADMIN_USERNAME: optionalString,
  MC_ADMIN_PASSWORD: optionalString,
  AUTH_USER: optionalString,
  AUTH_PASS: optionalString,
  MC_ALLOWED_HOSTS: optionalString,
  MC_SECRET_KEY: optionalString,
  MC_GATEWAYS: optionalString,
  MC_AGENT_OFFLINE_AFTER_S: z.coerce.number().int().min(3).max(86_400).default(90),
  MC_RATE_LIMITS: optionalString,
  MC_TRUST_PROXY: flag,
  MC_WEB_DIST: optionalString,
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  databaseFile: string;
  admin: { username: string; password: string } | null;
  allowedHosts: string[];
  secretKey: string | null;
  gatewaysJson: string | null;
  /** MC_GATEWAYS, parsed: seeded at startup for names that do not exist yet */
  gateways: GatewaySeed[];
  agentOfflineAfterS: number;
  rateLimits: RateLimitSettings;
  trustProxy: boolean;
  webDist: string;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  bodyLimitBytes: number;
};

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
export const isLoopbackHost = (host: string) => LOOPBACK_HOSTS.has(host) || host.startsWith('127.');

/** `allowUnsafeBind` lets `mc doctor` load a configuration the server would refuse, to report on it. */
export function loadConfig(env: NodeJS.ProcessEnv, cwd = process.cwd(), options: { allowUnsafeBind?: boolean } = {}): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) throw new StartupError(`Invalid configuration:\n${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  const dataDir = resolve(cwd, e.MC_DATA_DIR);
  let databaseFile = join(dataDir, 'mission-control.db');
  if (e.DATABASE_URL) {
    if (!e.DATABASE_URL.startsWith('file:')) throw new StartupError('DATABASE_URL must be a SQLite file URL such as file:./data/mission-control.db');
    const path = e.DATABASE_URL.slice('file:'.length);
    databaseFile = isAbsolute(path) ? path : resolve(cwd, path);
  }
  const username = e.MC_ADMIN_USERNAME ?? e.AUTH_USER;
  const password = e.MC_ADMIN_PASSWORD ?? e.AUTH_PASS;
  if ((username && !password) || (!username && password)) {
    throw new StartupError('Set both MC_ADMIN_USERNAME and MC_ADMIN_PASSWORD (or neither, to get a one-time setup link).');
  }
  const allowedHosts = (e.MC_ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  if (!isLoopbackHost(e.HOST) && allowedHosts.length === 0 && !options.allowUnsafeBind) {
    throw new StartupError(
      `Refusing to listen on ${e.HOST} without MC_ALLOWED_HOSTS. Set MC_ALLOWED_HOSTS to the host names clients use (e.g. MC_ALLOWED_HOSTS=mc.example.lan), or bind to 127.0.0.1.`,
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseFile,
    admin: username && password ? { username, password } : null,
    allowedHosts,
    secretKey: e.MC_SECRET_KEY ?? null,
    gatewaysJson: e.MC_GATEWAYS ?? null,
    gateways: parseGateways(e.MC_GATEWAYS),
    agentOfflineAfterS: e.MC_AGENT_OFFLINE_AFTER_S,
    rateLimits: parseRateLimits(e.MC_RATE_LIMITS),
    trustProxy: e.MC_TRUST_PROXY,
    webDist: e.MC_WEB_DIST ? resolve(cwd, e.MC_WEB_DIST) : defaultWebDist(),
    logLevel: e.LOG_LEVEL,
    bodyLimitBytes: 1024 * 1024,
  };
}

/** apps/web/dist, found from this module whether it runs from src (tsx, tests) or dist (bundle). */
function defaultWebDist(): string {
  return resolve(new URL('.', import.meta.url).pathname, '..', '..', 'web', 'dist');
}

function parseRateLimits(json: string | undefined): RateLimitSettings {
  let value: unknown = {};
  if (json) {
    try {
      value = JSON.parse(json);
    } catch {
      throw new StartupError('MC_RATE_LIMITS must be JSON, e.g. {"heartbeatPerAgentPerMin":600}');
    }
  }
  const parsed = RateLimitSettings.safeParse(value);
  if (!parsed.success) throw new StartupError(`Invalid MC_RATE_LIMITS:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function parseGateways(json: string | undefined): GatewaySeed[] {
  if (!json) return [];
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new StartupError('MC_GATEWAYS must be a JSON array, e.g. [{"name":"lab","url":"ws://127.0.0.1:18789","token":"…"}]');
  }
  const parsed = GatewaySeeds.safeParse(value);
  if (!parsed.success) throw new StartupError(`Invalid MC_GATEWAYS:\n${z.prettifyError(parsed.error)}`);
  const names = parsed.data.map((seed) => seed.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) throw new StartupError(`Invalid MC_GATEWAYS: the name ${duplicate} appears twice`);
  return parsed.data;
}
