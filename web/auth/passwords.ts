// Password hashing with scrypt (a slow, memory-hard KDF) from node:crypto.
// Stored form: scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>, so parameters can grow later
// without invalidating existing users.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );

// OWASP's scrypt minimum (N 2^17, r 8, p 1: 128 MiB per hash); older hashes keep the cost they were made with.
const DEFAULTS = { N: 1 << 17, r: 8, p: 1 } as const;
const KEY_LEN = 32;
const MIN_PASSWORD = 8;

/** Passwords of 8+ characters at the top of every leaked-password list: the first guesses of any attacker. */
const COMMON = new Set([
  'password',
  'password1',
  'password12',
  'password123',
  'passw0rd',
  '12345678',
  '123456789',
  '1234567890',
  '11111111',
  '00000000',
  '87654321',
  'qwertyui',
  'qwerty123',
  'qwertyuiop',
  'iloveyou',
  'sunshine',
  'princess',
  'football',
  'baseball',
  'welcome1',
  'abcd1234',
  'abc12345',
  'letmein1',
  'trustno1',
  'superman',
  'starwars',
  'whatever',
  'changeme',
  'administrator',
  'workshop',
  'station1',
  'asdfghjk',
  'zaq12wsx',
  '1q2w3e4r',
  '1qaz2wsx',
]);

/** Why a password is unacceptable, or null when it is fine. `name`: the user's, which is not a password either. */
export function passwordProblem(password: string, name?: string): string | null {
  if (password.length < MIN_PASSWORD) return `password must be at least ${MIN_PASSWORD} characters`;
  if (password.length > 1024) return 'password must be at most 1024 characters';
  if (COMMON.has(password.toLowerCase()))
    return 'password is one of the most common passwords; choose a longer phrase of your own';
  if (name && password.toLowerCase().includes(name.toLowerCase()) && name.length >= 3)
    return 'password must not contain the user name';
  if (new Set(password).size < 4) return 'password repeats too few characters; choose a longer phrase of your own';
  return null;
}

export async function hashPassword(
  password: string,
  params: { N: number; r: number; p: number } = DEFAULTS,
): Promise<string> {
  const problem = passwordProblem(password);
  if (problem) throw new Error(problem);
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LEN, { ...params, maxmem: scryptMaxmem(params) });
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export interface StoredHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  expected: Buffer;
}

/** The parts of a stored hash, or null when it is malformed. */
export function parseStoredHash(stored: string): StoredHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((v) => Number.isInteger(v) && v > 0)) return null;
  const expected = Buffer.from(parts[5], 'base64');
  if (expected.length === 0) return null;
  return { N, r, p, salt: Buffer.from(parts[4], 'base64'), expected };
}

export const scryptMaxmem = (h: { N: number; r: number }) => 256 * h.N * h.r;

/**
 * Constant-time check of a password against a stored hash; false for any malformed hash. Runs scrypt on libuv's
 * pool: fine for the users CLI and tests; the station checks logins with passwordChecker.ts instead.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parseStoredHash(stored);
  if (!h || password.length > 1024) return false;
  const key = await scrypt(password, h.salt, h.expected.length, { N: h.N, r: h.r, p: h.p, maxmem: scryptMaxmem(h) });
  return timingSafeEqual(key, h.expected);
}

/** A hash to verify against when the user does not exist, so timing does not reveal which names exist. */
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(12).toString('base64'));
  return dummyHash;
}
