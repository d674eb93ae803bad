// The SDK's conformance kit against the HJ 212 driver and a simulated station dialling in: what the
// station uploads arrives for the configured points only and the station is reported online, every
// command point is written (and a value out of range refused with a code), the station hangs up and
// dials in again without a new addDevice, and nothing is left listening after stop().
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDriver, createTestContext, freePort, testDevice, waitFor } from '@sensegate/sdk/testing';
import { startHj212Station, type Hj212Station } from '@sensegate/sim-hj212';
import hj212 from '../src/index.js';
import { PW } from './support/harness.js';

const MN = 'SGSIMAIR0000000000000009';

describe('HJ 212 driver: the conformance kit', () => {
  it('meets every obligation of the kit, with a station that dials in', async () => {
    const port = await freePort();
    const context = createTestContext({ driver: 'hj212' });
    const device = testDevice(hj212, {
      id: 'air',
      timeout: 5000,
      reconnect: { initialDelay: 50, maxDelay: 200 },
      connection: { host: '127.0.0.1', port, mn: MN, password: PW },
      points: [
        { id: 'pm25', code: 'a34004' },
        { id: 'clock', command: 'set-time', writable: true },
        { id: 'rtdInterval', command: 'realtime-interval', direction: 'write' },
      ],
    });
    let station: Hj212Station | undefined;
    const dialIn = async () => {
      station = await startHj212Station({ port, mn: MN, password: PW, kind: 'air', ack: true, realtimeInterval: '1s' });
    };
    try {
      const problems = await checkDriver(hj212, {
        device,
        instance: hj212.create(context),
        push: {
          context,
          speak: async () => {
            if (!station) await dialIn();
            await waitFor('the station connected', () => station!.connected);
            station!.sendNow('realtime');
          },
          timeout: 20_000,
        },
        writes: { clock: { value: null }, rtdInterval: { value: 60, refused: 5 } },
        // The station hangs up and dials in again: the driver takes it back without a new addDevice.
        restart: async () => {
          await station?.close();
          await dialIn();
        },
        afterStop: async () => {
          await station?.close();
          station = undefined;
        },
      });
      assert.deepEqual(problems, []);
    } finally {
      await station?.close();
    }
  });
});
