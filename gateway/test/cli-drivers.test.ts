// What the command line offers for drivers, reached only through the driver registry: a vendor's
// driver package installed in a site's node_modules is listed, described, simulated and its tool run
// exactly as a built-in driver's; the built-ins' discover, browse, certs and simulators work as before;
// and a driver that is not there, or cannot do what was asked, gets an answer that says what exists.
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startOnvifSimulator, type OnvifSimulator } from '@sensegate/sim-onvif';
import { startOpcuaSimulator, type OpcuaSimulator } from '@sensegate/sim-opcua';
import { REPO, runCli, startCli, type CliProcess } from './support/cli.js';

const FIXTURE = join(REPO, 'gateway', 'test', 'fixtures', 'vendor-tank');
const DRIVER = '@acme/sensegate-driver-tank';

/** Sends one line to host:port and resolves with the first line of the answer. */
function ask(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    socket.on('connect', () => socket.write(`${line}\n`));
    socket.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('\n')) {
        socket.end();
        resolve(text.split('\n')[0]!);
      }
    });
    socket.on('error', reject);
  });
}

describe('sensegate drivers, sim, schema and driver tools with a vendor\'s driver package', () => {
  let site: string;
  let config: string;
  const running: CliProcess[] = [];

  before(async () => {
    site = await mkdtemp(join(tmpdir(), 'sensegate-vendor-site-'));
    const modules = join(site, 'node_modules');
    // The packages as `npm install` leaves them: copied files, with their own copy of the SDK.
    await mkdir(join(modules, '@acme'), { recursive: true });
    await cp(join(FIXTURE, 'driver'), join(modules, '@acme', 'sensegate-driver-tank'), { recursive: true });
    await cp(join(FIXTURE, 'simulator'), join(modules, '@acme', 'sensegate-sim-tank'), { recursive: true });
    await mkdir(join(modules, '@sensegate', 'sdk'), { recursive: true });
    await cp(join(REPO, 'sdk', 'package.json'), join(modules, '@sensegate', 'sdk', 'package.json'));
    await cp(join(REPO, 'sdk', 'dist'), join(modules, '@sensegate', 'sdk', 'dist'), { recursive: true });
    for (const dep of ['zod', 'yaml']) await symlink(join(REPO, 'node_modules', dep), join(modules, dep));
    config = join(site, 'site.yaml');
    await writeFile(
      config,
      `gateway: { id: tank-site }
devices:
  - id: tank-1
    driver: "${DRIVER}"
    connection: { host: 127.0.0.1 }
    points:
      - { id: level, register: level, unit: m }
`,
    );
  });
  after(async () => {
    await Promise.all(running.map((p) => p.stop()));
    await rm(site, { recursive: true, force: true });
  });

  it('lists the vendor\'s driver beside the built-ins, with what it offers', async () => {
    const { code, stdout, stderr } = await runCli(['drivers', '--config', config]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^@acme\/sensegate-driver-tank {2}2\.3\.0 {2}\(@acme\/sensegate-driver-tank, installed, driver contract 1\)$/m);
    assert.match(stdout, /^ {2}Acme tank level sensors over TCP/m);
    assert.match(stdout, /tools: +sensegate @acme\/sensegate-driver-tank ping/);
    assert.match(stdout, /simulator: sensegate sim @acme\/sensegate-driver-tank +\(@acme\/sensegate-sim-tank\)/);
    assert.match(stdout, /^opcua {2}\S+ {2}\(@sensegate\/driver-opcua, built in/m);
    assert.match(stdout, /browse: +sensegate browse opcua <endpoint>/);
    assert.match(stdout, /discover: +sensegate discover onvif/);
    assert.match(stdout, /tools: +sensegate opcua certs/);

    // Without --config, the current folder's node_modules is searched.
    const json = await runCli(['drivers', '--json'], { cwd: site });
    assert.equal(json.code, 0, json.stderr);
    const listed = (JSON.parse(json.stdout) as { drivers: Array<{ name: string; builtin: boolean; tools: string[]; commands: string[] }> }).drivers;
    const vendor = listed.find((d) => d.name === DRIVER);
    assert.deepEqual([vendor?.builtin, vendor?.tools, vendor?.commands], [false, ['ping'], ['flush']]);
    assert.ok(listed.some((d) => d.name === 'modbus' && d.builtin));
  });

  it('prints the vendor driver\'s fields, commands and a sample device', async () => {
    const { code, stdout, stderr } = await runCli(['drivers', DRIVER], { cwd: site });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^ {2}host +string, required +Address of the sensor\.$/m);
    assert.match(stdout, /^ {2}port +integer, default 7070 +TCP port the sensor answers on\.$/m);
    assert.match(stdout, /^ {2}register +"level" \| "temperature", required +What the sensor measures for this point\.$/m);
    assert.match(stdout, /^ {2}flush: Open the drain valve for a while\.\n +seconds +integer, required +How long the valve stays open\.$/m);
    // No sample.yaml in the package: a sample made from the schema, with the required fields.
    assert.match(stdout, /driver: "@acme\/sensegate-driver-tank"\n {4}connection:\n {6}host: <string>/);
    const json = JSON.parse((await runCli(['drivers', DRIVER, '--json'], { cwd: site })).stdout) as { connection: { properties: Record<string, unknown> } };
    assert.deepEqual(Object.keys(json.connection.properties), ['host', 'port']);
  });

  it('runs the vendor\'s simulator, and its tool talks to it', async () => {
    const sim = startCli(['sim', DRIVER, '--port', '0'], { cwd: site });
    running.push(sim);
    const [, port] = await sim.waitForOutput(/acme tank simulator listening on 127\.0\.0\.1:(\d+)/);
    assert.equal(await ask(Number(port), 'level'), '1.25');

    const tool = await runCli([DRIVER, 'ping', '--port', port!, '--config', config]);
    assert.equal(tool.code, 0, tool.stderr);
    assert.match(tool.stdout, new RegExp(`^pong from 127\\.0\\.0\\.1:${port}$`, 'm'));
    // Its state folder is the one `sensegate run --config` gives the driver: the gateway id's data folder.
    assert.match(tool.stdout, /^state in .*\.sensegate\/tank-site\/drivers\/acme-tank$/m);

    // Its discovery: the flags are its option block's fields, the devices: block is written from what it found.
    const help = await runCli(['discover', '--help', '--config', config]);
    assert.match(help.stdout, /^Drivers that can discover: onvif, @acme\/sensegate-driver-tank$/m);
    const driverHelp = await runCli(['discover', DRIVER, '--help', '--config', config]);
    assert.match(driverHelp.stdout, /^ {2}--port N +TCP ports to ask\. \(repeatable\) \(required\)$/m);
    const found = join(site, 'found.yaml');
    const discovered = await runCli(['discover', DRIVER, '--port', port!, '--port', '1', '--out', found, '--config', config]);
    assert.equal(discovered.code, 0, discovered.stderr);
    assert.match(discovered.stdout, new RegExp(`^tank-${port} +${`{"host":"127.0.0.1","port":${port}}`.replace(/[.{}]/g, '\\$&')}$`, 'm'));
    assert.match(discovered.stdout, /^wrote 1 tank to /m);
    const yaml = await readFile(found, 'utf8');
    assert.match(
      yaml,
      new RegExp(`- id: "tank-${port}"\\n {4}driver: "@acme/sensegate-driver-tank"\\n {4}connection:\\n {6}host: 127\\.0\\.0\\.1\\n {6}port: ${port}\\n {4}points:\\n {6}- id: "level"\\n {8}register: level\\n {8}unit: m\\n`),
    );
    // What it wrote is a device list the gateway accepts, its driver loaded from the site's node_modules.
    const site2 = join(site, 'found-site.yaml');
    await writeFile(site2, `gateway: { id: found-check }\n${yaml}sinks:\n  - { type: mqtt, url: 'mqtt://127.0.0.1:1' }\n`);
    const check = await runCli(['validate', '--config', site2]);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.equal(await sim.stop(), 0, sim.stderr());
  });

  it('includes the vendor driver\'s connection and point schemas in `sensegate schema --config`', async () => {
    const { code, stdout, stderr } = await runCli(['schema', '--config', config]);
    assert.equal(code, 0, stderr);
    const text = stdout;
    assert.match(text, /"const": "@acme\/sensegate-driver-tank"/);
    assert.match(text, /"description": "Address of the sensor\."/);
    assert.match(text, /"description": "What the sensor measures for this point\."/);
    // Without the configuration's folder, the driver is not known and its devices fall back to a generic one.
    const bare = await runCli(['schema']);
    assert.doesNotMatch(bare.stdout, /Address of the sensor/);
  });

  it('says what exists when a driver, or what was asked of it, is not there', async () => {
    const unknown = await runCli(['discover', 'nosuch']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no driver "nosuch" is installed .*Drivers that can discover: onvif\. `sensegate drivers` lists every installed driver/);
    const noDiscover = await runCli(['discover', 'modbus']);
    assert.equal(noDiscover.code, 2);
    assert.match(noDiscover.stderr, /driver "modbus" cannot discover devices; drivers that can: onvif\. .*sensegate drivers modbus/);
    const noBrowse = await runCli(['browse', DRIVER, 'x', '--config', config]);
    assert.equal(noBrowse.code, 2);
    assert.match(noBrowse.stderr, /driver "@acme\/sensegate-driver-tank" cannot browse a device; drivers that can: opcua/);
    const noTool = await runCli(['opcua', 'renew']);
    assert.equal(noTool.code, 2);
    assert.match(noTool.stderr, /driver "opcua" has no tool "renew" \(have: certs; see `sensegate opcua --help`\)/);
    const noTools = await runCli(['modbus', 'certs']);
    assert.equal(noTools.code, 2);
    assert.match(noTools.stderr, /driver "modbus" has no tools; `sensegate drivers modbus` shows what it offers/);
    const noSim = await runCli(['sim', 'nosuch']);
    assert.equal(noSim.code, 2);
    assert.match(noSim.stderr, /no driver "nosuch" is installed .*Drivers that have a simulator: modbus, hj212, sl651, opcua, onvif/);
    const help = await runCli(['discover', '--help']);
    assert.match(help.stdout, /Drivers that can discover: onvif\n/);
  });
});

