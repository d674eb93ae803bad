// Frames the gateway must not trust: a corrupted CRC, a wrong password, a station it does not know,
// another centre. Each is refused, counted, and logged once per episode with the remote address;
// the station's next good frame is accepted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeReport, type StationTime } from '@sensegate/driver-sl651/protocol';
import { startSl651Station, type Sl651Station } from '@sensegate/sim-sl651';
import { waitFor } from '@sensegate/sdk/testing';
import { RawClient, startDriver, type DriverHarness } from './support/harness.js';

const level = [{ id: 'level', element: 'waterLevel', unit: 'm' }];
const time: StationTime = { year: 2025, month: 6, day: 1, hour: 8, minute: 0, second: 0 };
const report = (station: string, password: string, centre: number, value: number, serial = 1) =>
  encodeReport({ station, password, centre }, 0x32, { serial, sendTime: time, category: 0x48, observed: time, elements: [{ id: '39', value }] })[0]!;

describe('refused frames', () => {
  let driver: DriverHarness;
  let station: Sl651Station;

  before(async () => {
    driver = await startDriver([
      { id: 'gauge', connection: { address: '0000000101', password: 'A1B2' }, points: level },
      { id: 'weir', connection: { address: '0000000102', password: '0102', centre: 7 }, points: level },
    ]);
    station = startSl651Station({ port: driver.port, address: '0000000101', password: 'A1B2', interval: 0, keepAlive: 0, hourly: false, addThreshold: 0 });
  });

  after(async () => {
    await station.stop();
    await driver.stop();
  });

  it('refuses a frame with a bad CRC, counts it, and accepts the next good frame', async () => {
    station.set('waterLevel', 1.5);
    station.faults.corruptCrc(1);
    station.sendTimedReport();
    station.set('waterLevel', 1.6);
    const serial = station.sendTimedReport();
    await waitFor('the good report', () => driver.values('gauge', 'level').length === 1);
    assert.equal(driver.values('gauge', 'level')[0]!.value, 1.6, 'only the good frame is published');
    assert.equal(driver.instance.stats().framesMalformed, 1);
    const warning = driver.ctx.logs.find((l) => /malformed data from 127\.0\.0\.1:\d+: CRC/.test(l.message));
    assert.ok(warning, 'the bad CRC is logged with the remote address');
    assert.equal(warning.fields.status, 'sl651:bad-crc');
    assert.match(String(warning.fields.excerpt), /^7E 7E 01 00 00 00 01 01 A1 B2 32/);
    await waitFor('only the good frame confirmed', () => station.stats().confirmedSerials.includes(serial!));
    assert.equal(station.stats().confirmed, 1);
  });

  it('refuses wrong passwords once per episode, marks a station that never got in, and accepts it with the right one', async () => {
    const client = await RawClient.open(driver.port);
    try {
      // The weir has not reported yet: three frames with a wrong password, then one to another centre.
      for (let i = 1; i <= 3; i++) client.send(report('0000000102', '9999', 7, 3 + i, i));
      client.send(report('0000000102', '0102', 8, 3.9, 4));
      await waitFor('four refusals', () => driver.instance.stats().framesRefused === 4);
      const refusals = driver.ctx.logs.filter((l) => l.fields.code === 'SG_STATION_REFUSED');
      assert.equal(refusals.length, 2, 'one warning for the wrong password, one for the wrong centre');
      assert.match(refusals[0]!.message, /wrong password from station 0000000102 at 127\.0\.0\.1:\d+/);
      assert.match(refusals[1]!.message, /addressed centre 8, expected 7/);
      const health = driver.ctx.healthChanges.filter((h) => h.device === 'weir');
      assert.deepEqual(health.map((h) => h.state), ['offline']);
      assert.equal((health[0]!.reason as { code: string }).code, 'SG_STATION_REFUSED');
      assert.deepEqual(driver.values('weir', 'level'), []);
      assert.deepEqual(client.frames, [], 'refused frames are not confirmed');

      client.send(report('0000000102', '0102', 7, 4.25, 5));
      const accepted = await waitFor('the good frame', () => driver.values('weir', 'level')[0]);
      assert.equal(accepted.value, 4.25);
      assert.equal(Buffer.from((await client.frame(1)).body).readUInt16BE(0), 5, 'the good frame is confirmed');
      assert.ok(driver.ctx.logs.some((l) => /station 0000000102 accepted again after 3 refused frame/.test(l.message)));
      assert.deepEqual(driver.ctx.healthChanges.filter((h) => h.device === 'weir').map((h) => h.state), ['offline', 'online']);
    } finally {
      client.close();
    }
  });

  it('refuses an unknown station with its address and the remote address, and keeps serving the others', async () => {
    const client = await RawClient.open(driver.port);
    try {
      client.send(report('0099999999', '1234', 1, 1));
      client.send(report('0099999999', '1234', 1, 2, 2));
      await waitFor('two refusals', () => driver.ctx.logs.filter((l) => l.fields.status === 'sl651:unknown-station').length === 1 && driver.instance.stats().framesRefused >= 6);
      const log = driver.ctx.logs.find((l) => l.fields.status === 'sl651:unknown-station')!;
      assert.match(log.message, /unknown station 0099999999 at 127\.0\.0\.1:\d+/);
      assert.equal(log.fields.station, '0099999999');
      station.set('waterLevel', 2.2);
      station.sendTimedReport();
      await waitFor('the known station still reporting', () => driver.values('gauge', 'level').some((v) => v.value === 2.2));
    } finally {
      client.close();
    }
  });

  it('refuses a wrong password from the simulator and accepts its next frame', async () => {
    const before = driver.instance.stats().framesRefused;
    station.faults.useWrongPassword(1);
    station.set('waterLevel', 7.77);
    station.sendTimedReport();
    station.set('waterLevel', 7.78);
    station.sendTimedReport();
    await waitFor('the next good frame', () => driver.values('gauge', 'level').some((v) => v.value === 7.78));
    assert.equal(driver.instance.stats().framesRefused, before + 1);
    assert.ok(!driver.values('gauge', 'level').some((v) => v.value === 7.77));
    // the gauge was online all along: a refused frame claiming to be it does not mark it down
    assert.deepEqual(driver.ctx.healthChanges.filter((h) => h.device === 'gauge').map((h) => h.state), ['online']);
  });
});
