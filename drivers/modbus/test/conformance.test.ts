// The SDK's conformance kit against the Modbus driver and a real simulator: every type read, every
// writable point written (and a wrong value refused with a code), a write-only relay never read, a
// silent unit cut off at the device's timeout, the simulator restarted on the same port, and nothing
// left open after stop().
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { checkDriver } from '@sensegate/sdk/testing';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '@sensegate/sim-modbus';
import modbus from '../src/index.js';
import { EVERY_TYPE_WRITES, closedPort, modbusDevice, profilePoints } from './support/harness.js';

const EVERY_TYPE = fileURLToPath(new URL('./fixtures/every-type.yaml', import.meta.url));

describe('Modbus driver: the conformance kit', () => {
  let sim: ModbusSimulator;

  before(async () => {
    sim = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile: loadProfile(EVERY_TYPE) }] });
  });

  after(() => sim.close());

  it('meets every obligation of the kit, with a write-only relay among the points', async () => {
    const points = [...profilePoints(EVERY_TYPE), { id: 'relay', table: 'coil', address: 5, direction: 'write' }];
    const device = modbusDevice({ id: 'plc', connection: { host: '127.0.0.1', port: sim.port }, points, timeout: 1000, reconnect: {} });
    const unreachable = modbusDevice({ id: 'gone', connection: { host: '127.0.0.1', port: await closedPort() }, points: points.slice(0, 2), timeout: 1000 });
    const before = sim.stats().byFunction['5'] ?? 0;
    const problems = await checkDriver(modbus, {
      device,
      unreachable,
      writes: { ...EVERY_TYPE_WRITES, relay: { value: true } },
      stall: async () => {
        sim.faults.silence(1);
        return async () => sim.faults.silence(1, false);
      },
      restart: async () => {
        await sim.stop();
        await sim.start();
      },
    });
    assert.deepEqual(problems, []);
    assert.ok((sim.stats().byFunction['5'] ?? 0) > before, 'the relay and the other coils were written');
  });
});
