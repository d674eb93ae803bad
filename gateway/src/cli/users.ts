/**
 * `sensegate users`: who may use the gateway's HTTP API and console, kept in `users.json` in its
 * data folder (see api/auth/users-file.ts). A password is read from `--password-file`, else typed
 * at a terminal without echo (twice), else read from standard input, so it never appears in the
 * command line or the shell history. An API token is printed once, alone on standard output, and
 * never again: only its hash is kept. A running gateway sees each change within a second, audits
 * it on the feed, and ends the sessions of a removed user at once.
 */
import { readFile, stat } from 'node:fs/promises';
import { SensegateError } from '@sensegate/sdk';
import { ROLES, isRole, type Role } from '../api/auth/roles.js';
import { checkUserName, newToken, newUser, readUsers, usersPath, writeUsers, type Users } from '../api/auth/users-file.js';
import { hashSecret } from '../api/auth/secret-hash.js';
import { loadConfigFile } from '../config/load.js';
import { PRIVATE, accessFor, type FileAccess } from '../data-folder.js';
import { parseOptions } from './args.js';
import { dataDirFor } from './data-dir.js';

export const usersHelp = `Usage: sensegate users <action> [NAME] (--data DIR | --config FILE) [options]

Who may use the gateway's HTTP API and console. Roles: viewer (reads), operator (also commands
and writes on commands.allow), admin (also configuration).

  add NAME --role ROLE     add a user; the password comes from --password-file, else is asked
                           for at a terminal, else read from standard input
  remove NAME              remove a user: their sessions and API tokens end at once
  list [--json]            the users, their roles and API tokens (never a secret)
  role NAME ROLE           give a user another role
  password NAME            set a user's password (as for add); their console sessions end
  token NAME [--label T]   create an API token for NAME and print it once: it is not shown again
  token NAME --revoke ID   revoke one of NAME's API tokens (ids as \`list\` shows them)

  --data DIR             the gateway's data folder (or --config FILE to use the folder the gateway
                         would, or $SENSEGATE_DATA)
  --password-file FILE   read the password from FILE (its first line)

The users are kept in users.json in the data folder, passwords and tokens as salted scrypt hashes.
A running gateway applies a change within a second.`;

const MIN_PASSWORD = 8;

export async function runUsers(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values, positionals } = parseOptions('users', argv, {
    data: { type: 'string' },
    config: { type: 'string', short: 'c' },
    role: { type: 'string' },
    'password-file': { type: 'string' },
    label: { type: 'string' },
    revoke: { type: 'string' },
    json: { type: 'boolean' },
  });
  const [action, name, extra] = positionals;
  if (values.help || action === undefined) {
    out.write(usersHelp + '\n');
    return values.help ? 0 : 2;
  }
  const { dataDir, access } = await folderOf(values.data, values.config);
  const file = usersPath(dataDir);
  const users = await readUsers(dataDir);
  const needName = (): string => {
    if (name === undefined) throw usage(`sensegate users ${action} needs a user name`);
    checkUserName(name);
    return name;
  };
  const existing = (user: string) => {
    if (!Object.hasOwn(users.users, user)) throw new SensegateError('SG_USAGE', `sensegate users ${action}: there is no user "${user}" in ${file}; \`sensegate users list\` shows who there is`);
    return users.users[user]!;
  };
  const save = async (what: string) => {
    await writeUsers(dataDir, users, access);
    process.stderr.write(`${what} (${file})\n`);
  };

  switch (action) {
    case 'add': {
      const user = needName();
      const role = roleOf(values.role, '--role');
      if (Object.hasOwn(users.users, user)) {
        throw new SensegateError('SG_USAGE', `sensegate users add: user "${user}" already exists in ${file}; change it with \`sensegate users role ${user} ROLE\` or \`sensegate users password ${user}\``);
      }
      users.users[user] = await newUser(role, await passwordFor(user, values['password-file']));
      await save(`added user ${user} with the ${role} role`);
      return 0;
    }
    case 'remove': {
      const user = needName();
      existing(user);
      delete users.users[user];
      await save(`removed user ${user}`);
      return 0;
    }
    case 'role': {
      const user = needName();
      const role = roleOf(extra, 'the role');
      existing(user).role = role;
      await save(`user ${user} is now ${role}`);
      return 0;
    }
    case 'password': {
      const user = needName();
      const record = existing(user);
      record.password = await hashSecret(await passwordFor(user, values['password-file']));
      await save(`set the password of user ${user}`);
      return 0;
    }
    case 'token': {
      const user = needName();
      const record = existing(user);
      if (values.revoke !== undefined) {
        const before = record.tokens.length;
        record.tokens = record.tokens.filter((t) => t.id !== values.revoke);
        if (record.tokens.length === before) {
          throw new SensegateError('SG_USAGE', `sensegate users token: user ${user} has no token ${values.revoke}; \`sensegate users list\` shows their token ids`);
        }
        await save(`revoked API token ${values.revoke} of user ${user}`);
        return 0;
      }
      const { token, record: kept } = await newToken(values.label);
      record.tokens.push(kept);
      await save(`created API token ${kept.id} for user ${user} (${record.role}); it is shown once, below: keep it now`);
      out.write(token + '\n');
      return 0;
    }
    case 'list':
      list(users, file, values.json === true, out);
      return 0;
    default:
      throw usage(`unknown action "${action}"; use add, remove, list, role, password or token`);
  }
}

