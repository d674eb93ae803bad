// Frames the gateway must not trust: a corrupted CRC, a wrong password, a station it does not know,
// another centre. Each is refused, counted, and logged once per episode with the remote address;
// on a connection that never carried a station it also closes the connection; the station's next
// good frame is accepted. Hand-made refused frames come from 127.0.0.3, so that the refusal of
// their address after a wrong password (authBackoff) leaves the simulated station alone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeReport, type StationTime } from '@sensegate/driver-sl651/protocol';
import { startSl651Station, type Sl651Station } from '@sensegate/sim-sl651';
import { delay, waitFor } from '@sensegate/sdk/testing';
import { RawClient, startDriver, type DriverHarness } from './support/harness.js';

const level = [{ id: 'level', element: 'waterLevel', unit: 'm' }];
const time: StationTime = { year: 2025, month: 6, day: 1, hour: 8, minute: 0, second: 0 };
const report = (station: string, password: string, centre: number, value: number, serial = 1) =>
  encodeReport({ station, password, centre }, 0x32, { serial, sendTime: time, category: 0x48, observed: time, elements: [{ id: '39', value }] })[0]!;

const authBackoff = { initialDelay: '100ms', maxDelay: '100ms' };
const PEER = '127.0.0.3';

/** Sends one frame on a new connection from PEER once its address is no longer refused; resolves with the client. */
async function sendAlone(port: number, frame: Buffer): Promise<RawClient> {
  await delay(150); // longer than authBackoff: a wrong password before does not refuse this connection
  const client = await RawClient.open(port, { from: PEER });
  client.send(frame);
  return client;
}

describe('refused frames', () => {
  let driver: DriverHarness;
  let station: Sl651Station;

  before(async () => {
    driver = await startDriver([
      { id: 'gauge', connection: { address: '0000000101', password: 'A1B2', authBackoff }, points: level },
      { id: 'weir', connection: { address: '0000000102', password: '0102', centre: 7, authBackoff }, points: level },
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
    assert.match(String(warning.fields.excerpt), /^7E 7E 01 00 00 00 01 01 \*\* \*\* 32/, 'the excerpt hides the password');
    await waitFor('only the good frame confirmed', () => station.stats().confirmedSerials.includes(serial!));
    assert.equal(station.stats().confirmed, 1);
  });

  it('refuses wrong passwords once per episode, closing each connection, marks a station that never got in, and accepts it with the right one', async () => {
    // The weir has not reported yet: three connections with a wrong password, then one to another centre.
    const refused: RawClient[] = [];
    for (let i = 1; i <= 3; i++) refused.push(await sendAlone(driver.port, report('0000000102', '9999', 7, 3 + i, i)));
    refused.push(await sendAlone(driver.port, report('0000000102', '0102', 8, 3.9, 4)));
    await waitFor('four refusals', () => driver.instance.stats().framesRefused === 4);
    await waitFor('each of their connections closed', () => refused.every((c) => c.closed));
    const refusals = driver.ctx.logs.filter((l) => l.fields.code === 'SG_STATION_REFUSED');
    assert.equal(refusals.length, 2, 'one warning for the wrong password, one for the wrong centre');
    assert.match(refusals[0]!.message, /wrong password from station 0000000102 at 127\.0\.0\.3:\d+; connection closed, new connections from 127\.0\.0\.3 refused for 100 ms/);
    assert.match(refusals[1]!.message, /addressed centre 8, expected 7/);
    const health = driver.ctx.healthChanges.filter((h) => h.device === 'weir');
    assert.deepEqual(health.map((h) => h.state), ['offline']);
    assert.equal((health[0]!.reason as { code: string }).code, 'SG_STATION_REFUSED');
    assert.deepEqual(driver.values('weir', 'level'), []);
    assert.deepEqual(refused.flatMap((c) => c.frames), [], 'refused frames are not confirmed');

    const client = await sendAlone(driver.port, report('0000000102', '0102', 7, 4.25, 5));
    try {
      const accepted = await waitFor('the good frame', () => driver.values('weir', 'level')[0]);
      assert.equal(accepted.value, 4.25);
      assert.equal(Buffer.from((await client.frame(1)).body).readUInt16BE(0), 5, 'the good frame is confirmed');
      assert.ok(driver.ctx.logs.some((l) => /station 0000000102 accepted again after 3 refused frame/.test(l.message)));
      assert.deepEqual(driver.ctx.healthChanges.filter((h) => h.device === 'weir').map((h) => h.state), ['offline', 'online']);
    } finally {
      client.close();
    }
  });

  it('refuses an unknown station with its address and the remote address, closes its connection, and keeps serving the others', async () => {
    const before = driver.instance.stats().framesRefused;
    const client = await RawClient.open(driver.port, { from: PEER });
    try {
      client.send(report('0099999999', '1234', 1, 1));
      client.send(report('0099999999', '1234', 1, 2, 2));
      await client.waitClosed('the stranger\'s connection closed at its first frame');
      await waitFor('the refusal counted', () => driver.instance.stats().framesRefused === before + 1);
      const log = driver.ctx.logs.find((l) => l.fields.status === 'sl651:unknown-station')!;
      assert.match(log.message, /unknown station 0099999999 at 127\.0\.0\.3:\d+; connection closed/);
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
