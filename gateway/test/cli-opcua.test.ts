// The OPC UA commands a field engineer uses at a new site: browse a server and write the device's
// configuration, and trust the server's certificate.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PLANT_NAMESPACE, startOpcuaSimulator, type OpcuaSimulator } from '@sensegate/sim-opcua';
import { runBrowse } from '../src/cli/browse.js';
import { runDriverTool } from '../src/cli/tool.js';
import { runValidate } from '../src/cli/validate.js';
import { capture, startCli } from './support/cli.js';

describe('sensegate browse opcua and sensegate opcua certs', () => {
  let dir: string;
  let sim: OpcuaSimulator;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-browse-'));
    sim = await startOpcuaSimulator({ port: 0, pkiDir: join(dir, 'server-pki'), pumps: 2 });
  });
  after(async () => {
    await sim?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the simulator\'s plant with types, access and portable node ids', async () => {
    const out = capture();
    assert.equal(await runBrowse(['opcua', sim.endpoint, '--data', join(dir, 'gw')], out), 0);
    const text = out.text();
    assert.match(text, /^WaterPlant\/ /m);
    assert.match(text, /^ {2}IntakePumps\/ /m);
    assert.match(text, /^ {4}Pump1\/ /m);
    assert.match(text, new RegExp(`^ {6}Speed +Double +r +nsu=${PLANT_NAMESPACE};s=Pump1\\.Speed$`, 'm'));
    assert.match(text, new RegExp(`^ {6}SpeedSetpoint +Double +rw +nsu=${PLANT_NAMESPACE};s=Pump1\\.SpeedSetpoint$`, 'm'));
    assert.match(text, /Level +Double +r +nsu=.*;s=Tank1\.Level/);
    assert.match(text, /Turbidity +Double/);
    assert.match(text, /Int64 +Int64 +rw/);
    assert.doesNotMatch(text, /^Server\//m, 'the Server object is left out unless asked for');
  });

  it('writes a configuration for the chosen variables that validates and reads the plant', async () => {
    const file = join(dir, 'plant.yaml');
    const out = capture();
    await runBrowse(['opcua', sim.endpoint, '--data', join(dir, 'gw'), '--select', 'WaterPlant/IntakePumps/*/Speed*', '--select', '**/Level', '--out', file, '--device', 'wtp'], out);
    assert.match(out.text(), /wrote 6 points of device wtp to /);
    const yaml = await readFile(file, 'utf8');
    assert.match(yaml, /- id: "wtp"\n {4}driver: opcua/);
    assert.match(yaml, /- id: "IntakePumps\.Pump1\.SpeedSetpoint"\n {8}name: "WaterPlant\/IntakePumps\/Pump1\/SpeedSetpoint"\n {8}nodeId: "nsu=.*;s=Pump1\.SpeedSetpoint"\n {8}writable: true/);
    assert.match(yaml, /nodeId: "nsu=.*;s=Tank2\.Level"/);
    assert.doesNotMatch(yaml, /Current|Running/);
    // The snippet is a valid device list: with a sink added, `validate` accepts it.
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, `gateway: { id: browse-check }\n${yaml}sinks:\n  - { type: mqtt, url: 'mqtt://127.0.0.1:1' }\n`);
    const check = capture();
    assert.equal(await runValidate(['--config', file], check), 0, check.text());
  });

  it('trusts a rejected server certificate by thumbprint', async () => {
    const data = join(dir, 'gw2');
    const failed = capture();
    await assert.rejects(
      runBrowse(['opcua', sim.endpoint, '--data', data, '--security-mode', 'SignAndEncrypt', '--user', 'operator'], failed, { OPCUA_PASSWORD: 'operator' }),
      /the server's certificate \(thumbprint ([0-9a-f]{40})\) is not trusted/,
    );
    const list = capture();
    await runDriverTool(['opcua', 'certs', '--data', data], list);
    const thumbprint = /rejected +([0-9a-f]{40})/.exec(list.text())?.[1];
    assert.ok(thumbprint, list.text());
    assert.match(list.text(), /own +[0-9a-f]{40} /);
    const trusted = capture();
    await runDriverTool(['opcua', 'certs', 'trust', thumbprint.slice(0, 10), '--data', data], trusted);
    assert.match(trusted.text(), new RegExp(`^trusted ${thumbprint}`));
    const ok = capture();
    assert.equal(await runBrowse(['opcua', sim.endpoint, '--data', data, '--security-mode', 'SignAndEncrypt', '--user', 'operator', '--depth', '2'], ok, { OPCUA_PASSWORD: 'operator' }), 0);
    assert.match(ok.text(), /IntakePumps\//);
    await assert.rejects(runDriverTool(['opcua', 'certs', 'trust', 'abcdef', '--data', data], capture()), /no rejected certificate .* has thumbprint abcdef; none is rejected/);
  });

  it('runs as a command: sensegate browse opcua <endpoint>', async () => {
    const cli = startCli(['browse', 'opcua', sim.endpoint, '--data', join(dir, 'gw3'), '--depth', '3']);
    assert.equal(await cli.exited, 0, cli.stderr());
    assert.match(cli.stdout(), /Pump2\//);
    const bad = startCli(['browse', 'opcua', 'http://nowhere']);
    assert.equal(await bad.exited, 2);
    assert.match(bad.stderr(), /endpoint: an OPC UA endpoint URL such as opc\.tcp:/);
  });
});