function list(users: Users, file: string, json: boolean, out: NodeJS.WritableStream): void {
  const entries = Object.entries(users.users).sort(([a], [b]) => a.localeCompare(b));
  if (json) {
    for (const [name, u] of entries) {
      out.write(JSON.stringify({ user: name, role: u.role, password: u.password !== undefined, created: u.created, tokens: u.tokens.map(({ id, created, label }) => ({ id, created, ...(label ? { label } : {}) })) }) + '\n');
    }
    return;
  }
  if (entries.length === 0) {
    out.write(`no users in ${file}: the API admits loopback requests only (add one with \`sensegate users add NAME --role admin\`)\n`);
    return;
  }
  const width = Math.max(4, ...entries.map(([n]) => n.length));
  out.write(`${'USER'.padEnd(width)}  ROLE      CREATED               TOKENS\n`);
  for (const [name, u] of entries) {
    const tokens = u.tokens.map((t) => (t.label ? `${t.id} (${t.label})` : t.id)).join(', ') || '-';
    out.write(`${name.padEnd(width)}  ${u.role.padEnd(8)}  ${u.created.slice(0, 19)}Z  ${tokens}\n`);
  }
}

/** The data folder and its file modes: `--config`'s `gateway.dataGroup`, else what the folder itself has. */
async function folderOf(data: string | undefined, config: string | undefined): Promise<{ dataDir: string; access: FileAccess }> {
  if (config !== undefined) {
    const loaded = (await loadConfigFile(config)).config;
    return { dataDir: dataDirFor(data, loaded.gateway.id), access: accessFor(loaded.gateway.dataGroup) };
  }
  const dataDir = data ?? process.env.SENSEGATE_DATA;
  if (!dataDir) throw usage('give --data DIR or --config FILE (see `sensegate users --help`)');
  try {
    const info = await stat(dataDir);
    // A folder opened to a group (gateway.dataGroup) keeps it: the file gets the group's modes.
    if ((info.mode & 0o070) !== 0) return { dataDir, access: { dir: 0o750, file: 0o640, gid: info.gid } };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return { dataDir, access: PRIVATE };
}

function roleOf(value: string | undefined, what: string): Role {
  if (value === undefined) throw usage(`give ${what}: ${ROLES.join(', ')}`);
  if (!isRole(value)) throw usage(`"${value}" is not a role: use ${ROLES.join(', ')}`);
  return value;
}

async function passwordFor(user: string, file: string | undefined): Promise<string> {
  let password: string;
  if (file !== undefined) {
    try {
      password = (await readFile(file, 'utf8')).split(/\r?\n/)[0] ?? '';
    } catch (err) {
      throw new SensegateError('SG_CONFIG_NOT_FOUND', `sensegate users: cannot read --password-file ${file}: ${(err as Error).message}`);
    }
  } else if (process.stdin.isTTY) {
    password = await askHidden(`Password for ${user}: `);
    if ((await askHidden('Again: ')) !== password) throw usage('the two passwords differ; nothing was changed');
  } else {
    password = (await readStdin()).replace(/\r?\n$/, '');
  }
  if ([...password].length < MIN_PASSWORD) throw usage(`a password needs at least ${MIN_PASSWORD} characters; nothing was changed`);
  return password;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a line from the terminal without echoing it. */
function askHidden(question: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(question);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          finish();
          return resolve(text);
        }
        if (ch === '\u0003' || ch === '\u0004') {
          finish();
          return reject(usage('cancelled; nothing was changed'));
        }
        if (ch === '\u007f' || ch === '\b') text = [...text].slice(0, -1).join('');
        else text += ch;
      }
    };
    input.on('data', onData);
  });
}

function usage(message: string): SensegateError {
  return new SensegateError('SG_USAGE', `sensegate users: ${message}`);
}
