// Password hashing with scrypt (a slow, memory-hard KDF) from node:crypto.
// Stored form: scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>, so parameters can grow later
// without invalidating existing users.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );

const DEFAULTS = { N: 1 << 15, r: 8, p: 1 } as const;
const KEY_LEN = 32;
const MIN_PASSWORD = 8;

/** Why a password is unacceptable, or null when it is fine. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD) return `password must be at least ${MIN_PASSWORD} characters`;
  if (password.length > 1024) return 'password must be at most 1024 characters';
  return null;
}

export async function hashPassword(password: string, params: { N: number; r: number; p: number } = DEFAULTS): Promise<string> {
  const problem = passwordProblem(password);
  if (problem) throw new Error(problem);
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LEN, { ...params, maxmem: scryptMaxmem(params) });
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export interface StoredHash { N: number; r: number; p: number; salt: Buffer; expected: Buffer }

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
