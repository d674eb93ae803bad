/**
 * How passwords and API tokens are kept: only as salted scrypt hashes, never in a form that
 * gives them back. The parameters are stored with each hash (`scrypt$N$r$p$salt$hash`), so a
 * later version can raise them and still check what an older one wrote. Checks compare in
 * constant time. Hashing is deliberately slow (about 0.1 s on a small gateway) and runs on the
 * thread pool, never on the event loop; at most `HASHES_AT_ONCE` run at a time and
 * `HASHES_WAITING` wait, so a flood of logins cannot take the thread pool from the journal (whose
 * SQLite statements run there too): beyond, a check fails at once with `HashesBusy`.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * N = 2^15, r = 8, p = 1: 32 MiB and about 0.1 s per hash. OWASP suggests N = 2^17 (128 MiB); a
 * gateway's small memory and CPU take 2^15, and since the parameters are stored with each hash, a
 * later version can raise them without invalidating what is stored.
 */
export const SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

export const HASHES_AT_ONCE = 2;
export const HASHES_WAITING = 32;

/** A check refused because `HASHES_AT_ONCE` hashes run and `HASHES_WAITING` wait already. */
export class HashesBusy extends Error {
  constructor() {
    super(`${HASHES_AT_ONCE} password checks are running and ${HASHES_WAITING} waiting`);
  }
}

let running = 0;
const waiting: Array<() => void> = [];

async function derive(secret: string, salt: Buffer, params: { N: number; r: number; p: number }, bytes: number): Promise<Buffer> {
  if (running >= HASHES_AT_ONCE) {
    if (waiting.length >= HASHES_WAITING) throw new HashesBusy();
    await new Promise<void>((resolve) => waiting.push(resolve)); // handed the slot of one that finished
  } else {
    running++;
  }
  try {
    const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 };
    return await new Promise((resolve, reject) => scrypt(secret.normalize('NFC'), salt, bytes, options, (err, key) => (err ? reject(err) : resolve(key))));
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(secret, salt, SCRYPT, KEY_BYTES);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Whether `stored` (as `hashSecret` wrote it) is a well-formed hash. */
export function isSecretHash(stored: unknown): stored is string {
  return typeof stored === 'string' && FORMAT.test(stored);
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const m = FORMAT.exec(stored);
  if (!m) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const expected = Buffer.from(m[5]!, 'base64url');
  const key = await derive(secret, Buffer.from(m[4]!, 'base64url'), { N, r, p }, expected.length);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * Spends the time a check would, for a user that does not exist, so that the answer's timing
 * does not tell which user names are real.
 */
let decoy: Promise<string> | undefined;
export async function spendCheckTime(secret: string): Promise<void> {
  decoy ??= hashSecret('decoy');
  await verifySecret(secret, await decoy);
}
