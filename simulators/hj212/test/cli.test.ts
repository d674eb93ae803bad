// An operator runs `sensegate sim hj212` in a terminal against a gateway, watches what the station
// does, and types faults.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { CliProcess, waitFor } from '@sensegate/sdk/testing';
import { TestPlatform } from './support/platform.js';

/** The simulator's CLI, run from source as `sensegate sim` runs it. */
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

describe('the simulator CLI', () => {
  it('prints its options with --help', async () => {
    const cli = new CliProcess(CLI, ['--help']);
    assert.equal(await cli.exited(), 0);
    const text = cli.out.join('\n');
    assert.match(text, /^Usage: sensegate sim hj212/);
    for (const option of ['--host', '--port', '--kind', '--mn', '--password', '--realtime', '--count', '--fault', '--ack']) assert.ok(text.includes(option), option);
  });

  it('runs a station that prints what it does, answers the platform, takes fault commands, and exits on SIGTERM', async (t) => {
    const platform = await TestPlatform.start({ autoAck: true });
    t.after(() => platform.close());
    const mn = 'SGCLIWATER00000000000001';
    const cli = new CliProcess(CLI, ['--port', String(platform.port), '--kind', 'water', '--mn', mn, '--password', 'abc123', '--realtime', '2s', '--time-scale', '10', '--ack', '--fault', 'bad-crc=1']);
    t.after(() => cli.kill());
    const banner = await cli.line(/dialing/);
    assert.match(banner, /^hj212 station SGCLIWATER00000000000001 \(water, ST=21, 9 parameters\) dialing 127\.0\.0\.1:\d+: real-time 2s, minute 10m, hour; Flag=5 \(ack\); time x10; faults: bad-crc x1;/);
    await cli.line(/connected/);
    await cli.line(/sent 2011 realtime DataTime=\d{14} QN=\d{17}/);
    await cli.line(/got 9014 for QN=/);
    const [frame] = await platform.waitForFrames('2011', 1);
    assert.equal(frame!.packet.mn, mn);
    assert.equal(frame!.packet.pw, 'abc123');
    assert.equal(frame!.packet.flag, 5);
    assert.equal(platform.failures.length, 1, 'the first frame had a bad CRC');

    const qn = platform.command('1062', [['RtdInterval', '30']], { mn, password: 'abc123', st: '21' });
    await cli.line(/command 1062 real-time interval set to 30 s \(ExeRtn=1\)/);
    assert.deepEqual((await platform.replies(qn)).map((r) => r.packet.cn), ['9011', '9012']);

    cli.send('refuse 2');
    assert.equal(await cli.line(/refuse/), 'station SGCLIWATER00000000000001 will refuse (QnRtn=2) the next 2 commands');
    cli.send('send hour');
    await cli.line(/^sent hour data from 1 station$/);
    cli.send('wobble');
    await cli.line(/^error: unknown command "wobble"/);
    cli.send('status');
    assert.match(await cli.line(/^connected 1\/1/), /acks \d+ .*commands 1 \(refused 0, failed 0\).*faults: refuse x2$/);

    cli.signal('SIGTERM');
    assert.equal(await cli.exited(), 0);
  });

  it('runs many stations quietly and prints their status', async (t) => {
    const platform = await TestPlatform.start();
    t.after(() => platform.close());
    const cli = new CliProcess(CLI, ['--port', String(platform.port), '--count', '5', '--mn-prefix', 'SGCLI', '--realtime', '1s', '--report', '200ms']);
    t.after(() => cli.kill());
    assert.match(await cli.line(/dialing/), /^hj212 5 stations SGCLI0000000000000000001\.\.SGCLI0000000000000000005 \(air, ST=22, 10 parameters\)/);
    await waitFor('five connections', () => platform.open.length === 5);
    await cli.line(/^connected 5\/5/);
    cli.send('quit');
    await cli.line(/^closing$/);
    assert.equal(await cli.exited(), 0);
  });

  it('rejects an unknown option with the usage, exit 2', async () => {
    const cli = new CliProcess(CLI, ['--prot', '6000']);
    assert.equal(await cli.exited(), 2);
    assert.match(cli.err, /Unknown option '--prot'[\s\S]*Usage: sensegate sim hj212/);
  });

  it('says which option is wrong, exit 1 for invalid station settings', async () => {
    const bad = new CliProcess(CLI, ['--minute', '7m']);
    assert.equal(await bad.exited(), 1);
    assert.match(bad.err, /minuteInterval.*divide an hour/);
  });
});
