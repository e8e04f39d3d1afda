import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;

/** scrypt parameters: N = 2^14, r = 8, p = 1 (≈ 16 MiB, tens of milliseconds). */
const SCRYPT = { N: 1 << 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_BYTES = 32;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) out += BASE62[b % 62];
  return out;
}

/** A new API token: `tb_<prefix>_<secret>` (prefix 8, secret 40 base62 characters). */
export interface NewApiToken {
  /** The token, shown once to its owner and never stored. */
  readonly token: string;
  /** Its first characters, stored to find it and to recognise it in listings. */
  readonly prefix: string;
}

const TOKEN_PATTERN = /^tb_([0-9A-Za-z]{8})_([0-9A-Za-z]{40})$/;

/** Generates a random token (≈ 238 bits of entropy in the secret). */
export function generateApiToken(): NewApiToken {
  const prefix = base62(randomBytes(8));
  const secret = base62(randomBytes(40));
  return { token: `tb_${prefix}_${secret}`, prefix };
}

/** The prefix of a well-formed token, or null. */
export function tokenPrefix(token: string): string | null {
  return TOKEN_PATTERN.exec(token)?.[1] ?? null;
}

/** Hashes a token for storage: `scrypt$N$r$p$<salt b64>$<hash b64>`. */
export async function hashApiToken(token: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(token, salt, KEY_BYTES, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Checks a token against a stored hash in constant time. */
export async function verifyApiToken(token: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, keyB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(keyB64, 'base64');
  const key = await scrypt(token, Buffer.from(saltB64, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}
