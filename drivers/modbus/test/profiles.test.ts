// The profiles shipped with the driver describe real kinds of devices. Each one is valid for the
// gateway (the driver's point schema) and for the simulator, and a device made from it reads the
// values the simulator serves, in the requests its README promises.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createTestContext } from '@sensegate/sdk/testing';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '@sensegate/sim-modbus';
import { parse } from 'yaml';
import { z } from 'zod';
import modbus from '../src/index.js';
import { badStatuses, devicePointSchema, engineering, modbusDevice, poll, profilePoints } from './support/harness.js';

/** What the gateway accepts as a profile file for this driver. */
const gatewayProfileSchema = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    points: z.array(devicePointSchema),
    simulate: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const PLANS: Record<string, string[]> = {
  'water-sonde': [
    'unit 1 FC3 holding 0..40 (41 registers): temperature, ph, orp, dissolvedOxygen, dissolvedOxygenSaturation, conductivity, turbidity, alarmLowBattery, alarmWiperFault, alarmCalibrationDue, alarmSensorFault, batteryVoltage, serialNumber, loggingInterval',
  ],
  'pump-station': [
    'unit 1 FC1 coil 0..1 (2 bits): pump1Running, pump2Running',
    'unit 1 FC2 discrete 0..1 (2 bits): pump1Fault, pump2Fault',
    'unit 1 FC3 holding 0..0 (1 register): speedSetpoint',
    'unit 1 FC4 input 0..16 (17 registers): pump1Speed, pump1Current, pump2Speed, pump2Current, dischargePressure, flow, totalVolume, wetWellLevel',
  ],
};

describe('shipped profiles', () => {
  const folder = modbus.profiles!;
  const files = readdirSync(folder).filter((f) => f.endsWith('.yaml'));
  const sims: ModbusSimulator[] = [];
  after(async () => {
    for (const s of sims) await s.close();
  });

  it('ships the water sonde and the pump station', () => {
    assert.deepEqual(files.sort(), ['pump-station.yaml', 'water-sonde.yaml']);
  });

  for (const file of files) {
    const name = file.replace(/\.yaml$/, '');
    const path = join(folder, file);

    it(`${name}: is valid for the gateway and the simulator, and names itself after its file`, () => {
      const doc = gatewayProfileSchema.parse(parse(readFileSync(path, 'utf8')));
      assert.equal(doc.name, name);
      assert.equal(loadProfile(path).name, name);
      assert.deepEqual(doc.points.filter((p) => !p.name).map((p) => p.id), [], 'every point has a human-readable name');
      const simulated = Object.keys(doc.simulate ?? {});
      assert.deepEqual(simulated.filter((id) => !doc.points.some((p) => p.id === id)), [], 'simulate entries name existing points');
    });

    it(`${name}: reads what the simulator serves, in the planned requests`, async () => {
      const sim = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile: loadProfile(path) }] });
      sims.push(sim);
      const instance = modbus.create(createTestContext());
      const device = modbusDevice({ id: name, connection: { host: '127.0.0.1', port: sim.port }, points: profilePoints(path) });
      await instance.addDevice(device);
      try {
        const result = await poll(instance, device);
        assert.deepEqual(result.plan!.describe(), PLANS[name]);
        assert.deepEqual(badStatuses(result), {});
        const values = engineering(device, result);
        for (const p of device.points) {
          const served = sim.value(1, p.id);
          if (typeof served === 'number' && typeof values[p.id] === 'number') {
            // Moving values may step between the read and this comparison; one generator step at most.
            assert.ok(Math.abs((values[p.id] as number) - served) <= Math.max(0.5, Math.abs(served) * 0.01), `${p.id}: read ${values[p.id]}, served ${served}`);
          } else {
            assert.deepEqual(values[p.id], served, p.id);
          }
        }
      } finally {
        await instance.stop();
      }
    });
  }

  it('pump-station: the speed setpoint is writable and reads back', async () => {
    const path = join(folder, 'pump-station.yaml');
    const sim = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile: loadProfile(path) }] });
    sims.push(sim);
    const instance = modbus.create(createTestContext());
    const device = modbusDevice({ id: 'lift-station', connection: { host: '127.0.0.1', port: sim.port }, points: profilePoints(path) });
    await instance.addDevice(device);
    try {
      await instance.write!(device, device.points.find((p) => p.id === 'speedSetpoint')!, 65.5);
      await instance.write!(device, device.points.find((p) => p.id === 'pump2Running')!, true);
      const values = engineering(device, await poll(instance, device));
      assert.equal(values['speedSetpoint'], 65.5);
      assert.equal(values['pump2Running'], true);
    } finally {
      await instance.stop();
    }
  });
});
