// An operator runs `sensegate sim modbus` in a terminal, points a gateway at it, and types faults.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { CliProcess } from '@sensegate/sdk/testing';
import { ModbusRTU } from './support/modbus-client.js';

/** The simulator's CLI, run from source as `sensegate sim` runs it. */
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('the simulator CLI', () => {
  it('serves profiles on units, applies fault commands from stdin, and exits on SIGTERM', async (t) => {
    const cli = new CliProcess(CLI, ['--port', '0', '--profile', fixture('every-type.yaml'), '--unit', '3', '--profile', fixture('moving.yaml'), '--tick', '50', '--seed', '7']);
    t.after(() => cli.kill());
    const banner = await cli.line(/listening/);
    assert.match(banner, /^modbus simulator listening on tcp 127\.0\.0\.1:\d+: unit 3 every-type \(20 points\), unit 1 moving \(6 points\); tick 50 ms/);
    const port = Number(/:(\d+):/.exec(banner)![1]);

    const client = new ModbusRTU();
    t.after(() => new Promise<void>((r) => (client.isOpen ? client.close(() => r()) : r())));
    await client.connectTCP('127.0.0.1', { port });
    client.setTimeout(5000);
    client.setID(3);
    assert.equal((await client.readInputRegisters(0, 1)).data[0], 0xff85);

    assert.equal(await cli.command('exception 4 unit=3'), 'exception 4 on unit 3');
    await assert.rejects(client.readHoldingRegisters(0, 1), /exception 4/i);
    assert.equal(await cli.command('exception 2 unit=3 table=holding address=10'), 'exception 2 on unit 3 holding address 10');
    assert.equal(await cli.command('exception 0 unit=3'), 'exception removed on unit 3');
    await assert.rejects(client.readHoldingRegisters(8, 4), /exception 2/i);
    assert.equal((await client.readHoldingRegisters(0, 4)).data.length, 4);
    assert.equal(await cli.command('latency 250 unit=3'), 'latency 250 ms on unit 3');
    assert.match(await cli.command('status'), /^listening tcp 127\.0\.0\.1:\d+; units 1,3; clients 1; requests \d+ \(fc3 \d+, fc4 1\); .*faults: latency 250ms unit=3, exception 2 unit=3 table=holding address=10$/);
    assert.equal(await cli.command('clear'), 'faults cleared');
    assert.equal(await cli.command('silence unit=3'), 'unit 3 is silent');
    assert.equal(await cli.command('answer unit=3'), 'unit 3 answers again');
    assert.equal(await cli.command('set setpoint 12.5 unit=3'), 'unit 3 setpoint = 12.5 (pinned)');
    assert.deepEqual((await client.readHoldingRegisters(40, 1)).data, [25]);
    assert.match(await cli.command('get energy unit=1'), /^unit 1 energy = \d+$/);
    assert.match(await cli.command('latency soon'), /^error: latency must be a whole number/);
    assert.match(await cli.command('wobble'), /^error: unknown command "wobble"; commands: latency/);
    assert.equal(await cli.command('drop'), 'dropped 1 client connection');
    assert.match(await cli.command('stop'), /^stopped: not listening on tcp 127\.0\.0\.1:\d+, clients closed$/);
    assert.equal(await cli.command('start'), `listening again on tcp 127.0.0.1:${port}`);

    const again = new ModbusRTU();
    t.after(() => new Promise<void>((r) => (again.isOpen ? again.close(() => r()) : r())));
    await again.connectTCP('127.0.0.1', { port });
    again.setID(3);
    assert.deepEqual((await again.readHoldingRegisters(40, 1)).data, [25], 'values survive a restart');

    cli.signal('SIGTERM');
    assert.equal(await cli.exited(), 0);
  });

  it('serves RTU over TCP with --framing, a blank unit without a profile', async (t) => {
    const cli = new CliProcess(CLI, ['--port', '0', '--framing', 'rtu-over-tcp', '--unit', '9']);
    t.after(() => cli.kill());
    const banner = await cli.line(/listening/);
    assert.match(banner, /listening on rtu-over-tcp 127\.0\.0\.1:\d+: unit 9 blank \(0 points\)/);
    const client = new ModbusRTU();
    t.after(() => new Promise<void>((r) => (client.isOpen ? client.close(() => r()) : r())));
    await client.connectTelnet('127.0.0.1', { port: Number(/:(\d+):/.exec(banner)![1]) });
    client.setTimeout(5000);
    client.setID(9);
    await client.writeRegisters(65000, [1, 2, 3]);
    assert.deepEqual((await client.readHoldingRegisters(65000, 3)).data, [1, 2, 3], 'a blank unit serves every address');
    assert.equal(await cli.command('quit'), 'closing');
    assert.equal(await cli.exited(), 0);
  });

  it('closes cleanly on SIGINT sent as soon as it says it listens', async (t) => {
    const cli = new CliProcess(CLI, ['--port', '0']);
    t.after(() => cli.kill());
    await cli.line(/listening/);
    cli.signal('SIGINT');
    assert.equal(await cli.exited(), 0);
  });

  it('says which file, line and field is wrong in a profile, and exits 1', async () => {
    const cli = new CliProcess(CLI, ['--port', '0', '--profile', fixture('overlap.yaml')]);
    assert.equal(await cli.exited(), 1);
    assert.match(cli.err, /overlap\.yaml:4:\d+: points\[1\]\.address: point "total" overlaps point "flow"/);
  });

  it('rejects an unknown option with the usage, exit 2', async () => {
    const cli = new CliProcess(CLI, ['--prot', '5020']);
    assert.equal(await cli.exited(), 2);
    assert.match(cli.err, /Unknown option '--prot'[\s\S]*Usage: sensegate sim modbus/);
  });
});
