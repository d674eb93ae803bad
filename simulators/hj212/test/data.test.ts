// A station dials the platform and reports what it measures: real-time values every interval, and
// minute and hour statistics computed from exactly those values.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hj212Crc, parseDataTime } from '@sensegate/driver-hj212/protocol';
import { waitFor } from '@sensegate/sdk/testing';
import { startHj212Station, startHj212Stations, type Hj212Station } from '../src/index.js';
import { TestPlatform, type Received } from './support/platform.js';

const AIR_CODES = ['a34004', 'a34002', 'a21026', 'a21004', 'a05024', 'a21005', 'a01001', 'a01002', 'a01007', 'a01008'];
const WATER_CODES = ['w01001', 'w01009', 'w01014', 'w01003', 'w01018', 'w21003', 'w21011', 'w21001', 'w01010'];
const MN = 'SGTESTAIR000000000000001';
const ZONE = 'Asia/Shanghai';

const time = (dataTime: string) => parseDataTime(dataTime, ZONE);
const num = (f: Received, key: string) => Number(f.fields.get(key));

/** Checks each code's Min/Avg/Max against the real-time values whose DataTime lies in [start, end). */
function assertStatistics(stat: Received, realtime: Received[], length: number, codes: string[]): number {
  const start = time(stat.fields.get('DataTime')!);
  const inPeriod = realtime.filter((f) => {
    const t = time(f.fields.get('DataTime')!);
    return t >= start && t < start + length;
  });
  assert.ok(inPeriod.length > 0, `real-time frames in the period of ${stat.fields.get('DataTime')}`);
  for (const code of codes) {
    const values = inPeriod.map((f) => num(f, `${code}-Rtd`));
    const text = stat.fields.get(`${code}-Avg`)!;
    const decimals = text.includes('.') ? text.split('.')[1]!.length : 0;
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    assert.equal(num(stat, `${code}-Min`), Math.min(...values), `${code} min of ${values.length} samples at ${stat.fields.get('DataTime')}`);
    assert.equal(num(stat, `${code}-Max`), Math.max(...values), `${code} max`);
    assert.ok(Math.abs(Number(text) - mean) <= 0.5 * 10 ** -decimals + 1e-9, `${code} avg ${text} vs mean ${mean}`);
    assert.equal(stat.fields.get(`${code}-Flag`), 'N');
  }
  return inPeriod.length;
}

describe('an air-quality station', () => {
  let platform: TestPlatform;
  let station: Hj212Station;

  before(async () => {
    platform = await TestPlatform.start();
    // Station time runs 10x: the hour that starts at 10:00 begins a second after the connection,
    // so every sample of it reaches the platform.
    station = await startHj212Station({
      port: platform.port,
      mn: MN,
      password: '654321',
      kind: 'air',
      realtimeInterval: '1s',
      timeScale: 10,
      startTime: '2024-05-01T09:59:50+08:00',
    });
  });

  after(async () => {
    await station.close();
    await platform.close();
  });

  it('sends real-time data every interval in valid frames with its MN, PW, ST and Flag', async () => {
    const frames = await platform.waitForFrames('2011', 3);
    assert.equal(platform.failures.length, 0, 'every frame decodes with a valid CRC');
    for (const f of frames) {
      assert.equal(f.packet.mn, MN);
      assert.equal(f.packet.pw, '654321');
      assert.equal(f.packet.st, '22');
      assert.equal(f.packet.flag, 4);
      assert.match(f.packet.qn!, /^\d{17}$/);
      for (const code of AIR_CODES) {
        assert.ok(Number.isFinite(num(f, `${code}-Rtd`)), `${code}-Rtd in ${f.packet.cp}`);
        assert.equal(f.fields.get(`${code}-Flag`), 'N');
      }
    }
    const times = frames.map((f) => time(f.fields.get('DataTime')!));
    assert.deepEqual([times[1]! - times[0]!, times[2]! - times[1]!], [1000, 1000], 'one second apart on the station clock');
    assert.ok(hj212Crc('123456789') === 0x2f80);
    assert.equal(station.connected, true);
    assert.ok(station.stats().realtimeSent >= 3);
  });

  it('sends another flag with a parameter on demand, and a pinned value', async () => {
    const from = platform.framesOf('2011').length;
    station.setFlag('a34004', 'M');
    station.setValue('a21026', 123);
    const [f] = await platform.waitForFrames('2011', 1, { from });
    assert.equal(f!.fields.get('a34004-Flag'), 'M');
    assert.equal(f!.fields.get('a21026-Rtd'), '123');
    assert.equal(f!.fields.get('a34002-Flag'), 'N');
    station.setFlag('a34004', 'N');
    station.setValue('a21026', undefined);
  });

  it('sends the statistics of the current period on demand, from the samples sent so far', async () => {
    await waitFor('a sample after 10:00', () => platform.framesOf('2011').some((f) => f.fields.get('DataTime')! >= '20240501100005'));
    const qn = station.sendNow('hour');
    assert.ok(qn, 'there were samples this hour');
    const stat = await waitFor('the hour frame', () => platform.framesOf('2061').find((f) => f.packet.qn === qn));
    const realtime = platform.framesOf('2011');
    assert.equal(stat.fields.get('DataTime'), '20240501100000', 'DataTime is the start of the hour');
    assertStatistics(stat, realtime, 3_600_000, AIR_CODES.filter((c) => c !== 'a34004' && c !== 'a21026'));
    assert.throws(() => station.sendNow('day'), /does not send day data/);
  });
});