describe('the built-in drivers\' commands through the registry, as a user runs them', () => {
  let dir: string;
  let onvif: OnvifSimulator;
  let opcua: OpcuaSimulator;
  const running: CliProcess[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-builtin-cli-'));
    onvif = await startOnvifSimulator({ cameras: [{ id: 'gate', width: 320, height: 240, fps: 5 }], discovery: { multicast: false, unicastPort: 0 } });
    opcua = await startOpcuaSimulator({ port: 0, pkiDir: join(dir, 'server-pki'), pumps: 1 });
  });
  after(async () => {
    await Promise.all(running.map((p) => p.stop()));
    await onvif?.close();
    await opcua?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('discover onvif writes the camera with its password read from the variable named', async () => {
    const file = join(dir, 'cams.yaml');
    const { code, stdout, stderr } = await runCli(['discover', 'onvif', '--range', '127.0.0.1', '--port', String(onvif.discoveryPort), '--timeout', '1500', '--password-env', 'GATE_PW', '--out', file]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^ID +NAME +ADDRESS +DEVICE SERVICE/m);
    assert.match(stdout, /wrote 1 camera to /);
    const yaml = await readFile(file, 'utf8');
    assert.match(yaml, /^# Written by sensegate discover onvif --range 127\.0\.0\.1 .*: 1 camera\.$/m);
    assert.match(yaml, /the password is read from \$GATE_PW\.$/m);
    assert.match(yaml, new RegExp(`url: "${onvif.cameras[0]!.deviceServiceUrl.replace(/[.]/g, '\\.')}"\\n {6}user: admin\\n {6}password: \\{ env: GATE_PW \\}`));
    const bad = await runCli(['discover', 'onvif', '--port', '70000', '--password-env', '1X']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--port: .*65535.*; --password-env: is not an environment variable name/);
  });

  it('browse opcua prints the plant and `opcua certs` lists the certificate it made', async () => {
    const data = join(dir, 'gw');
    const browse = await runCli(['browse', 'opcua', opcua.endpoint, '--data', data, '--depth', '4', '--select', '**/Speed', '--out', join(dir, 'plant.yaml')]);
    assert.equal(browse.code, 0, browse.stderr);
    assert.match(browse.stdout, /^ {4}Pump1\//m);
    assert.match(browse.stdout, /wrote 1 point of device plant to /);
    assert.match(await readFile(join(dir, 'plant.yaml'), 'utf8'), /- id: "IntakePumps\.Pump1\.Speed"\n {8}name: "WaterPlant\/IntakePumps\/Pump1\/Speed"\n {8}nodeId: "nsu=.*;s=Pump1\.Speed"\n/);
    const certs = await runCli(['opcua', 'certs', '--data', data]);
    assert.equal(certs.code, 0, certs.stderr);
    assert.match(certs.stdout, new RegExp(`^OPC UA certificates in ${data.replace(/[.]/g, '\\.')}/drivers/opcua/pki$`, 'm'));
    assert.match(certs.stdout, /^ {2}own +[0-9a-f]{40} /m);
    const help = await runCli(['opcua', 'certs', '--help']);
    assert.match(help.stdout, /^Usage: sensegate opcua certs \[list\]/);
    const byPackage = await runCli(['@sensegate/driver-opcua', 'certs', '--data', data, '--json']);
    assert.equal(byPackage.code, 0, byPackage.stderr);
    assert.ok((JSON.parse(byPackage.stdout) as Array<{ state: string }>).some((c) => c.state === 'own'));
  });

  it('sim modbus --profile water-sonde serves the profile\'s registers', async () => {
    const sim = startCli(['sim', 'modbus', '--port', '0', '--profile', 'water-sonde']);
    running.push(sim);
    const [, port] = await sim.waitForOutput(/modbus simulator listening on tcp 127\.0\.0\.1:(\d+): unit 1 water-sonde \(\d+ points\)/);
    // Read holding register 2 (pH) of unit 1: a normal answer, not an exception.
    const answer = await new Promise<Buffer>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: Number(port) });
      socket.on('connect', () => socket.write(Buffer.from([0, 1, 0, 0, 0, 6, 1, 3, 0, 2, 0, 1])));
      socket.once('data', (d: Buffer) => {
        socket.end();
        resolve(d);
      });
      socket.on('error', reject);
    });
    assert.equal(answer[7], 3, `function code of ${answer.toString('hex')}`);
    assert.equal(answer[8], 2, 'one register, two bytes');
    assert.equal(await sim.stop(), 0, sim.stderr());
  });
});
