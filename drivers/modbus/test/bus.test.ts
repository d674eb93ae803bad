// Three sondes share one RS-485 bus behind a serial server (RTU over TCP). When one stops answering,
// its neighbours keep reading in the same polls: the dead unit costs the bus one timeout per poll,
// not one per request. A late answer is never taken for the answer to a later request.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createTestContext, waitFor } from '@sensegate/sdk/testing';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '@sensegate/sim-modbus';
import modbus from '../src/index.js';
import { badStatuses, engineering, goodValues, modbusDevice, poll, profilePoints, type ModbusDevice, type ModbusInstance } from './support/harness.js';

const EVERY_TYPE = fileURLToPath(new URL('./fixtures/every-type.yaml', import.meta.url));
const POINTS = profilePoints(EVERY_TYPE);

describe('an RS-485 bus behind a serial server (rtu-over-tcp)', () => {
  let sim: ModbusSimulator;
  let instance: ModbusInstance;
  let sondes: ModbusDevice[];
  const context = createTestContext({ driver: 'modbus' });

  before(async () => {
    const profile = loadProfile(EVERY_TYPE);
    sim = await startModbusSimulator({ port: 0, framing: 'rtu-over-tcp', units: [1, 2, 3].map((unitId) => ({ unitId, profile })) });
    instance = modbus.create(context);
    sondes = [1, 2, 3].map((unitId) =>
      modbusDevice({
        id: `sonde-${unitId}`,
        connection: { transport: 'rtu-over-tcp', host: '127.0.0.1', port: sim.port, unitId },
        points: POINTS,
        timeout: 300,
        log: context.log,
      }),
    );
    for (const d of sondes) await instance.addDevice(d);
  });

  after(async () => {
    await instance.stop();
    await sim.close();
  });

  const pollAll = () => Promise.all(sondes.map((d) => poll(instance, d)));

  it('reads every unit over one connection, one request at a time', async () => {
    const before = sim.stats();
    const results = await pollAll();
    for (const r of results) assert.equal(Object.keys(goodValues(r)).length, POINTS.length);
    assert.equal(sim.stats().requests - before.requests, 12, 'four requests per unit');
    assert.equal(sim.stats().connections, 1);
  });

  it('keeps the neighbours of a dead unit reading, at the cost of one timeout per poll', async () => {
    sim.faults.silence(2);
    try {
      for (let round = 0; round < 3; round++) {
        const before = sim.stats();
        const [one, two, three] = await pollAll();
        const stats = sim.stats();
        assert.equal(Object.keys(goodValues(one!)).length, POINTS.length, `round ${round}: unit 1 reads`);
        assert.equal(Object.keys(goodValues(three!)).length, POINTS.length, `round ${round}: unit 3 reads`);
        assert.deepEqual(new Set(Object.values(badStatuses(two!))), new Set(['SG_REQUEST_TIMEOUT']), `round ${round}: unit 2 times out`);
        assert.equal(Object.keys(badStatuses(two!)).length, POINTS.length);
        // One request went to the dead unit and timed out; its other three failed without being sent.
        assert.equal(stats.unanswered - before.unanswered, 1, `round ${round}: requests to the dead unit`);
        assert.equal(stats.requests - before.requests, 9, `round ${round}: requests on the bus`);
        const errors = new Set(two!.points.map((p) => p.error));
        assert.equal(errors.size, 1, 'the rest of the poll fails with the same error');
        assert.match([...errors][0]!.message, /^unit 2 FC\d (coil|discrete|holding|input) \d+\.\.\d+: no answer within 300 ms$/);
      }
    } finally {
      sim.faults.silence(2, false);
    }
    await waitFor('unit 2 to read again', async () => Object.keys(goodValues(await poll(instance, sondes[1]!))).length === POINTS.length);
  });

  it('never takes a late answer for the answer to the same unit\'s next request', async () => {
    const points = [{ id: 'level', table: 'holding', address: 0, type: 'uint16' }];
    const late = await startModbusSimulator({
      port: 0,
      framing: 'rtu-over-tcp',
      units: [{ unitId: 1, points: [{ id: 'level', table: 'holding', address: 0, type: 'uint16' }] }],
    });
    const fresh = modbus.create(createTestContext());
    try {
      const device = modbusDevice({ id: 'slow', connection: { transport: 'rtu-over-tcp', host: '127.0.0.1', port: late.port }, points, timeout: 400 });
      await fresh.addDevice(device);
      late.set(1, 'level', 111);
      late.faults.latency(600, 1);
      const first = await poll(fresh, device);
      assert.equal(first.points[0]!.status, 'SG_REQUEST_TIMEOUT');
      // The answer carrying 111 is still on its way (due about 200 ms from now). The next request's
      // answer carries 222 and takes 250 ms: a client that takes the first frame that fits would read 111.
      late.set(1, 'level', 222);
      late.faults.latency(250, 1);
      const second = await poll(fresh, device);
      assert.notEqual(second.points[0]!.value, 111, 'the late answer was taken for the next one');
      late.faults.clear();
      await waitFor('the current value', async () => (await poll(fresh, device)).points[0]!.value === 222);
    } finally {
      await fresh.stop();
      await late.close();
    }
  });

  it('skips another unit\'s late answer on the line and reads its own', async () => {
    const holding = POINTS.filter((p) => p['table'] === 'holding');
    const on = (unitId: number) => ({ transport: 'rtu-over-tcp', host: '127.0.0.1', port: sim.port, unitId });
    const hasty = modbusDevice({ id: 'sonde-2-hasty', connection: on(2), points: holding, timeout: 300 });
    const patient = modbusDevice({ id: 'sonde-1-patient', connection: on(1), points: holding, timeout: 2000 });
    await instance.addDevice(hasty);
    await instance.addDevice(patient);
    sim.set(1, 'setpoint', 15);
    // Unit 2's late answer carries the bytes 01 03 (769 in BADC order): what unit 1's answer starts with.
    sim.set(2, 'mode', 769);
    sim.faults.latency(900, 2);
    sim.faults.latency(800, 1);
    try {
      // Unit 2 times out after 300 ms; its answer arrives about 600 ms later, while unit 1 is being asked.
      const [slow, result] = await Promise.all([poll(instance, hasty), poll(instance, patient)]);
      assert.ok(slow.points.every((p) => p.status === 'SG_REQUEST_TIMEOUT'));
      assert.deepEqual(badStatuses(result), {});
      assert.equal(engineering(patient, result)['setpoint'], 15);
    } finally {
      sim.faults.clear();
      await instance.removeDevice(hasty.id);
      await instance.removeDevice(patient.id);
    }
  });
});
