// A field engineer points the driver at a Modbus TCP device (here the real simulator on a real
// socket): every table and type reads back what the device holds, merged block reads give the same
// values as one read per point, exceptions become bad readings that say which exception, and
// writes land on the device.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { SensegateError } from '@sensegate/sdk';
import { checkDriver, createTestContext } from '@sensegate/sdk/testing';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '@sensegate/sim-modbus';
import modbus from '../src/index.js';
import { EVERY_TYPE_WRITES, badStatuses, closedPort, engineering, goodValues, modbusDevice, poll, profilePoints, type ModbusInstance } from './support/harness.js';

const EVERY_TYPE = fileURLToPath(new URL('./fixtures/every-type.yaml', import.meta.url));
const POINTS = profilePoints(EVERY_TYPE);

describe('Modbus TCP against the simulator', () => {
  let sim: ModbusSimulator;
  let instance: ModbusInstance;
  const context = createTestContext({ driver: 'modbus' });
  const device = (id: string, extra: Record<string, unknown> = {}, points = POINTS) =>
    modbusDevice({ id, connection: { host: '127.0.0.1', port: sim.port, ...extra }, points, timeout: 2000, log: context.log });

  before(async () => {
    const profile = loadProfile(EVERY_TYPE);
    sim = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile }, { unitId: 2, profile }] });
    instance = modbus.create(context);
  });

  after(async () => {
    await instance.stop();
    await sim.close();
  });

  it('reads every table and type as the device holds it, in one request per table', async () => {
    const d = device('every-type');
    await instance.addDevice(d);
    const before = sim.stats().requests;
    const result = await poll(instance, d);
    assert.deepEqual(badStatuses(result), {});
    const expected = Object.fromEntries(d.points.map((p) => [p.id, sim.value(1, p.id)]));
    assert.deepEqual(engineering(d, result), expected);
    assert.equal(sim.stats().requests - before, 4, 'coils, discrete inputs, holding and input registers: one request each');
    assert.deepEqual(result.plan!.describe(), [
      'unit 1 FC1 coil 0..9 (10 bits): running, valve',
      'unit 1 FC2 discrete 3..12 (10 bits): door, power',
      'unit 1 FC3 holding 10..40 (31 registers): flow, swapped, little, energy, big, ubig, mode, enabled, alarmA, alarmC, serial, tag, setpoint',
      'unit 1 FC4 input 0..3 (4 registers): temperature, level, pressure',
    ]);
    await instance.removeDevice(d.id);
  });

  it('gives the same values from merged reads as from one request per point', async () => {
    const merged = device('merged');
    const single = device('single', { workarounds: { onePointPerRequest: true } });
    await instance.addDevice(merged);
    await instance.addDevice(single);
    let before = sim.stats().requests;
    const a = await poll(instance, merged);
    const mergedRequests = sim.stats().requests - before;
    before = sim.stats().requests;
    const b = await poll(instance, single);
    const singleRequests = sim.stats().requests - before;
    assert.deepEqual(goodValues(a), goodValues(b));
    assert.equal(Object.keys(goodValues(a)).length, POINTS.length);
    assert.equal(mergedRequests, 4);
    assert.equal(singleRequests, POINTS.length);
    await instance.removeDevice(merged.id);
    await instance.removeDevice(single.id);
  });

  it('shares one connection between the devices (unit ids) on one endpoint', async () => {
    const connectionsBefore = sim.stats().connections;
    const one = device('unit-1');
    const two = device('unit-2', { unitId: 2 });
    await instance.addDevice(one);
    await instance.addDevice(two);
    const [r1, r2] = await Promise.all([poll(instance, one), poll(instance, two)]);
    assert.equal(Object.keys(goodValues(r1)).length, POINTS.length);
    assert.equal(Object.keys(goodValues(r2)).length, POINTS.length);
    assert.equal(sim.stats().connections - connectionsBefore, 1);
    await instance.removeDevice(one.id);
    await instance.removeDevice(two.id);
  });

  it('turns an exception answer into bad readings carrying the exception code, and leaves other requests good', async () => {
    const d = device('faulty');
    await instance.addDevice(d);
    sim.faults.exception(2, { unitId: 1, table: 'holding', address: 20 });
    try {
      const result = await poll(instance, d);
      const holding = POINTS.filter((p) => p.table === 'holding').map((p) => p.id as string);
      const bad = badStatuses(result);
      assert.deepEqual(Object.keys(bad).sort(), [...holding].sort());
      for (const id of holding) assert.equal(bad[id], 'modbus:exception:2');
      const error = result.points.find((p) => p.id === 'flow')!.error!;
      assert.ok(error instanceof SensegateError);
      assert.equal(error.code, 'SG_MODBUS_EXCEPTION');
      assert.equal(error.retryable, false);
      assert.equal(error.device, 'faulty');
      assert.equal(error.message, 'unit 1 FC3 holding 10..40: the device answered exception 2 (illegal data address)');
      assert.equal(Object.keys(goodValues(result)).length, POINTS.length - holding.length);
    } finally {
      sim.faults.clear();
      await instance.removeDevice(d.id);
    }
  });

  it('reports a unit the TCP gateway cannot reach as exception 11, retryable', async () => {
    const d = device('absent', { unitId: 99 }, [{ id: 'x', address: 0 }]);
    await instance.addDevice(d);
    const result = await poll(instance, d);
    assert.equal(result.points[0]!.status, 'modbus:exception:11');
    assert.equal(result.points[0]!.error!.retryable, true);
    assert.match(result.points[0]!.error!.message, /unit 99 FC3 holding 0\.\.0: .*exception 11 \(gateway target device failed to respond\)/);
    await instance.removeDevice(d.id);
  });

  describe('writes', () => {
    let writer: ReturnType<typeof device>;
    before(async () => {
      writer = device('writer');
      await instance.addDevice(writer);
    });
    after(() => instance.removeDevice('writer'));
    const write = (id: string, value: Parameters<NonNullable<ModbusInstance['write']>>[2]) =>
      instance.write!(writer, writer.points.find((p) => p.id === id)!, value);
    const readBack = async (id: string) => engineering(writer, await poll(instance, writer))[id];

    it('writes engineering values to scaled registers, inverting scale and rounding (FC6)', async () => {
      const fc6 = sim.stats().byFunction['6'] ?? 0;
      await write('setpoint', 21.5);
      assert.equal(sim.value(1, 'setpoint'), 21.5);
      assert.equal(await readBack('setpoint'), 21.5);
      assert.deepEqual([...sim.readRegisters(1, 'holding', 40, 1)], [0, 43], 'raw = 21.5 / 0.5');
      await write('setpoint', 21.7);
      assert.equal(await readBack('setpoint'), 21.5, '43.4 raw rounds to 43');
      assert.equal((sim.stats().byFunction['6'] ?? 0) - fc6, 2);
    });

    it('writes multi-register values in their byte order (FC16)', async () => {
      await write('flow', 42.5);
      await write('swapped', -7);
      await write('little', 4000000000);
      await write('serial', 'AB-7');
      assert.equal(await readBack('flow'), 42.5);
      assert.equal(sim.value(1, 'swapped'), -7);
      assert.equal(sim.value(1, 'little'), 4000000000);
      assert.equal(await readBack('serial'), 'AB-7');
    });

    it('switches coils (FC5) and bool registers', async () => {
      await write('valve', true);
      assert.equal(sim.value(1, 'valve'), true);
      await write('running', false);
      assert.equal(await readBack('running'), false);
      await write('enabled', false);
      assert.equal(sim.value(1, 'enabled'), false);
    });

    it('sets one bit of a register without touching the others (read-modify-write)', async () => {
      assert.equal(sim.value(1, 'alarmC'), true);
      await Promise.all([write('alarmA', true), write('alarmC', false)]);
      assert.equal(sim.value(1, 'alarmA'), true);
      assert.equal(sim.value(1, 'alarmC'), false);
      await write('alarmC', true);
      assert.deepEqual([...sim.readRegisters(1, 'holding', 30, 1)], [0, 0b101]);
    });

    it('rejects what cannot be written, before anything is sent', async () => {
      const sent = sim.stats().requests;
      const rejected = async (id: string, value: Parameters<typeof write>[1], pattern: RegExp) =>
        assert.rejects(write(id, value), (err: SensegateError) => {
          assert.equal(err.code, 'SG_WRITE_REJECTED');
          assert.match(err.message, pattern);
          return true;
        });
      await rejected('temperature', 1, /point "temperature" of device "writer": the point is not writable/);
      await rejected('setpoint', 20000, /out of range for int16/);
      await rejected('valve', 'open', /a coil takes true or false/);
      await rejected('serial', 'much too long', /does not fit 4 registers/);
      await rejected('setpoint', null, /no value given/);
      const input = modbusDevice({
        id: 'writer',
        connection: { host: '127.0.0.1', port: sim.port },
        points: [{ id: 'temperature', table: 'input', address: 0, type: 'int16', writable: true }],
      });
      await assert.rejects(instance.write!(writer, input.points[0]!, 5), /input registers are read-only/);
      assert.equal(sim.stats().requests, sent);
    });

    it('uses FC15/FC16 for single coils and registers with the writeMultiple workaround', async () => {
      const d = device('multiple', { workarounds: { writeMultiple: true } });
      await instance.addDevice(d);
      const before = { ...sim.stats().byFunction };
      await instance.write!(d, d.points.find((p) => p.id === 'valve')!, false);
      await instance.write!(d, d.points.find((p) => p.id === 'setpoint')!, 10);
      await instance.write!(d, d.points.find((p) => p.id === 'alarmA')!, false);
      const after = sim.stats().byFunction;
      assert.equal((after['15'] ?? 0) - (before['15'] ?? 0), 1);
      assert.equal((after['16'] ?? 0) - (before['16'] ?? 0), 2);
      assert.equal((after['5'] ?? 0) - (before['5'] ?? 0), 0);
      assert.equal((after['6'] ?? 0) - (before['6'] ?? 0), 0);
      assert.equal(sim.value(1, 'valve'), false);
      assert.equal(sim.value(1, 'setpoint'), 10);
      assert.equal(sim.value(1, 'alarmA'), false);
      await instance.removeDevice(d.id);
    });
  });

  it('meets the SDK conformance checks, with an unreachable device failing fast and retryably', async () => {
    const ctx = createTestContext({ driver: 'modbus' });
    const fresh = modbus.create(ctx);
    const reachable = modbusDevice({ id: 'ok', connection: { host: '127.0.0.1', port: sim.port }, points: POINTS, timeout: 1000 });
    const unreachable = modbusDevice({ id: 'gone', connection: { host: '127.0.0.1', port: await closedPort() }, points: POINTS, timeout: 1000 });
    assert.deepEqual(await checkDriver(modbus, { device: reachable, instance: fresh, unreachable, writes: EVERY_TYPE_WRITES }), []);
  });

  it('refuses devices that disagree on how to talk to one endpoint', async () => {
    const tcp = device('plain');
    const rtu = device('framed', { transport: 'rtu-over-tcp' });
    await instance.addDevice(tcp);
    await assert.rejects(Promise.resolve().then(() => instance.addDevice(rtu)), (err: SensegateError) => {
      assert.equal(err.code, 'SG_CONFIG_INVALID');
      assert.match(err.message, /device "framed" shares 127\.0\.0\.1:\d+ with device "plain" but sets transport rtu-over-tcp instead of tcp/);
      return true;
    });
    await instance.removeDevice(tcp.id);
  });

  it('refuses a device whose point cannot be read, naming the point', async () => {
    const bad = device('bad', {}, [{ id: 'pump', table: 'coil', address: 0, type: 'uint16' }]);
    await assert.rejects(Promise.resolve().then(() => instance.addDevice(bad)), /device "bad": point "pump": coil points are single bits, so type must be bool \(got uint16\)/);
  });
});
