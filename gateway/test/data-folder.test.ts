// Who can read what the gateway keeps: the journal (every reading), snapshots (pictures of the
// site) and its state are its user's alone, or one configured group's. A data folder left readable
// by an older version is tightened at start, and the log says so. A broker password sent in clear
// is warned about at start.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCli } from './support/cli.js';

const mode = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

describe('the data folder', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-files-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function runOnce(name: string, yaml: string, prepare?: (data: string) => Promise<void>, whileRunning?: (data: string) => Promise<void>) {
    const config = join(dir, `${name}.yaml`);
    await writeFile(config, yaml);
    const data = join(dir, name);
    await prepare?.(data);
    const gateway = startCli(['run', '--config', config, '--data', data, '--log-format', 'text'], { env: { SINK_PASSWORD: 'hunter2-secret' } });
    try {
      await gateway.waitForOutput(/gateway \S+ started/, 30_000);
      await whileRunning?.(data);
    } finally {
      await gateway.stop();
    }
    return { data, log: gateway.stderr() };
  }

  it('keeps the journal, its WAL, the state and snapshots to the gateway\'s user, tightening what an older version left open', async () => {
    const running: Record<string, string> = {};
    const { data, log } = await runOnce(
      'private',
      `gateway: { id: files-private }\n`,
      async (data) => {
        await mkdir(data, { recursive: true, mode: 0o755 });
        await writeFile(join(data, 'journal.db'), '', { mode: 0o644 });
      },
      async (data) => {
        // SQLite removes its WAL and shared-memory files on a clean close: look while it runs.
        for (const file of ['journal.db', 'journal.db-wal', 'journal.db-shm', 'gateway.json']) running[file] = await mode(join(data, file));
      },
    );
    assert.deepEqual(running, { 'journal.db': '600', 'journal.db-wal': '600', 'journal.db-shm': '600', 'gateway.json': '600' });
    assert.equal(await mode(data), '700');
    assert.equal(await mode(join(data, 'snapshots')), '700');
    assert.match(log, /permissions of \S+private set from 755 to 700/);
    assert.match(log, /permissions of \S+journal\.db set from 644 to 600/);
  });

  it('gives a configured group read access, and nobody else', async () => {
    const { data } = await runOnce('group', `gateway: { id: files-group, dataGroup: 1 }\n`);
    const info = await stat(data);
    assert.equal(await mode(data), '750');
    assert.equal(info.gid, 1);
    assert.equal(await mode(join(data, 'journal.db')), '640');
    assert.equal((await stat(join(data, 'journal.db'))).gid, 1);
  });

  it('refuses a group that does not exist, by name', async () => {
    const config = join(dir, 'nogroup.yaml');
    await writeFile(config, `gateway: { id: files-nogroup, dataGroup: no-such-group-here }\n`);
    const gateway = startCli(['run', '--config', config, '--data', join(dir, 'nogroup')]);
    assert.equal(await gateway.exited, 1);
    assert.match(gateway.stderr(), /gateway\.dataGroup: there is no group "no-such-group-here" on this machine/);
  });

  it('warns at start when a broker password would travel unencrypted, without printing it', async () => {
    const { log } = await runOnce(
      'clear',
      `gateway: { id: files-clear }\nsinks:\n  - type: mqtt\n    url: mqtt://10.255.255.1:1883\n    connectTimeout: 500ms\n    username: gw\n    password: { env: SINK_PASSWORD }\n`,
    );
    assert.match(log, /WARN .*sink mqtt: the broker password for gw is sent unencrypted to mqtt:\/\/10\.255\.255\.1:1883; .*Use mqtts:\/\//);
    assert.doesNotMatch(log, /hunter2-secret/);
    const { log: local } = await runOnce('local', `gateway: { id: files-local }\nsinks:\n  - { type: mqtt, url: 'mqtt://127.0.0.1:1', username: gw, password: { env: SINK_PASSWORD } }\n`);
    assert.doesNotMatch(local, /sent unencrypted/, 'loopback is not warned about');
  });
});
