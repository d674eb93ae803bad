// The driver against its simulator, through the SDK's conformance kit: every point read, a silent
// meter's reads ended by batch.signal, an unreachable meter failing with retryable errors, writes
// accepted and refused, reads back after the meter restarts, and nothing left open after stop().
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDriver, createTestContext, freePort, pollOnce, testDevice, waitFor } from '@sensegate/sdk/testing';
import driver from '../src/index.js';
import { startMeterSimulator, type MeterSimulator } from '../src/simulator.js';

const POINTS = [
  { id: 'flow', field: 'flow', unit: 'm3/h' },
  { id: 'total', field: 'total', unit: 'm3' },
  { id: 'setpoint', field: 'setpoint', writable: true },
];

describe('sensegate-driver-line-meter', () => {
  it('meets every obligation of the conformance kit against its simulator', async () => {
    let sim: MeterSimulator = await startMeterSimulator();
    const port = sim.port;
    const device = testDevice(driver, { id: 'meter-1', timeout: 1000, connection: { host: '127.0.0.1', port }, points: POINTS });
    const unreachable = testDevice(driver, { id: 'meter-off', timeout: 1000, connection: { host: '127.0.0.1', port: await freePort() }, points: [POINTS[0]!] });
    try {
      const problems = await checkDriver(driver, {
        device,
        unreachable,
        writes: { setpoint: { value: 42, refused: 1000 } },
        stall: async () => {
          sim.setSilent(true);
          return async () => sim.setSilent(false);
        },
        restart: async () => {
          await sim.close();
          sim = await startMeterSimulator({ port });
        },
      });
      assert.deepEqual(problems, []);
    } finally {
      await sim.close();
    }
  });

  it('reads the meter\'s values, writes its setpoint and announces its model', async () => {
    const sim = await startMeterSimulator({ model: 'TEST-7' });
    const context = createTestContext();
    const instance = driver.create(context);
    const device = testDevice(driver, { id: 'meter-1', connection: { host: '127.0.0.1', port: sim.port }, points: POINTS });
    try {
      await instance.addDevice(device);
      await instance.startDevice!(device);
      await instance.write!(device, device.points[2]!, 12.5);
      const result = await pollOnce(instance, device);
      const byId = Object.fromEntries(result.points.map((p) => [p.id, p]));
      assert.equal(byId.flow!.quality, 'good');
      assert.ok(Number(byId.flow!.value) >= 10 && Number(byId.flow!.value) <= 30, `flow ${byId.flow!.value}`);
      assert.equal(byId.total!.quality, 'good');
      assert.deepEqual([byId.setpoint!.value, byId.setpoint!.quality], [12.5, 'good']);
      await waitFor('the model announced', () => context.infos.get('meter-1')?.model === 'TEST-7');
    } finally {
      await instance.stop();
      await sim.close();
    }
  });

  it('refuses a writable point on a read-only field, naming the device and point', async () => {
    const instance = driver.create(createTestContext());
    const device = testDevice(driver, { id: 'meter-1', connection: { host: '127.0.0.1' }, points: [{ id: 'flow', field: 'flow', writable: true }] });
    assert.throws(() => instance.addDevice(device), /device meter-1, point flow: field flow cannot be written; writable fields: setpoint/);
    await instance.stop();
  });
});
