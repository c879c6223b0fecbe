// The key that encrypts secrets at rest (gateway tokens, device keys, webhook secrets): MC_SECRET_KEY,
// or a random key file created once with mode 0600 in the data dir.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from './config.ts';

export function loadSecretKey(secret: string | null, dataDir: string): Buffer {
  if (secret) {
    if (secret.length < 32) throw new StartupError('MC_SECRET_KEY must be at least 32 characters (e.g. `openssl rand -base64 32`).');
    return createHash('sha256').update(secret).digest();
  }
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) throw new StartupError(`${file} is readable by other users (mode ${mode.toString(8)}); run chmod 600 on it.`);
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new StartupError(`${file} does not hold a 32-byte base64 key; restore it from a backup.`);
    return key;
  }
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64'), { mode: 0o600, flag: 'wx' });
  return key;
}
