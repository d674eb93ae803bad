// The gateway gives up on a poll (its safety limit, or shutdown) or stops the driver while a slow
// device is still being read: the abandoned requests leave the queue at once, every point ends with
// an error, and nothing is left running.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SensegateError, type Quality, type ReadBatch, type Value } from '@sensegate/sdk';
import { createTestContext, waitFor } from '@sensegate/sdk/testing';
import { startModbusSimulator, type ModbusSimulator } from '@sensegate/sim-modbus';
import modbus, { type ModbusPointFields } from '../src/index.js';
import { modbusDevice, type ModbusDevice, type ModbusInstance } from './support/harness.js';

/** A batch that records what the driver sets, with an abort signal the test controls. */
function recordingBatch(device: ModbusDevice, signal: AbortSignal) {
  const outcomes: Array<{ value?: Value; error?: SensegateError } | undefined> = new Array(device.points.length);
  const batch: ReadBatch<ModbusPointFields> = {
    points: device.points,
    plan: undefined,
    time: Date.now(),
    signal,
    good: (i: number, value: Value) => void (outcomes[i] = { value }),
    set: (i: number, value: Value, _q: Quality) => void (outcomes[i] = { value }),
    fail: (i: number, error: SensegateError) => void (outcomes[i] = { error }),
  };
  return { batch, outcomes };
}

describe('abandoned polls and shutdown', () => {
  let sim: ModbusSimulator;
  let instance: ModbusInstance;
  let slow: ModbusDevice;

  before(async () => {
    const points = Array.from({ length: 10 }, (_, i) => ({ id: `r${i}`, table: 'holding' as const, address: i * 10, type: 'uint16' as const }));
    sim = await startModbusSimulator({ port: 0, framing: 'rtu-over-tcp', units: [{ unitId: 1, points }] });
    instance = modbus.create(createTestContext());
    // Ten requests (no merging across the holes), 150 ms each: a poll takes 1.5 s.
    slow = modbusDevice({
      id: 'slow',
      connection: { transport: 'rtu-over-tcp', host: '127.0.0.1', port: sim.port, maxGap: 0 },
      points: points.map((p) => ({ ...p })),
      timeout: 5000,
    });
    await instance.addDevice(slow);
  });

  after(async () => {
    await instance.stop();
    await sim.close();
  });

  it('fails the rest of an aborted poll at once with the abort reason', async () => {
    sim.faults.latency(150, 1);
    try {
      const abort = new AbortController();
      const { batch, outcomes } = recordingBatch(slow, abort.signal);
      const before = sim.stats().requests;
      const reading = instance.read!(slow, batch);
      await waitFor('the first answer', () => outcomes.some((o) => o?.value !== undefined));
      const reason = new SensegateError('SG_REQUEST_TIMEOUT', 'read did not finish within the poll limit', { device: 'slow' });
      abort.abort(reason);
      await reading;
      assert.ok(outcomes.every((o) => o !== undefined), 'every point ended');
      const failed = outcomes.filter((o) => o!.error);
      assert.ok(failed.length >= 7, `${failed.length} points failed`);
      assert.ok(failed.every((o) => o!.error === reason));
      assert.ok(sim.stats().requests - before <= 3, 'abandoned requests were not sent');
    } finally {
      sim.faults.clear();
    }
  });

  it('fails what is queued and on the wire when the driver stops, and releases the connection', async () => {
    sim.faults.silence(1);
    const { batch, outcomes } = recordingBatch(slow, new AbortController().signal);
    const reading = instance.read!(slow, batch);
    await waitFor('the request on the wire', () => sim.stats().unanswered > 0);
    await instance.stop();
    await reading;
    assert.ok(outcomes.every((o) => o?.error?.code === 'SG_NOT_CONNECTED'), JSON.stringify(outcomes.map((o) => o?.error?.code)));
    await waitFor('the simulator to see the client leave', () => sim.stats().clients === 0);
    sim.faults.clear();
  });
});
