import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, formatIssue, loadConfigFile } from '../src/index.js';
import { runCli } from './support/cli.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sensegate-config-'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function problems(file: string): Promise<string[]> {
  try {
    await loadConfigFile(file);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map(formatIssue);
    throw err;
  }
  assert.fail(`${file} was accepted`);
}

const HOST_DEVICE = `
  - id: box
    driver: sensegate-driver-host
    pollInterval: 5s
    connection: { disk: / }
    points:
      - { id: load, metric: load1 }
      - { id: mem, metric: memoryUsedPercent, unit: '%', decimals: 1 }
`;

describe('configuration file', () => {
  it('loads a good file with defaults filled in and durations parsed', async () => {
    const file = await write(
      'good.yaml',
      `gateway:
  id: site-7
devices:${HOST_DEVICE}
sinks:
  - type: mqtt
    url: mqtt://127.0.0.1:1883
`,
    );
    const { config, drivers } = await loadConfigFile(file);
    assert.equal(config.gateway.id, 'site-7');
    assert.equal(config.devices[0]!.pollInterval, 5000);
    assert.equal(config.devices[0]!.timeout, 1000, 'default timeout');
    assert.equal(config.devices[0]!.points[1]!.scale, 1, 'default scale');
    assert.equal(config.sinks[0]!.name, 'mqtt', 'default sink name');
    assert.ok(drivers.get('sensegate-driver-host'), 'third-party driver loaded by package name');
  });

  it('names the file, line and path of every problem, all at once', async () => {
    const file = await write(
      'bad.yaml',
      [
        'gateway:', //                         1
        '  id: site 7', //                     2  space not allowed in an id
        '  colour: blue', //                   3  unknown field
        'devices:', //                         4
        '  - id: box', //                      5
        '    driver: sensegate-driver-host', // 6
        '    pollInterval: often', //          7  not a duration
        '    connection: { disk: / }', //      8
        '    points:', //                      9
        '      - { id: load, metric: load99 }', // 10 not a metric
        '  - id: box', //                      11 duplicate id
        '    driver: sensegate-driver-host', // 12
        '    connection: {}', //               13
        '    points:', //                      14
        '      - { id: up, metric: uptime, scael: 2 }', // 15 typo
        '',
      ].join('\n'),
    );
    const found = await problems(file);
    const expect = (line: number, pattern: RegExp) =>
      assert.ok(
        found.some((p) => p.startsWith(`${file}:${line}:`) && pattern.test(p)),
        `expected a problem at line ${line} matching ${pattern}; got:\n${found.join('\n')}`,
      );
    expect(2, /gateway\.id: .*letters, digits/);
    expect(3, /gateway\.colour: unknown field "colour"/);
    expect(7, /devices\[0\]\.pollInterval: .*duration/);
    expect(10, /devices\[0\]\.points\[0\]\.metric: must be one of/);
    expect(11, /devices\[1\]\.id: duplicate device id "box"/);
    expect(15, /devices\[1\]\.points\[0\]\.scael: unknown field "scael"/);
    assert.equal(found.length, 6, found.join('\n'));
  });

  it('reports YAML syntax errors with line and column', async () => {
    const file = await write('syntax.yaml', 'gateway:\n  id: a\n devices: [\n');
    const found = await problems(file);
    assert.match(found[0]!, new RegExp(`^${file.replace(/[.]/g, '\\.')}:\\d+:\\d+: \\(yaml\\): `));
  });

  it('explains an unknown driver at the device that names it', async () => {
    const file = await write('driver.yaml', `gateway: { id: g }\ndevices:\n  - id: d\n    driver: sensegate-driver-nonesuch\n    connection: {}\n`);
    const found = await problems(file);
    assert.equal(found.length, 1);
    assert.match(found[0]!, /:4:\d+: devices\[0\]\.driver: driver "sensegate-driver-nonesuch" is not a built-in driver .* no npm package/);
  });

  it('refuses a video relay open to the network without a token, and command patterns it cannot read', async () => {
    const file = await write(
      'video.yaml',
      `gateway: { id: g }\nvideo:\n  relay: { host: 0.0.0.0, httpPort: 8000 }\ncommands:\n  allow: [pump-1, 'cam-1:ptz.*']\n`,
    );
    const found = await problems(file);
    assert.equal(found.length, 2, found.join('\n'));
    assert.match(found.find((p) => p.includes(': video.relay'))!, /:3:3: video\.relay\.token: a relay listening beyond loopback needs a `token`/);
    assert.match(found.find((p) => p.includes(': commands.allow'))!, /:5:\d+: commands\.allow\[0\]: .*`device:command` or `device\/point`/);
    const loopback = await write('video-ok.yaml', `gateway: { id: g }\nvideo:\n  relay: { host: 127.0.0.1 }\n`);
    const { config } = await loadConfigFile(loopback);
    assert.equal(config.video.relay?.httpPort, 8000);
    assert.deepEqual(config.video.snapshots.on, ['camera.motion', 'camera.tamper']);
    assert.deepEqual(config.commands.allow, []);
  });

  it('refuses a sink whose messages could not carry one entry at the journal\'s bound, saying both ways out', async () => {
    const file = await write(
      'entry-fit.yaml',
      `gateway: { id: g }\njournal:\n  maxEntryBytes: 64KiB\nsinks:\n  - type: mqtt\n    url: mqtt://127.0.0.1:1883\n    maxMessageBytes: 32KiB\n`,
    );
    const found = await problems(file);
    assert.equal(found.length, 1, found.join('\n'));
    assert.match(found[0]!, /:7:\d+: sinks\[0\]\.maxMessageBytes: 32768 bytes cannot carry one entry at journal\.maxEntryBytes \(65536\) in its envelope: raise it to at least 66048, or lower journal\.maxEntryBytes to 32256 or less/);
    const fits = await write('entry-fit-ok.yaml', `gateway: { id: g }\njournal: { maxEntryBytes: 16KiB }\nsinks:\n  - { type: mqtt, url: 'mqtt://127.0.0.1:1883', maxMessageBytes: 32KiB }\n`);
    assert.equal((await loadConfigFile(fits)).config.journal.maxEntryBytes, 16 * 1024);
  });

  it('lets a device without points through only with a profile', async () => {
    const file = await write('nopoints.yaml', `gateway: { id: g }\ndevices:\n  - id: d\n    driver: sensegate-driver-host\n    connection: {}\n`);
    const found = await problems(file);
    assert.match(found[0]!, /devices\[0\]: device "d" has no points/);
  });

  it('reads secrets for sinks from the environment and refuses a missing one by name', async () => {
    const file = await write(
      'secret.yaml',
      `gateway: { id: g }\nsinks:\n  - type: mqtt\n    url: mqtt://127.0.0.1:1\n    username: gw\n    password: { env: SENSEGATE_TEST_SECRET_UNSET }\n`,
    );
    const result = await runCli(['validate', '--config', file]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /SG_SECRET_MISSING: .*SENSEGATE_TEST_SECRET_UNSET is not set/);
    const ok = await runCli(['validate', '--config', file], { env: { SENSEGATE_TEST_SECRET_UNSET: 'hunter2' } });
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.doesNotMatch(ok.stdout + ok.stderr, /hunter2/);
  });

  it('`sensegate validate` lists every problem and exits 1, or summarizes and exits 0', async () => {
    const bad = await runCli(['validate', '--config', join(dir, 'bad.yaml')]);
    assert.equal(bad.code, 1);
    assert.equal(bad.stdout.trim().split('\n').length, 7, bad.stdout); // six problems and a count
    assert.match(bad.stdout, /6 problems$/m);
    const good = await runCli(['validate', '--config', join(dir, 'good.yaml')]);
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /ok: gateway site-7, 1 device\(s\), 2 point\(s\), 1 sink\(s\)/);
    const missing = await runCli(['validate', '--config', join(dir, 'nope.yaml')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /SG_CONFIG_NOT_FOUND: cannot read configuration file/);
  });

  it('runs the driver\'s own checks during validation', async () => {
    const file = await write(
      'driver-check.yaml',
      `gateway: { id: g }\ndevices:\n  - id: d\n    driver: sensegate-driver-host\n    connection: {}\n    points:\n      - { id: a, metric: uptime }\n      - { id: b, metric: uptime }\n`,
    );
    const result = await runCli(['validate', '--config', file]);
    assert.equal(result.code, 1);
    // placed at the device's line, like every other problem
    assert.match(result.stdout, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: devices\\[0\\]: device "d": points "a" and "b" both read metric uptime`));
  });
});
