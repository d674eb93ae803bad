// The platform commands a station, as a gateway's command points do: set its clock, change its
// real-time and minute intervals, read them back; and the station refuses or fails on demand.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseDataTime } from '@sensegate/driver-hj212/protocol';
import { startHj212Station, type Hj212Station } from '../src/index.js';
import { TestPlatform, type Received } from './support/platform.js';

const STATION = { mn: 'SGTESTCMD000000000000001', password: '123456', st: '22' };

const summary = (replies: Received[]) =>
  replies.map((r) => `${r.packet.cn}:${r.packet.cp}`);

describe('platform commands', () => {
  let platform: TestPlatform;
  let station: Hj212Station;

  before(async () => {
    platform = await TestPlatform.start();
    // Station time 20x: a 5 s interval is a frame every 250 ms.
    station = await startHj212Station({ port: platform.port, ...STATION, realtimeInterval: '5s', timeScale: 20 });
    await platform.waitForFrames('2011', 1);
  });

  after(async () => {
    await station.close();
    await platform.close();
  });

  it('1062 sets the real-time interval (9011 QnRtn=1, then 9012 ExeRtn=1), and the frames follow it', async () => {
    const qn = platform.command('1062', [['RtdInterval', '60']], STATION);
    const replies = await platform.replies(qn);
    assert.deepEqual(summary(replies), ['9011:QnRtn=1', '9012:ExeRtn=1']);
    for (const r of replies) {
      assert.equal(r.packet.st, '91');
      assert.equal(r.packet.mn, STATION.mn);
      assert.equal(r.packet.flag, 4);
    }
    assert.equal(station.realtimeInterval, 60_000);
    const from = platform.framesOf('2011').length;
    const frames = await platform.waitForFrames('2011', 2, { from });
    const [a, b] = frames.map((f) => parseDataTime(f.fields.get('DataTime')!, 'Asia/Shanghai'));
    assert.equal(b! - a!, 60_000);

    const get = await platform.replies(platform.command('1061', [], STATION));
    assert.deepEqual(summary(get), ['9011:QnRtn=1', '1061:RtdInterval=60', '9012:ExeRtn=1']);
    assert.equal(get[1]!.packet.st, '22');
    const back = await platform.replies(platform.command('1062', [['RtdInterval', '5']], STATION));
    assert.deepEqual(summary(back), ['9011:QnRtn=1', '9012:ExeRtn=1']);
  });

  it('1012 sets the station clock and 1011 reads it', async () => {
    const replies = await platform.replies(platform.command('1012', [['SystemTime', '20300102030405']], STATION));
    assert.deepEqual(summary(replies), ['9011:QnRtn=1', '9012:ExeRtn=1']);
    const from = platform.framesOf('2011').length;
    const [next] = await platform.waitForFrames('2011', 1, { from });
    assert.match(next!.fields.get('DataTime')!, /^2030010203/);
    const get = await platform.replies(platform.command('1011', [['PolId', 'a34004']], STATION));
    assert.equal(get[1]!.packet.cn, '1011');
    assert.equal(get[1]!.fields.get('PolId'), 'a34004');
    assert.match(get[1]!.fields.get('SystemTime')!, /^2030010203\d{4}$/);
  });

  it('1064 sets the minute interval, 1063 reads it; an interval that does not divide an hour is a bad request', async () => {
    assert.deepEqual(summary(await platform.replies(platform.command('1064', [['MinInterval', '5']], STATION))), ['9011:QnRtn=1', '9012:ExeRtn=1']);
    assert.equal(station.minuteInterval, 300_000);
    assert.deepEqual(summary(await platform.replies(platform.command('1063', [], STATION))), ['9011:QnRtn=1', '1063:MinInterval=5', '9012:ExeRtn=1']);
    assert.deepEqual(summary(await platform.replies(platform.command('1064', [['MinInterval', '7']], STATION))), ['9011:QnRtn=1', '9012:ExeRtn=3']);
    assert.equal(station.minuteInterval, 300_000);
  });

  it('refuses (QnRtn=2) or fails (ExeRtn=2) the next commands on demand, then answers normally', async () => {
    station.faults.refuseCommands(1);
    assert.deepEqual(summary(await platform.replies(platform.command('1062', [['RtdInterval', '30']], STATION))), ['9011:QnRtn=2']);
    station.faults.failCommands(1);
    assert.deepEqual(summary(await platform.replies(platform.command('1062', [['RtdInterval', '30']], STATION))), ['9011:QnRtn=1', '9012:ExeRtn=2']);
    assert.equal(station.realtimeInterval, 5_000, 'a failed command changes nothing');
    assert.deepEqual(summary(await platform.replies(platform.command('1061', [], STATION))), ['9011:QnRtn=1', '1061:RtdInterval=5', '9012:ExeRtn=1']);
  });

  it('checks the password, the MN and the command code', async () => {
    const wrongPw = await platform.replies(platform.command('1061', [], { ...STATION, password: '000000' }));
    assert.deepEqual(summary(wrongPw), ['9011:QnRtn=3']);
    assert.equal(wrongPw[0]!.packet.pw, STATION.password, 'the station answers with its own password');
    assert.deepEqual(summary(await platform.replies(platform.command('1061', [], { ...STATION, mn: 'SOMEONEELSE0000000000001' }))), ['9011:QnRtn=4']);
    assert.deepEqual(summary(await platform.replies(platform.command('3015', [], STATION))), ['9011:QnRtn=8']);
    const s = station.stats();
    assert.ok(s.commandsAnswered >= 12);
    assert.equal(s.commandsRefused, 4);
    assert.equal(s.commandsFailed, 2);
  });

  it('1072 changes the password once the change is confirmed', async () => {
    assert.deepEqual(summary(await platform.replies(platform.command('1072', [['NewPW', '777777']], STATION))), ['9011:QnRtn=1', '9012:ExeRtn=1']);
    assert.equal(station.password, '777777');
    const from = platform.framesOf('2011').length;
    const [next] = await platform.waitForFrames('2011', 1, { from });
    assert.equal(next!.packet.pw, '777777');
  });
});
