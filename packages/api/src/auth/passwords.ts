// Password hashing (argon2id, OWASP parameters) and the password policy. Unknown users still cost one
// verification (dummy hash) so response time does not reveal which usernames exist.
import { hash, verify } from '@node-rs/argon2';

const OPTIONS = { algorithm: 2 /* Algorithm.Argon2id (a const enum) */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

// Common passwords that pass the length rule; shorter ones fail it anyway.
const COMMON = new Set([
  'password1234', 'password12345', 'password123456', 'passwordpassword', '123456789012', '1234567890123',
  '12345678901234', 'qwertyuiopas', 'qwerty123456', '1q2w3e4r5t6y', 'iloveyou1234', 'adminadmin12',
  'administrator', 'changeme1234', 'changemechangeme', 'letmein12345', 'welcome12345', 'trustno1trustno1',
  'abc123abc123', 'aaaaaaaaaaaa', 'monkey123456', 'dragon123456', 'football1234', 'baseball1234',
  'superman1234', 'princess1234', 'sunshine1234', 'mission-control', 'missioncontrol', 'correcthorsebatterystaple',
  'p@ssw0rd1234', 'passw0rd1234', 'mypassword123', 'secretpassword', 'default12345',
]);

/** Passwords `mc doctor` tries against admin hashes: the common list plus username variations. */
export function commonPasswordCandidates(username: string): string[] {
  return [...COMMON, username, `${username}${username}`, `${username}123456`, `${username}1234567890`];
}

/** Returns why a password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, username?: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'is a commonly used password';
  if (new Set(lower).size <= 2) return 'is too repetitive';
  if (username && lower.includes(username.toLowerCase())) return 'must not contain the username';
  if (/^(0123456789|1234567890|abcdefghijkl)/.test(lower)) return 'is a simple sequence';
  return null;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

let dummyHash: Promise<string> | null = null;

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (passwordHash === null) {
    dummyHash ??= hashPassword('dummy password for timing equalisation');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}
