// An operator runs `sensegate sim sl651` in a terminal, points it at a gateway, and types faults.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeBody, PASSWORD_PATTERN } from '@sensegate/driver-sl651/protocol';
import { CliProcess, waitFor } from '@sensegate/sdk/testing';
import { FakeCentre } from './support/fake-centre.js';

/** The simulator's CLI, run from source as `sensegate sim` runs it. */
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

const PROFILE = fileURLToPath(new URL('../../../drivers/sl651/profiles/sl651-rain-level-station.yaml', import.meta.url));

describe('the simulator CLI', () => {
  it('prints its usage with --help and exits 0', async () => {
    const cli = new CliProcess(CLI, ['--help']);
    assert.equal(await cli.exited(), 0);
    const text = cli.out.join('\n');
    assert.match(text, /^Usage: sensegate sim sl651 \[options\]/);
    for (const option of ['--host', '--port', '--address', '--password', '--interval', '--keepalive', '--packet-size', '--profile']) assert.ok(text.includes(option), option);
    assert.match(text, /badcrc \[N\] \| password \[N\]/);
  });

  it('rejects an unknown option or a bad address with exit 2', async () => {
    const unknown = new CliProcess(CLI, ['--prot', '5651']);
    assert.equal(await unknown.exited(), 2);
    assert.match(unknown.err, /Unknown option '--prot'[\s\S]*Usage: sensegate sim sl651/);
    const address = new CliProcess(CLI, ['--address', '12345']);
    assert.equal(await address.exited(), 2);
    assert.match(address.err, /--address needs 10 hex digits, got "12345"/);
  });

  it('reports to a centre, sends on command, injects faults, and exits on quit', async (t) => {
    const centre = await FakeCentre.start();
    t.after(() => centre.stop());
    const cli = new CliProcess(CLI, ['--port', String(centre.port), '--address', '0012345678', '--password', 'BEEF', '--interval', '0', '--keepalive', '0', '--no-hourly', '--profile', PROFILE, '--seed', '7']);
    t.after(() => cli.kill());
    const banner = await cli.line(/dialing/);
    assert.equal(
      banner,
      `sl651 station 0012345678 dialing 127.0.0.1:${centre.port} (centre 1, password BEEF): timed report on demand, keep-alive on demand, hourly off, add report at 1 mm; commands on stdin (help)`,
    );

    assert.equal(await cli.command('set waterLevel 1.5'), 'waterLevel = 1.5 (pinned)');
    assert.equal(await cli.command('get waterLevel'), 'waterLevel = 1.5');
    assert.equal(await cli.command('timed'), 'sent timed report (32), serial 1');
    const timed = await waitFor('the timed report', () => centre.frames.find((f) => f.functionCode === 0x32));
    assert.equal(timed.password, 'BEEF');
    const level = decodeBody(0x32, timed.body).elements.find((e) => e.id === '39')!;
    assert.deepEqual(level.samples[0]!.value, { kind: 'value', value: 1.5 });
    await waitFor('the confirmation', async () => /confirmed 1,/.test(await cli.command('status')));

    assert.equal(await cli.command('badcrc'), 'next 1 frame(s) with a bad CRC');
    assert.equal(await cli.command('keepalive'), 'sent keep-alive (2F), serial 2');
    await waitFor('the bad CRC', () => centre.errors.includes('sl651:bad-crc'));

    assert.equal(await cli.command('password 1'), 'next 1 frame(s) with a wrong password');
    assert.equal(await cli.command('keepalive'), 'sent keep-alive (2F), serial 3');
    const wrong = await waitFor('a frame with another password', () => centre.frames.find((f) => f.functionCode === 0x2f && f.password !== 'BEEF'));
    assert.match(wrong.password, PASSWORD_PATTERN, 'a valid frame, only the password is wrong');

    assert.equal(await cli.command('garbage 10'), '10 noise bytes before the next frame');
    assert.equal(await cli.command('split 4'), 'frames written in pieces of 4 bytes');
    assert.equal(await cli.command('test'), 'sent test report (30), serial 4');
    await waitFor('the split test report after the noise', () => centre.frames.some((f) => f.functionCode === 0x30));
    assert.ok(centre.errors.includes('sl651:garbage'));
    assert.equal(await cli.command('split off'), 'frames written whole');

    assert.equal(await cli.command('rain 5'), 'rain 5 mm; total 5 mm');
    const add = await waitFor('the add report', () => centre.frames.find((f) => f.functionCode === 0x33));
    assert.deepEqual(decodeBody(0x33, add.body).elements.find((e) => e.id === '20')!.samples[0]!.value, { kind: 'value', value: 5 });

    assert.equal(await cli.command('timed packets=16'), 'sent timed report (32) in packets of 16 bytes, serial 6');
    await waitFor('the packets', () => centre.frames.filter((f) => f.packet).length >= 3);

    assert.equal(await cli.command('drop'), 'connection dropped; reconnecting with backoff');
    await waitFor('a reconnect', () => centre.connections === 2);

    assert.equal(await cli.command('silence'), 'silent: nothing is sent');
    assert.equal(await cli.command('timed'), 'timed report (32) not sent: the station is silent');
    assert.equal(await cli.command('resume'), 'sending again');
    assert.match(await cli.command('wobble'), /^error: unknown command "wobble"; commands: timed/);
    assert.match(await cli.command('rain lots'), /^error: rain needs millimetres/);
    assert.match(await cli.command('status'), /^connected to 127\.0\.0\.1:\d+; station 0012345678; connects 2; sent 2F: 2, 30: 1, 32: 2, 33: 1; .*faults: none$/);
    assert.equal(await cli.command('quit'), 'closing');
    assert.equal(await cli.exited(), 0);
  });

  it('stops cleanly on SIGTERM sent as soon as it says it is dialing', async (t) => {
    const cli = new CliProcess(CLI, ['--port', '1', '--address', '0000000001']);
    t.after(() => cli.kill());
    await cli.line(/dialing/);
    cli.signal('SIGTERM');
    assert.equal(await cli.exited(), 0);
  });

  it('names the file and line of a bad simulate: entry in a profile', async () => {
    const cli = new CliProcess(CLI, ['--profile', fileURLToPath(new URL('./fixtures/bad-simulate.yaml', import.meta.url))]);
    assert.equal(await cli.exited(), 1);
    assert.match(cli.err, /bad-simulate\.yaml:3:\d+: simulate\.snowDepth: unknown field "snowDepth"/);
  });
});
