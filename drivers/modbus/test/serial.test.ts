// A water sonde and a flow meter on a local RS-485 port (RTU on a serial device; here a socat pty
// pair, one end for the simulator and one for the driver): both read, writes land, and a silent
// unit does not stop its neighbour.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createTestContext } from '@sensegate/sdk/testing';
import {
  hasSocat,
  loadProfile,
  startModbusSimulator,
  virtualSerialPair,
  type ModbusSimulator,
  type VirtualSerialPair,
} from '@sensegate/sim-modbus';
import modbus from '../src/index.js';
import { badStatuses, engineering, goodValues, modbusDevice, poll, profilePoints, type ModbusDevice, type ModbusInstance } from './support/harness.js';

const EVERY_TYPE = fileURLToPath(new URL('./fixtures/every-type.yaml', import.meta.url));
const POINTS = profilePoints(EVERY_TYPE);

describe('RTU on a serial port (socat pty pair)', { skip: hasSocat() ? false : 'socat is not installed (apt-get install socat)' }, () => {
  let pty: VirtualSerialPair;
  let sim: ModbusSimulator;
  let instance: ModbusInstance;
  let devices: ModbusDevice[];

  before(async () => {
    pty = await virtualSerialPair();
    const profile = loadProfile(EVERY_TYPE);
    sim = await startModbusSimulator({ serialPath: pty.a, baudRate: 38400, units: [{ unitId: 1, profile }, { unitId: 2, profile }] });
    instance = modbus.create(createTestContext());
    devices = [1, 2].map((unitId) =>
      modbusDevice({
        id: `meter-${unitId}`,
        connection: { transport: 'rtu', path: pty.b, baudRate: 38400, unitId },
        points: POINTS,
        timeout: 1000,
      }),
    );
    for (const d of devices) await instance.addDevice(d);
  });

  after(async () => {
    await instance?.stop();
    await sim?.close();
    await pty?.close();
  });

  it('reads every table and type of both units', async () => {
    for (const [i, d] of devices.entries()) {
      const result = await poll(instance, d);
      assert.deepEqual(badStatuses(result), {});
      assert.deepEqual(
        engineering(d, result),
        Object.fromEntries(d.points.map((p) => [p.id, sim.value(i + 1, p.id)])),
      );
    }
  });

  it('writes a setpoint and a coil that read back', async () => {
    const d = devices[1]!;
    await instance.write!(d, d.points.find((p) => p.id === 'setpoint')!, 12.5);
    await instance.write!(d, d.points.find((p) => p.id === 'valve')!, true);
    const values = engineering(d, await poll(instance, d));
    assert.equal(values['setpoint'], 12.5);
    assert.equal(values['valve'], true);
    assert.equal(sim.value(1, 'setpoint'), 20, 'unit 1 is untouched');
  });

  it('keeps reading a unit while its neighbour is silent', async () => {
    sim.faults.silence(1);
    try {
      const before = sim.stats().unanswered;
      const [silent, alive] = await Promise.all(devices.map((d) => poll(instance, d)));
      assert.ok(silent!.points.every((p) => p.status === 'SG_REQUEST_TIMEOUT'));
      assert.equal(Object.keys(goodValues(alive!)).length, POINTS.length);
      assert.equal(sim.stats().unanswered - before, 1);
    } finally {
      sim.faults.clear();
    }
  });

  it('refuses a second device on the port with other line settings', async () => {
    const other = modbusDevice({ id: 'odd', connection: { transport: 'rtu', path: pty.b, baudRate: 9600, unitId: 3 }, points: POINTS });
    await assert.rejects(
      Promise.resolve().then(() => instance.addDevice(other)),
      /device "odd" shares .* with device "meter-1" but sets baudRate 9600 instead of 38400/,
    );
  });

  it('reports a serial port that does not exist as a retryable refused connection', async () => {
    const ghost = modbus.create(createTestContext());
    const d = modbusDevice({ id: 'ghost', connection: { transport: 'rtu', path: '/dev/does-not-exist-sg' }, points: [{ id: 'x', address: 0 }] });
    await ghost.addDevice(d);
    const result = await poll(ghost, d);
    assert.equal(result.points[0]!.error!.code, 'SG_CONNECT_REFUSED');
    assert.equal(result.points[0]!.error!.retryable, true);
    assert.match(result.points[0]!.error!.message, /cannot connect to \/dev\/does-not-exist-sg \(rtu 9600 8N1\)/);
    await ghost.stop();
  });
});
