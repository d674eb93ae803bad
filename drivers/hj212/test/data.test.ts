import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@sensegate/sdk/testing';
import { AIR_MN, PW, RawClient, WATER_MN, profilePoints, startDriver, upload, type DriverHarness } from './support/harness.js';

const SHANGHAI_10AM = Date.parse('2024-05-01T02:00:00Z'); // 2024-05-01 10:00 in Asia/Shanghai

describe('uploads become readings', () => {
  let h: DriverHarness;
  let client: RawClient;

  before(async () => {
    h = await startDriver([
      { id: 'air', connection: { mn: AIR_MN, password: PW }, points: profilePoints('hj212-air-station') },
      {
        id: 'water',
        connection: { mn: WATER_MN, password: PW, timeZone: 'Europe/Berlin' },
        points: [
          { id: 'cod', code: 'w01018', unit: 'mg/L' },
          { id: 'ph', code: 'w01001' },
          { id: 'flow.day.total', code: 'w00000', data: 'day', field: 'Cou', unit: 'm3' },
          { id: 'pump1', code: 'SB1', data: 'state', field: 'RS' },
          { id: 'pump1.info', code: 'SB1', data: 'state', field: 'Info' },
        ],
      },
    ]);
    client = await RawClient.open(h.port);
  });
  after(async () => {
    client.close();
    await h.stop();
  });

  it('publishes real-time data (CN 2011) with the station time, flags as quality and status', async () => {
    client.sendPacket(
      upload({
        cn: '2011',
        cp: 'DataTime=20240501100000;a34004-Rtd=35,a34004-Flag=N;a34002-Rtd=68.5,a34002-Flag=M;a21005-Rtd=0.712,a21005-Flag=D;a01001-Rtd=21.3',
      }),
    );
    const pm25 = await waitFor('pm25', () => h.values('air', 'pm25')[0]);
    assert.deepEqual(pm25, { value: 35, options: { quality: 'good', status: 'hj212:flag:N', ts: SHANGHAI_10AM } });
    assert.deepEqual(h.values('air', 'pm10')[0], { value: 68.5, options: { quality: 'uncertain', status: 'hj212:flag:M', ts: SHANGHAI_10AM } });
    assert.deepEqual(h.values('air', 'co')[0], { value: 0.712, options: { quality: 'bad', status: 'hj212:flag:D', ts: SHANGHAI_10AM } });
    // No flag sent: N assumed, and kept as status.
    assert.deepEqual(h.values('air', 'temperature')[0], { value: 21.3, options: { quality: 'good', status: 'hj212:flag:N', ts: SHANGHAI_10AM } });
    // Real-time data feeds only the real-time points.
    assert.equal(h.values('air', 'pm25.minute.avg').length, 0);
  });

  it('publishes minute, hour and day statistics (CN 2051, 2061, 2031) to their points, stamped with the period start', async () => {
    client.sendPacket(upload({ cn: '2051', cp: 'DataTime=20240501100000;a34004-Avg=30,a34004-Min=20,a34004-Max=40,a34004-Flag=N' }));
    client.sendPacket(upload({ cn: '2061', cp: 'DataTime=20240501090000;a34004-Avg=31,a34004-Min=12,a34004-Max=55,a34004-Flag=T;a21026-Avg=9,a21026-Flag=N' }));
    client.sendPacket(upload({ cn: '2031', cp: 'DataTime=20240430000000;a34004-Avg=29.5,a34004-Flag=N' }));
    await waitFor('the daily average', () => h.values('air', 'pm25.day.avg')[0]);
    assert.deepEqual(h.values('air', 'pm25.minute.avg'), [{ value: 30, options: { quality: 'good', status: 'hj212:flag:N', ts: SHANGHAI_10AM } }]);
    const nine = SHANGHAI_10AM - 3_600_000;
    assert.deepEqual(h.values('air', 'pm25.hour.avg'), [{ value: 31, options: { quality: 'uncertain', status: 'hj212:flag:T', ts: nine } }]);
    assert.deepEqual(h.values('air', 'pm25.hour.min').map((v) => v.value), [12]);
    assert.deepEqual(h.values('air', 'pm25.hour.max').map((v) => v.value), [55]);
    assert.deepEqual(h.values('air', 'so2.hour.avg').map((v) => v.value), [9]);
    assert.deepEqual(h.values('air', 'pm25.day.avg'), [{ value: 29.5, options: { quality: 'good', status: 'hj212:flag:N', ts: Date.parse('2024-04-29T16:00:00Z') } }]);
    // Min and Max of minute data are not configured: counted, not published.
    assert.ok(h.instance.stats('air').valuesUnmatched >= 2);
  });

  it('reads DataTime in the station\'s own zone, and takes state data of any field', async () => {
    const water = await RawClient.open(h.port);
    water.sendPacket(upload({ mn: WATER_MN, st: '21', cp: 'DataTime=20240115120000;w01018-Rtd=18.2,w01018-Flag=N;w01001-Rtd=7.35,w01001-Flag=C' }));
    water.sendPacket(upload({ mn: WATER_MN, st: '21', cn: '2031', cp: 'DataTime=20240114000000;w00000-Cou=1234.5,w00000-Flag=N' }));
    water.sendPacket(upload({ mn: WATER_MN, st: '21', cn: '2021', cp: 'DataTime=20240115120000;SB1-RS=1,SB1-Info=running' }));
    await waitFor('state data', () => h.values('water', 'pump1.info')[0]);
    const noonBerlin = Date.parse('2024-01-15T11:00:00Z');
    assert.deepEqual(h.values('water', 'cod')[0], { value: 18.2, options: { quality: 'good', status: 'hj212:flag:N', ts: noonBerlin } });
    assert.deepEqual(h.values('water', 'ph')[0], { value: 7.35, options: { quality: 'uncertain', status: 'hj212:flag:C', ts: noonBerlin } });
    assert.deepEqual(h.values('water', 'flow.day.total')[0]!.value, 1234.5);
    assert.deepEqual(h.values('water', 'pump1')[0], { value: 1, options: { quality: 'good', status: 'hj212:flag:N', ts: noonBerlin } });
    assert.equal(h.values('water', 'pump1.info')[0]!.value, 'running');
    water.close();
  });

  it('publishes every record of a CP with several DataTimes, and an empty value as bad', async () => {
    client.sendPacket(upload({ cn: '2051', cp: 'DataTime=20240501101000;a34002-Avg=60,a34002-Flag=N;DataTime=20240501102000;a34002-Avg=,a34002-Flag=N' }));
    const values = await waitFor('two minute records', () => (h.values('air', 'pm10.minute.avg').length === 2 ? h.values('air', 'pm10.minute.avg') : undefined));
    assert.deepEqual(values.map((v) => [v.value, v.options.quality, v.options.ts]), [
      [60, 'good', SHANGHAI_10AM + 600_000],
      [null, 'bad', SHANGHAI_10AM + 1_200_000],
    ]);
  });

  it('reports the station online with its first packet', async () => {
    assert.equal(h.states('air')[0], 'online');
    assert.equal(h.states('water')[0], 'online');
  });
});