describe('statistics over whole periods (station time 600x faster)', () => {
  it('minute and hour records are the min, avg and max of the real-time values of their period, stamped with its start', async (t) => {
    const platform = await TestPlatform.start();
    t.after(() => platform.close());
    const station = await startHj212Station({
      port: platform.port,
      mn: 'SGTESTWATER0000000000001',
      kind: 'water',
      realtimeInterval: '30s',
      minuteInterval: '10m',
      timeScale: 600,
      startTime: '2024-05-01T09:58:00+08:00',
    });
    t.after(() => station.close());

    const [hour] = await platform.waitForFrames('2061', 1, { timeout: 60_000 });
    // The first hour frame covers 09:58-10:00 (the station started at 09:58); wait for a whole hour.
    const [full] = await platform.waitForFrames('2061', 1, { from: 1, timeout: 60_000 });
    assert.equal(hour!.fields.get('DataTime'), '20240501090000');
    assert.equal(full!.fields.get('DataTime'), '20240501100000');
    const realtime = platform.framesOf('2011');
    assert.equal(full!.packet.st, '21');
    const samples = assertStatistics(full!, realtime, 3_600_000, WATER_CODES);
    assert.equal(samples, 120, 'an hour of 30 s samples');

    const minutes = platform.framesOf('2051').filter((f) => f.fields.get('DataTime')!.startsWith('2024050110'));
    assert.deepEqual(
      minutes.map((f) => f.fields.get('DataTime')),
      ['20240501100000', '20240501101000', '20240501102000', '20240501103000', '20240501104000', '20240501105000'],
    );
    for (const m of minutes) assert.equal(assertStatistics(m, realtime, 600_000, WATER_CODES), 20);
    assert.equal(platform.failures.length, 0);
  });

  it('sends daily data at local midnight when asked to', async (t) => {
    const platform = await TestPlatform.start();
    t.after(() => platform.close());
    const station = await startHj212Station({
      port: platform.port,
      mn: 'SGTESTAIR000000000000002',
      realtimeInterval: '1m',
      daily: true,
      timeScale: 3600,
      startTime: '2024-05-01T23:58:00+08:00', // one sample (23:59) before midnight
    });
    t.after(() => station.close());
    const [day] = await platform.waitForFrames('2031', 1);
    assert.equal(day!.fields.get('DataTime'), '20240501000000');
    assert.ok(day!.fields.has('a34004-Avg'));
  });
});

describe('many stations in one process', () => {
  it('each dials its own connection with its own MN and sends its own data', async (t) => {
    const platform = await TestPlatform.start();
    t.after(() => platform.close());
    // 60x: the random walks (one step a minute) have moved by the second frame.
    const group = await startHj212Stations({ port: platform.port, count: 20, mnPrefix: 'SGBENCH', realtimeInterval: '30s', timeScale: 60, kind: 'water' });
    t.after(() => group.close());
    await waitFor('20 connections', () => platform.open.length === 20);
    await waitFor('real-time data from every station', () => new Set(platform.framesOf('2011').map((f) => f.packet.mn)).size === 20);
    const mns = [...new Set(platform.framesOf('2011').map((f) => f.packet.mn))].sort();
    assert.equal(mns[0], 'SGBENCH00000000000000001');
    assert.equal(mns[19], 'SGBENCH00000000000000020');
    assert.equal(group.stats().connected, 20);
    assert.ok(group.station('SGBENCH00000000000000007'));
    // Different stations, different walks.
    await platform.waitForFrames('2011', 60);
    const byMn = new Map(platform.framesOf('2011').map((f) => [f.packet.mn, f.fields.get('w01014-Rtd')] as const));
    assert.ok(new Set(byMn.values()).size > 1, `conductivity differs between stations: ${[...byMn.values()].join(' ')}`);
  });
});
