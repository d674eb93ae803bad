// A field engineer configures a rain and level station from the shipped profile and points the
// simulated station at the gateway: its timed, add and hourly reports arrive as readings with the
// profile's units, stamped with the station's observation times, and every report is confirmed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSl651Station, type Sl651Station } from '@sensegate/sim-sl651';
import { waitFor } from '@sensegate/sdk/testing';
import { profilePoints, startDriver, type DriverHarness } from './support/harness.js';

const MINUTE = 60_000;

describe('simulated station to driver', () => {
  let driver: DriverHarness;
  let station: Sl651Station;
  let started: number;

  before(async () => {
    driver = await startDriver([
      { id: 'river-3', connection: { address: '0012345678', password: '1234', centre: 1 }, points: profilePoints('sl651-rain-level-station') },
    ]);
    started = Date.now();
    // Schedules off (interval 0, no keep-alive, no hourly): the test sends each report itself.
    station = startSl651Station({ port: driver.port, address: '0012345678', password: '1234', centre: 1, interval: 0, keepAlive: 0, hourly: false, addThreshold: 1, rainTotal: 100, values: {
      rainRate: { kind: 'constant', value: 0 },
      waterLevel: { kind: 'constant', value: 2.345 },
      batteryVoltage: { kind: 'constant', value: 12.6 },
    } });
  });

  after(async () => {
    await station.stop();
    await driver.stop();
  });

  it('publishes a timed report with the profile\'s units and the observation time, and confirms it', async () => {
    const serial = station.sendTimedReport();
    const level = await waitFor('the water level', () => driver.values('river-3', 'waterLevel')[0]);
    assert.equal(level.value, 2.345);
    assert.equal(level.options.quality, 'good');
    const ts = level.options.ts!;
    assert.equal(ts % MINUTE, 0, 'observation times are whole minutes');
    assert.ok(ts >= Math.floor(started / MINUTE) * MINUTE && ts <= Date.now(), 'observed when the report was made');
    assert.deepEqual(driver.values('river-3', 'rainTotal'), [{ value: 100, options: { quality: 'good', ts } }]);
    assert.deepEqual(driver.values('river-3', 'rainCurrent'), [{ value: 0, options: { quality: 'good', ts } }]);
    assert.deepEqual(driver.values('river-3', 'batteryVoltage'), [{ value: 12.6, options: { quality: 'good', ts } }]);
    // the units come from the profile, and match the elements' standard units
    const units = Object.fromEntries(profilePoints('sl651-rain-level-station').map((p) => [p.id, p.unit]));
    assert.deepEqual([units.waterLevel, units.rainTotal, units.rainCurrent, units.batteryVoltage], ['m', 'mm', 'mm', 'V']);
    await waitFor('the confirmation', () => station.stats().confirmedSerials.includes(serial!));
    assert.deepEqual(driver.ctx.healthChanges.filter((h) => h.device === 'river-3').map((h) => h.state), ['online']);
  });

  it('publishes an add report when rain falls', async () => {
    station.addRain(2.5); // more than the 1 mm threshold: an add report goes out
    const rain = await waitFor('the add report\'s rainfall', () => driver.values('river-3', 'rainCurrent')[1]);
    assert.equal(rain.value, 2.5);
    await waitFor('the new total', () => driver.values('river-3', 'rainTotal').some((v) => v.value === 102.5));
    assert.equal(station.stats().sent['33'], 1);
  });

  it('publishes the hourly report\'s 5-minute series, one reading per 5 minutes, FF before the station started', async () => {
    station.sendHourlyReport();
    const series = await waitFor('12 rainfall samples', () => {
      const v = driver.values('river-3', 'rain5min');
      return v.length === 12 && v;
    });
    const stamps = series.map((s) => s.options.ts!);
    for (let i = 1; i < 12; i++) assert.equal(stamps[i]! - stamps[i - 1]!, 5 * MINUTE);
    // the station started less than an hour ago: every interval that began before it has no data
    assert.ok(series.slice(0, 10).every((s) => s.value === null && s.options.quality === 'bad' && s.options.status === 'sl651:no-data'));
    const levels = await waitFor('12 level samples', () => {
      const v = driver.values('river-3', 'waterLevel5min');
      return v.length === 12 && v;
    });
    assert.deepEqual(levels.map((l) => l.options.ts), stamps);
    assert.deepEqual(levels.at(-1), { value: 2.35, options: { quality: 'good', ts: stamps.at(-1) } }, 'the level at the observation time, to 0.01 m');
    // the series belong to the hourly report only: the timed reports did not feed them
    assert.equal(driver.values('river-3', 'rain5min').length, 12);
  });
});
