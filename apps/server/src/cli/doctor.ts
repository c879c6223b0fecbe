// `pnpm mc doctor`: checks a deployment's configuration and files for the mistakes that matter:
// weak admin passwords, a missing host allowlist, plain HTTP off loopback, loose file permissions.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { commonPasswordCandidates, verifyPassword } from '@mc/api';
import BetterSqlite3 from 'better-sqlite3';
import { type Config, isLoopbackHost } from '../config.ts';

export type Finding = { check: string; level: 'ok' | 'warn' | 'fail'; message: string };

export type DoctorOptions = { env?: NodeJS.ProcessEnv; /** Skip the slow argon2 password probe (tests of the other checks). */ checkPasswords?: boolean };

export async function runDoctor(config: Config, options: DoctorOptions = {}): Promise<Finding[]> {
  const env = options.env ?? process.env;
  const findings: Finding[] = [];
  const add = (check: string, level: Finding['level'], message: string) => findings.push({ check, level, message });
  const exposed = !isLoopbackHost(config.host);

  if (exposed && config.allowedHosts.length === 0) add('allowlist', 'fail', `HOST=${config.host} without MC_ALLOWED_HOSTS: set it to the names clients use.`);
  else if (config.allowedHosts.includes('*')) add('allowlist', 'warn', 'MC_ALLOWED_HOSTS contains "*": any Host header is accepted (no DNS-rebinding protection).');
  else add('allowlist', 'ok', exposed ? `answers to ${config.allowedHosts.join(', ')}` : 'loopback only');

  if (exposed && !config.trustProxy) add('tls', 'fail', `Listening on ${config.host} over plain HTTP: put a TLS reverse proxy in front and set MC_TRUST_PROXY=1, or bind to 127.0.0.1.`);
  else add('tls', 'ok', exposed ? 'behind a TLS proxy (MC_TRUST_PROXY)' : 'loopback only');

  if (existsSync(config.dataDir)) {
    const mode = statSync(config.dataDir).mode & 0o777;
    if (mode & 0o007) add('data-dir', 'fail', `${config.dataDir} is accessible to other users (mode ${mode.toString(8)}): chmod 700 it.`);
    else add('data-dir', 'ok', `${config.dataDir} mode ${mode.toString(8)}`);
  } else {
    add('data-dir', 'warn', `${config.dataDir} does not exist yet (created on first start).`);
  }

  const keyFile = join(config.dataDir, 'secret.key');
  if (config.secretKey) add('secret-key', config.secretKey.length >= 32 ? 'ok' : 'fail', config.secretKey.length >= 32 ? 'MC_SECRET_KEY set' : 'MC_SECRET_KEY is shorter than 32 characters');
  else if (existsSync(keyFile)) {
    const mode = statSync(keyFile).mode & 0o777;
    if (mode & 0o077) add('secret-key', 'fail', `${keyFile} mode ${mode.toString(8)}: chmod 600 it.`);
    else add('secret-key', 'ok', `${keyFile} mode ${mode.toString(8)}`);
  } else add('secret-key', 'warn', 'no secret key yet (created on first start)');

  if (options.checkPasswords === false) return findings;
  const envPassword = env.MC_ADMIN_PASSWORD ?? env.AUTH_PASS;
  const weak: string[] = [];
  if (existsSync(config.databaseFile)) {
    const db = new BetterSqlite3(config.databaseFile, { readonly: true, fileMustExist: true });
    try {
      const admins = db.prepare(`SELECT username, passwordHash FROM "User" WHERE role = 'admin' AND disabledAt IS NULL`).all() as { username: string; passwordHash: string }[];
      for (const admin of admins) {
        const candidates = [...commonPasswordCandidates(admin.username), ...(envPassword ? [envPassword] : [])];
        for (const candidate of candidates) {
          if (await verifyPassword(admin.passwordHash, candidate)) {
            weak.push(candidate === envPassword ? `${admin.username} (still the MC_ADMIN_PASSWORD from the environment)` : admin.username);
            break;
          }
        }
      }
    } finally {
      db.close();
    }
  }
  if (weak.length) add('admin-password', 'fail', `weak or default admin password: ${weak.join(', ')}. Change it in Settings → Account.`);
  else add('admin-password', 'ok', 'no admin uses a common password');
  return findings;
}
