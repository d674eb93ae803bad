// `sensegate new driver` as a device vendor uses it, outside this repository: the package it writes
// installs (the SDK from this repository's packed tarball, the rest from npm), builds and passes its
// own conformance tests; packed and installed next to a site's configuration, it is listed by
// `sensegate drivers`, its tool and its simulator run, and the gateway forwards its readings to the
// broker. Bad names, a folder already in use and kinds it cannot make yet are refused, saying what to do.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@sensegate/sdk/testing';
import { testBroker, type TestBroker } from './support/broker.js';
import { REPO, runCli, startCli, type CliProcess } from './support/cli.js';
import { FeedConsumer } from './support/feed.js';

const exec = promisify(execFile);
const PACKAGE = '@acme/sensegate-driver-meter';
const GATEWAY = `new-driver-${process.pid}`;
// Offline where the npm cache allows; the optional ffmpeg download of the SDK is not needed.
const INSTALL = ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'];

/** The environment of a vendor's shell: without the variables that mark this process as a test runner's child. */
function vendorEnv(): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _test, NODE_OPTIONS: _options, ...env } = process.env;
  return env;
}

/** Runs npm in `cwd`; rejects with its whole output when it fails. */
async function npm(cwd: string, args: string[], timeout = 180_000): Promise<string> {
  try {
    const { stdout, stderr } = await exec('npm', args, { cwd, timeout, env: vendorEnv(), maxBuffer: 16 * 1024 * 1024 });
    return stdout + stderr;
  } catch (err) {
    const e = err as { message: string; stdout?: string; stderr?: string };
    throw new Error(`npm ${args.join(' ')} in ${cwd} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

describe('sensegate new driver: a package a vendor starts from, round trip', () => {
  let dir: string;
  let sdkTarball: string;
  let broker: TestBroker;
  const running: CliProcess[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-new-driver-'));
    await npm(join(REPO, 'sdk'), ['pack', '--pack-destination', dir, '--silent']);
    const tgz = (await readdir(dir)).find((f) => f.endsWith('.tgz'));
    assert.ok(tgz, 'npm pack made a tarball of the SDK');
    sdkTarball = join(dir, tgz);
    broker = await testBroker();
  });
  after(async () => {
    await Promise.all(running.map((p) => p.stop()));
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a package that builds, passes its own tests, and runs in a site', async () => {
    const made = await runCli(['new', 'driver', PACKAGE, '--sdk', `file:${sdkTarball}`], { cwd: dir });
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /^wrote driver package @acme\/sensegate-driver-meter in sensegate-driver-meter:$/m);
    assert.match(made.stdout, /^ {2}cd sensegate-driver-meter\n {2}npm install$/m);
    const pkg = join(dir, 'sensegate-driver-meter');
    const manifest = JSON.parse(await readFile(join(pkg, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(
      [manifest.name, manifest.version, manifest.type, manifest.keywords, (manifest.devDependencies as Record<string, string>)['@sensegate/sdk']],
      [PACKAGE, '0.1.0', 'module', ['sensegate-driver'], `file:${sdkTarball}`],
    );

    // The vendor's own loop: install, build, test.
    await npm(pkg, INSTALL);
    await npm(pkg, ['run', 'build']);
    const tested = await npm(pkg, ['test']);
    assert.match(tested, /^# pass 3$/m, tested);
    assert.match(tested, /^# fail 0$/m, tested);

    // Packed and installed next to a site's configuration, as a vendor ships it.
    await npm(pkg, ['pack', '--pack-destination', dir, '--silent']);
    const site = join(dir, 'site');
    await mkdir(site);
    await writeFile(join(site, 'package.json'), JSON.stringify({ name: 'pump-station-7', private: true }));
    await npm(site, [...INSTALL, sdkTarball, join(dir, 'acme-sensegate-driver-meter-0.1.0.tgz')]);

    const sim = startCli(['sim', PACKAGE, '--port', '0', '--model', 'ROUND-TRIP'], { cwd: site });
    running.push(sim);
    const [, port] = await sim.waitForOutput(/acme-meter simulator listening on 127\.0\.0\.1:(\d+)/);

    const config = join(site, 'site.yaml');
    await writeFile(
      config,
      `gateway: { id: ${GATEWAY} }
devices:
  - id: meter-1
    driver: "${PACKAGE}"
    pollInterval: 500
    connection: { host: 127.0.0.1, port: ${port} }
    points:
      - { id: flow, field: flow, unit: m3/h }
      - { id: total, field: total, unit: m3 }
sinks:
  - type: mqtt
    url: ${broker.url}
`,
    );

    const listed = await runCli(['drivers', '--config', config]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^@acme\/sensegate-driver-meter {2}0\.1\.0 {2}\(@acme\/sensegate-driver-meter, installed, driver contract \d+\)$/m);
    assert.match(listed.stdout, /tools: +sensegate @acme\/sensegate-driver-meter ping/);
    assert.match(listed.stdout, /simulator: sensegate sim @acme\/sensegate-driver-meter +\(@acme\/sensegate-driver-meter\/simulator\)/);
    const usage = await runCli(['drivers', PACKAGE, '--config', config]);
    assert.match(usage.stdout, /^Sample \(the package's sample\.yaml\):\n# A @acme\/sensegate-driver-meter meter/m);

    // The package's sample device is one the gateway accepts.
    const sampled = join(site, 'sample-site.yaml');
    await writeFile(sampled, `gateway: { id: sample-check }\n${await readFile(join(site, 'node_modules', PACKAGE, 'sample.yaml'), 'utf8')}sinks:\n  - { type: mqtt, url: 'mqtt://127.0.0.1:1' }\n`);
    const valid = await runCli(['validate', '--config', sampled]);
    assert.equal(valid.code, 0, valid.stdout + valid.stderr);

    const ping = await runCli([PACKAGE, 'ping', '--port', port!], { cwd: site });
    assert.equal(ping.code, 0, ping.stderr);
    assert.match(ping.stdout, new RegExp(`^PONG ROUND-TRIP from 127\\.0\\.0\\.1:${port}$`, 'm'));

    const consumer = await FeedConsumer.connect(broker.url, GATEWAY);
    try {
      const gateway = startCli(['run', '--config', config, '--data', join(site, 'data')], { cwd: site });
      running.push(gateway);
      const [flow] = await consumer.waitForReadings('a good flow reading from the scaffold driver', (r) => r.device === 'meter-1' && r.point === 'flow' && r.quality === 'good', 1, 60_000);
      assert.equal(flow!.unit, 'm3/h');
      assert.ok(typeof flow!.value === 'number' && flow!.value >= 10 && flow!.value <= 30, `flow ${String(flow!.value)} is within the simulator's sine`);
      await consumer.waitForReadings('a good total reading', (r) => r.device === 'meter-1' && r.point === 'total' && r.quality === 'good');
      // startDevice asked the meter its model; the birth announces it.
      await waitFor('a birth with the meter\'s model', () =>
        consumer.status.find((m) => (m.payload.devices as Array<{ id: string; info?: { model?: string } }> | undefined)?.some((d) => d.id === 'meter-1' && d.info?.model === 'ROUND-TRIP')),
      );
      assert.equal(await gateway.stop(), 0, gateway.stderr());
    } finally {
      await consumer.close();
    }
    assert.equal(await sim.stop(), 0, sim.stderr());
  });

  it('refuses a bad name, a folder in use and a kind it cannot make, saying what to do', async () => {
    const badName = await runCli(['new', 'driver', 'Acme Meter'], { cwd: dir });
    assert.equal(badName.code, 2);
    assert.match(badName.stderr, /^sensegate new driver: SG_USAGE: "Acme Meter" is not an npm package name: it has capital letters; it may hold only lowercase letters, digits, "-", "\.", "_" and "~"\. Try sensegate-driver-acme-meter, or a scoped name such as @your-company\/sensegate-driver-acme-meter$/m);

    const used = join(dir, 'used');
    await mkdir(used);
    await writeFile(join(used, 'notes.txt'), 'mine\n');
    const inUse = await runCli(['new', 'driver', 'sensegate-driver-x', '--dir', used]);
    assert.equal(inUse.code, 2);
    assert.match(inUse.stderr, new RegExp(`^sensegate new driver: SG_USAGE: folder ${used.replace(/[.]/g, '\\.')} is not empty \\(notes\\.txt\\): choose an empty or new one with --dir DIR`));
    assert.equal(await readFile(join(used, 'notes.txt'), 'utf8'), 'mine\n', 'nothing was written into it');
    assert.deepEqual(await readdir(used), ['notes.txt']);

    const sink = await runCli(['new', 'sink', 'x']);
    assert.equal(sink.code, 2);
    assert.match(sink.stderr, /^sensegate new: SG_USAGE: cannot make a sink yet; it makes a driver \(sensegate new driver <name>\)\. Meanwhile, start a sink from docs\/writing-a-sink\.md/);
    const unknown = await runCli(['new', 'gizmo']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^sensegate new: SG_USAGE: unknown kind "gizmo"; it makes a driver \(sensegate new driver <name>\)/);
    const nothing = await runCli(['new']);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /^sensegate new: SG_USAGE: say what to make: driver/);
  });
});
