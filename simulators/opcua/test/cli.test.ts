// An operator runs `sensegate sim opcua` in a terminal, points a client at the endpoint it
// prints, and types faults.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { CliProcess } from '@sensegate/sdk/testing';
import { AttributeIds } from 'node-opcua';
import { newClient } from './support/client.js';

/** The simulator's CLI, run from source as `sensegate sim` runs it. */
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

describe('the simulator CLI', () => {
  it('prints its options with --help', async () => {
    const cli = new CliProcess(CLI, ['--help']);
    assert.equal(await cli.exited(), 0);
    const text = cli.out.join('\n');
    assert.match(text, /^Usage: sensegate sim opcua/);
    for (const option of ['--port', '--hostname', '--pki', '--pumps', '--tick', '--seed', '--bench-variables', '--no-anonymous', '--user', '--security', '--no-trust-all']) {
      assert.ok(text.includes(option), option);
    }
  });

  it('prints its endpoint and nodes, serves clients, applies commands from stdin, and exits on SIGTERM', async (t) => {
    const cli = new CliProcess(CLI, ['--port', '0', '--pumps', '2', '--tick', '100', '--seed', '3', '--user', 'alice:secret', '--security', 'none,encrypt']);
    t.after(() => cli.kill());
    const banner = await cli.line(/listening/);
    const m = /^opcua water plant listening on (opc\.tcp:\/\/127\.0\.0\.1:(\d+)\/UA\/WaterPlant): namespace urn:sensegate:sim-opcua:water-plant \(ns=1\); 2 pumps, tick 100 ms/.exec(banner);
    assert.ok(m, banner);
    const endpoint = m[1]!;
    assert.match(await cli.line(/^security:/), /^security: None, SignAndEncrypt \(Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss\); logins: anonymous, user alice;/);
    assert.match(await cli.line(/^server certificate:/), /certificate\.pem$/);
    assert.match(await cli.line(/^nodes/), /^nodes \(ns=1;s=ID, \* writable\): Pump1\.\.2\.\{Running,Speed,Current,Fault,SpeedSetpoint\*\}, Tank1\.\.2\.Level, .*Turbidity, Types\.\{23 built-in types, writable\}$/);

    const client = await newClient(t);
    await client.connect(endpoint);
    const session = await client.createSession();
    const level = () => session.read({ nodeId: 'ns=1;s=Tank1.Level', attributeId: AttributeIds.Value });
    assert.equal((await level()).statusCode.name, 'Good');

    assert.equal(await cli.command('bad Tank1.Level BadSensorFailure'), 'Tank1.Level served with BadSensorFailure');
    assert.equal((await level()).statusCode.name, 'BadSensorFailure');
    assert.equal(await cli.command('get Types.Int64'), 'Types.Int64 = 9007199254740993');
    assert.equal(await cli.command('set Pump1.SpeedSetpoint 40'), 'Pump1.SpeedSetpoint = 40');
    assert.match(await cli.command('set Pump1.SpeedSetpoint 400'), /^error: Pump1\.SpeedSetpoint takes 0 to 100, got 400$/);
    const frozen = /^Pump2\.Speed frozen at (\d+(?:\.\d+)?)$/.exec(await cli.command('freeze Pump2.Speed'));
    assert.ok(frozen, 'freeze reports the value it holds');
    await new Promise((r) => setTimeout(r, 300)); // three ticks
    assert.equal(await cli.command('get Pump2.Speed'), `Pump2.Speed = ${frozen[1]}`);
    assert.equal(await cli.command('slow 50'), 'every response 50 ms late');
    assert.equal(await cli.command('drop'), 'dropped 0 monitored items without telling the clients');
    assert.match(
      await cli.command('status'),
      /^listening on opc\.tcp:\/\/127\.0\.0\.1:\d+\/UA\/WaterPlant \(plant ns=1\); sessions 1, subscriptions 0, monitored items 0; reads \d+, writes 0; faults: slow 50 ms, Tank1\.Level BadSensorFailure, Pump2\.Speed frozen$/,
    );
    assert.match(await cli.command('wobble'), /^error: unknown command "wobble"; commands: restart/);
    assert.match(await cli.command('get Pump9.Speed'), /^error: no variable "Pump9\.Speed"/);
    assert.equal(await cli.command('restart reorder=on'), `restarted on port ${m[2]} after 0 ms down; plant namespace index 2`);

    cli.signal('SIGTERM');
    assert.equal(await cli.exited(), 0);
  });

  it('rejects an unknown option with the usage, exit 2', async () => {
    const cli = new CliProcess(CLI, ['--prot', '4840']);
    assert.equal(await cli.exited(), 2);
    assert.match(cli.err, /Unknown option '--prot'[\s\S]*Usage: sensegate sim opcua/);
  });

  it('names the option whose value is wrong, exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--pumps', 'many'], /--pumps needs a whole number from 1 to 20, got "many"/],
      [['--security', 'strong'], /--security takes none, sign, encrypt or all, got "strong"/],
      [['--user', 'alice'], /--user needs NAME:PASSWORD, got "alice"/],
    ];
    await Promise.all(
      cases.map(async ([args, message]) => {
        const cli = new CliProcess(CLI, args);
        assert.equal(await cli.exited(), 2, args.join(' '));
        assert.match(cli.err, message);
      }),
    );
  });
});
