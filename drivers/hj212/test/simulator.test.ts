// Whole stations against the driver: the simulator's air station dials the gateway, sends its
// uploads with acknowledgements requested, and answers commands, as a real data logger would.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@sensegate/sdk/testing';
import { startHj212Station, type Hj212Station } from '@sensegate/sim-hj212';
import { PW, profilePoints, startDriver, type DriverHarness } from './support/harness.js';

const MN = 'SGSIMAIR0000000000000001';

describe('with the simulator', () => {
  let h: DriverHarness;
  let station: Hj212Station;

  before(async () => {
    h = await startDriver([
      {
        id: 'air',
        timeout: 5000,
        connection: { mn: MN, password: PW },
        points: [...profilePoints('hj212-air-station'), { id: 'rtdInterval', command: 'realtime-interval', writable: true }],
      },
    ]);
    station = await startHj212Station({ port: h.port, mn: MN, kind: 'air', ack: true, realtimeInterval: '1s', startTime: '2024-05-01T01:59:58Z' });
  });
  after(async () => {
    await station.close();
    await h.stop();
  });

  it('publishes its real-time data with the station\'s time and acknowledges every upload', async () => {
    await waitFor('online', () => h.states('air').includes('online'));
    const pm25 = await waitFor('two PM2.5 values', () => (h.values('air', 'pm25').length >= 2 ? h.values('air', 'pm25') : undefined));
    assert.equal(typeof pm25[0]!.value, 'number');
    assert.equal(pm25[0]!.options.status, 'hj212:flag:N');
    assert.ok(pm25[0]!.options.ts! >= Date.parse('2024-05-01T01:59:58Z'), String(pm25[0]!.options.ts));
    for (const point of ['pm10', 'so2', 'no2', 'o3', 'co', 'temperature', 'humidity', 'windSpeed', 'windDirection']) {
      await waitFor(`a value of ${point}`, () => h.values('air', point)[0]);
    }
    await waitFor('acknowledgements', () => station.stats().acksReceived >= 2);
    assert.equal(h.instance.stats('air').framesMalformed, 0);
    // The profile takes only the average of minute data; the minute Min and Max are counted, not published.
    const unmatched = h.ctx.logs.filter((l) => l.message.includes('no point takes')).map((l) => l.message);
    assert.deepEqual(unmatched.filter((m) => !/-(Min|Max) in CN 2051;/.test(m)), []);
    assert.equal(station.stats().badFramesIn, 0);
  });

  it('sends statistics that land on the minute and hour points', async () => {
    station.sendNow('minute');
    station.sendNow('hour');
    await waitFor('the minute average', () => h.values('air', 'pm25.minute.avg')[0]);
    await waitFor('the hour maximum', () => h.values('air', 'pm25.hour.max')[0]);
  });

  it('executes a command written to a command point', async () => {
    const device = h.devices.get('air')!;
    await h.instance.write(device, device.points.find((p) => p.id === 'rtdInterval')!, 60);
    assert.equal(station.realtimeInterval, 60_000);
  });
});
