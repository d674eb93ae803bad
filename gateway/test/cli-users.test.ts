// `sensegate users` as an operator runs it: add users (password from a file and from a pipe), list
// them, create an API token shown once, revoke it, change a role, remove a user; the users file stays
// private and never holds a password or a token; a corrupt file is named with what to do.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, REPO, runCli } from './support/cli.js';

/** Runs the CLI with `input` on its standard input, as `echo pw | sensegate users add ...` does. */
function runWithInput(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('sensegate users', () => {
  let dir: string;
  let data: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-users-'));
    data = join(dir, 'data');
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('adds, lists, gives tokens to and removes users, keeping only hashes in a private file', async () => {
    const passwordFile = join(dir, 'alice.pw');
    await writeFile(passwordFile, 'correct horse battery\n');
    const added = await runCli(['users', 'add', 'alice', '--role', 'admin', '--password-file', passwordFile, '--data', data]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stderr, /added user alice with the admin role/);

    const piped = await runWithInput(['users', 'add', 'olga', '--role', 'operator', '--data', data], 'olga-from-a-pipe\n');
    assert.equal(piped.code, 0, piped.stderr);

    const token = await runCli(['users', 'token', 'olga', '--label', 'scada export', '--data', data]);
    assert.equal(token.code, 0, token.stderr);
    const shown = token.stdout.trim();
    assert.match(shown, /^sgt_[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$/, 'the token alone on standard output');
    assert.match(token.stderr, /shown once/);
    const id = shown.slice(4, 20);

    const list = await runCli(['users', 'list', '--data', data]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^alice\s+admin\s/m);
    assert.match(list.stdout, new RegExp(`^olga\\s+operator\\s.*${id} \\(scada export\\)`, 'm'));

    const file = join(data, 'users.json');
    const text = await readFile(file, 'utf8');
    for (const secret of ['correct horse battery', 'olga-from-a-pipe', shown, shown.slice(21)]) assert.ok(!text.includes(secret), 'only hashes are kept');
    assert.match(text, /"password": "scrypt\$32768\$8\$1\$/);
    assert.equal(((await stat(file)).mode & 0o777).toString(8), '600');
    assert.equal(((await stat(data)).mode & 0o777).toString(8), '700');

    assert.equal((await runCli(['users', 'role', 'olga', 'viewer', '--data', data])).code, 0);
    assert.equal((await runCli(['users', 'token', 'olga', '--revoke', id, '--data', data])).code, 0);
    const json = await runCli(['users', 'list', '--json', '--data', data]);
    const rows = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((r) => [r.user, r.role, r.tokens.length]), [['alice', 'admin', 0], ['olga', 'viewer', 0]]);
    assert.ok(!json.stdout.includes('scrypt'), 'list never prints a hash');

    const removed = await runCli(['users', 'remove', 'olga', '--data', data]);
    assert.equal(removed.code, 0, removed.stderr);
    const after = await runCli(['users', 'list', '--data', data]);
    assert.doesNotMatch(after.stdout, /olga/);
    assert.match(after.stdout, /^alice/m);
  });

  it('refuses what would leave the users in doubt, saying what to do', async () => {
    const short = await runWithInput(['users', 'add', 'bob', '--role', 'viewer', '--data', data], 'short\n');
    assert.equal(short.code, 2);
    assert.match(short.stderr, /at least 8 characters; nothing was changed/);
    const role = await runWithInput(['users', 'add', 'bob', '--role', 'root', '--data', data], 'long enough pw\n');
    assert.equal(role.code, 2);
    assert.match(role.stderr, /"root" is not a role: use viewer, operator, admin/);
    const twice = await runWithInput(['users', 'add', 'alice', '--role', 'viewer', '--data', data], 'long enough pw\n');
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /user "alice" already exists .*sensegate users role alice ROLE/);
    const nobody = await runCli(['users', 'remove', 'mallory', '--data', data]);
    assert.equal(nobody.code, 2);
    assert.match(nobody.stderr, /there is no user "mallory"/);
    assert.equal((await runCli(['users', 'list'], { env: { SENSEGATE_DATA: '' } })).code, 2, 'no folder named: a usage error, not a guess');

    const file = join(data, 'users.json');
    await writeFile(file, '{"version": 1, "users": {"alice": ');
    const corrupt = await runCli(['users', 'list', '--data', data]);
    assert.equal(corrupt.code, 1);
    assert.ok(corrupt.stderr.includes(`SG_USERS_FILE_INVALID: the users file ${file} is not valid JSON`), corrupt.stderr);
    assert.match(corrupt.stderr, /restore .* from a backup, or move it aside and add the users again/);
  });
});
