/**
 * The gateway's users: `users.json` in its data folder, written by `sensegate users` and read by
 * the running gateway, which notices changes without a restart. Passwords and API tokens are
 * kept only as salted hashes (secret-hash.ts); an API token is `sgt_<id>.<secret>`, and only its
 * id is stored in clear, so a request's token is checked against one hash, never against all.
 *
 * Invariants: the file is replaced whole (written beside it, synced, renamed over it), so a reader
 * sees the old file or the new one, never half of one; it has the data folder's file mode; a file
 * that does not parse or does not match the schema is an error naming the file and the field,
 * never an empty user list (which would silently reopen loopback access or lock everyone out).
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SensegateError, describeZodError } from '@sensegate/sdk';
import { z } from 'zod';
import { PRIVATE, ensureFolder, tighten, type FileAccess } from '../../data-folder.js';
import { ROLES, type Role } from './roles.js';
import { hashSecret, isSecretHash } from './secret-hash.js';

export const USERS_FILE = 'users.json';
export const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;
const TOKEN_FORMAT = /^sgt_([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;

const hash = z.string().refine(isSecretHash, 'not a password hash this gateway wrote (scrypt$N$r$p$salt$hash)');

const tokenSchema = z
  .object({
    id: z.string().regex(/^[0-9a-f]{16}$/),
    hash,
    created: z.string(),
    label: z.string().max(200).optional(),
  })
  .strict();

const userSchema = z
  .object({
    role: z.enum(ROLES),
    password: hash.optional(),
    created: z.string(),
    tokens: z.array(tokenSchema).default([]),
  })
  .strict();

const fileSchema = z
  .object({
    version: z.literal(1),
    users: z.record(z.string().regex(USER_NAME, 'a user name: letters, digits, and _ . @ - after the first'), userSchema),
  })
  .strict();

export type UserRecord = z.output<typeof userSchema>;
export type TokenRecord = z.output<typeof tokenSchema>;
export type Users = z.output<typeof fileSchema>;

export function usersPath(dataDir: string): string {
  return join(dataDir, USERS_FILE);
}

/** The users in `dataDir`; none when the file does not exist. */
export async function readUsers(dataDir: string): Promise<Users> {
  const path = usersPath(dataDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, users: {} };
    throw new SensegateError('SG_USERS_FILE_INVALID', `cannot read the users file ${path}: ${(err as Error).message}; check its owner and mode (the gateway's user, 0600)`, { source: path, cause: err });
  }
  return parseUsers(text, path);
}

export function parseUsers(text: string, path: string): Users {
  const fix = `restore ${path} from a backup, or move it aside and add the users again with \`sensegate users add NAME --role ROLE\``;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SensegateError('SG_USERS_FILE_INVALID', `the users file ${path} is not valid JSON (${(err as Error).message}); ${fix}`, { source: path });
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = describeZodError(parsed.error).map((p) => (p.path.length ? `${p.path.join('.')}: ${p.message}` : p.message));
    throw new SensegateError('SG_USERS_FILE_INVALID', `the users file ${path} is not one this gateway wrote: ${problems.slice(0, 5).join('; ')}; ${fix}`, { source: path });
  }
  return parsed.data;
}

/** Replaces the users file whole, with the data folder's modes. */
export async function writeUsers(dataDir: string, users: Users, access: FileAccess = PRIVATE): Promise<void> {
  await ensureFolder(dataDir, access);
  const path = usersPath(dataDir);
  const temp = `${path}.${process.pid}.tmp`;
  try {
    const handle = await open(temp, 'w', access.file);
    try {
      await handle.writeFile(JSON.stringify(users, null, 2) + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await tighten(temp, access.file, access);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => {});
    throw new SensegateError('SG_USERS_FILE_INVALID', `cannot write the users file ${path}: ${(err as Error).message}; check free space and that the data folder belongs to this user`, { source: path, cause: err });
  }
}

export function checkUserName(name: string): void {
  if (!USER_NAME.test(name)) {
    throw new SensegateError('SG_USAGE', `"${name}" is not a user name: use 1 to 64 letters, digits, and _ . @ - (not first)`);
  }
}

/** A new user record with its password hashed. */
export async function newUser(role: Role, password: string): Promise<UserRecord> {
  return { role, password: await hashSecret(password), created: new Date().toISOString(), tokens: [] };
}

/** A new API token: the text to show once, and the record to keep. */
export async function newToken(label?: string): Promise<{ token: string; record: TokenRecord }> {
  const id = randomBytes(8).toString('hex');
  const token = `sgt_${id}.${randomBytes(32).toString('base64url')}`;
  return { token, record: { id, hash: await hashSecret(token), created: new Date().toISOString(), ...(label ? { label } : {}) } };
}

/** The id of a presented token, or undefined when it is not shaped like one. */
export function tokenId(token: string): string | undefined {
  return TOKEN_FORMAT.exec(token)?.[1];
}
