// The SDK's conformance kit against the SL 651 driver and a simulated station dialling in: its
// reports arrive for the configured points only and the station is reported online, the station
// hangs up and dials in again without a new addDevice, and nothing is left listening after stop().
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDriver, createTestContext, freePort, testDevice, waitFor } from '@sensegate/sdk/testing';
import { startSl651Station, type Sl651Station } from '@sensegate/sim-sl651';
import sl651 from '../src/index.js';
import { profilePoints } from './support/harness.js';

describe('SL 651 driver: the conformance kit', () => {
  it('meets every obligation of the kit, with a station that dials in', async () => {
    const port = await freePort();
    const context = createTestContext({ driver: 'sl651' });
    const device = testDevice(sl651, {
      id: 'river-3',
      timeout: 5000,
      reconnect: { initialDelay: 50, maxDelay: 200 },
      connection: { host: '127.0.0.1', port, address: '0012345678', password: '1234', centre: 1 },
      points: profilePoints('sl651-rain-level-station'),
    });
    let station: Sl651Station | undefined;
    // Schedules off: each report is sent by `speak`.
    const dialIn = () => {
      station = startSl651Station({ port, address: '0012345678', password: '1234', centre: 1, interval: 0, keepAlive: 0, hourly: false });
    };
    const problems = await checkDriver(sl651, {
      device,
      instance: sl651.create(context),
      push: {
        context,
        speak: async () => {
          if (!station) dialIn();
          await waitFor('the station connected', () => station!.connected);
          station!.sendTimedReport();
        },
        timeout: 20_000,
      },
      restart: async () => {
        await station?.stop();
        dialIn();
      },
      afterStop: async () => {
        await station?.stop();
        station = undefined;
      },
    });
    assert.deepEqual(problems, []);
  });
});
