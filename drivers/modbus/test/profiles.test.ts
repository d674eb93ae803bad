// The profiles shipped with the driver describe real kinds of devices. Each one is valid for the
// gateway (the driver's point schema) and for the simulator; its numbers carry units (or say how to
// read them); its simulated values fit its encoding; and a device made from it reads, in the planned
// requests, what the simulator serves: the same values the wire bytes hold (decoded here by a
// reference that follows the byte-order table of the README), inside the simulated ranges.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { registerCount, type Value } from '@sensegate/sdk';
import { createTestContext } from '@sensegate/sdk/testing';
import { loadProfile, startModbusSimulator, type GeneratorSpec, type ModbusPoint, type ModbusSimulator } from '@sensegate/sim-modbus';
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

/** How the driver reads each profile: the requests of one poll of every point. */
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
  // Water quality probes: measurements from 0x0000, settings from 0x0020 (read hourly by the gateway).
  'ph-sensor': [
    'unit 1 FC3 holding 0..2 (3 registers): temperature, ph, electrodePotential',
    'unit 1 FC3 holding 32..33 (2 registers): slaveAddress, baudRate',
  ],
  'dissolved-oxygen-sensor': [
    'unit 1 FC3 holding 0..5 (6 registers): temperature, dissolvedOxygen, saturation',
    'unit 1 FC3 holding 16..17 (2 registers): salinityCompensation',
    'unit 1 FC3 holding 32..33 (2 registers): slaveAddress, baudRate',
  ],
  'conductivity-sensor': [
    'unit 1 FC3 holding 32..33 (2 registers): slaveAddress, baudRate',
    'unit 1 FC3 holding 48..49 (2 registers): tdsFactor',
    'unit 1 FC4 input 0..7 (8 registers): conductivity, tds, salinity, temperature',
  ],
  'turbidity-sensor': [
    'unit 1 FC3 holding 0..3 (4 registers): turbidity, temperature',
    'unit 1 FC3 holding 32..33 (2 registers): slaveAddress, baudRate',
    'unit 1 FC3 holding 48..48 (1 register): wipeInterval',
  ],
  'cod-uv254-sensor': [
    'unit 1 FC3 holding 0..9 (10 registers): cod, toc, turbidity, uv254, temperature',
    'unit 1 FC3 holding 32..33 (2 registers): slaveAddress, baudRate',
    'unit 1 FC3 holding 48..49 (2 registers): turbidityCompensation, wipeInterval',
  ],
  'ammonia-sensor': [
    'unit 1 FC3 holding 0..9 (10 registers): ammoniaNitrogen, ammonium, temperature, potassium, ph',
    'unit 1 FC3 holding 32..33 (2 registers): slaveAddress, baudRate',
    'unit 1 FC3 holding 48..48 (1 register): potassiumCompensation',
  ],
  // "485 type" environmental transmitters: measurements from 0x0000, settings at 0x07D0.
  'temperature-humidity-sensor': [
    'unit 1 FC3 holding 0..1 (2 registers): humidity, temperature',
    'unit 1 FC3 holding 2000..2001 (2 registers): slaveAddress, baudRate',
  ],
  'noise-sensor': [
    'unit 1 FC3 holding 0..0 (1 register): noise',
    'unit 1 FC3 holding 2000..2001 (2 registers): slaveAddress, baudRate',
  ],
  'wind-speed-sensor': [
    'unit 1 FC3 holding 0..1 (2 registers): windSpeed, windForce',
    'unit 1 FC3 holding 2000..2001 (2 registers): slaveAddress, baudRate',
  ],
  'wind-direction-sensor': [
    'unit 1 FC3 holding 0..1 (2 registers): windDirectionIndex, windDirection',
    'unit 1 FC3 holding 2000..2001 (2 registers): slaveAddress, baudRate',
  ],
  'rain-gauge': [
    'unit 1 FC3 holding 0..4 (5 registers): rainfall, rainfallLastMinute, rainfallTotal, tipCount',
    'unit 1 FC3 holding 2000..2001 (2 registers): slaveAddress, baudRate',
  ],
  'pm-sensor': [
    'unit 1 FC3 holding 4..9 (6 registers): pm25, pm10',
    'unit 1 FC3 holding 2000..2001 (2 registers): slaveAddress, baudRate',
  ],
  'co-sensor': ['unit 1 FC3 holding 6..6 (1 register): co', 'unit 1 FC3 holding 2000..2001 (2 registers): slaveAddress, baudRate'],
  'so2-sensor': ['unit 1 FC3 holding 6..6 (1 register): so2', 'unit 1 FC3 holding 2000..2001 (2 registers): slaveAddress, baudRate'],
  'no2-sensor': ['unit 1 FC3 holding 6..6 (1 register): no2', 'unit 1 FC3 holding 2000..2001 (2 registers): slaveAddress, baudRate'],
  'o3-sensor': ['unit 1 FC3 holding 6..6 (1 register): o3', 'unit 1 FC3 holding 2000..2001 (2 registers): slaveAddress, baudRate'],
  'air-gas-sensor': [
    'unit 1 FC3 holding 0..1 (2 registers): slaveAddress, baudRate',
    'unit 1 FC4 input 0..11 (12 registers): so2, no2, co, o3, temperature, humidity',
  ],
};

const INTEGER_TYPES = new Set(['int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64']);
const NUMERIC_TYPES = new Set([...INTEGER_TYPES, 'float32', 'float64']);
const isBitTable = (p: ModbusPoint) => p.table === 'coil' || p.table === 'discrete';
const registerWidth = (p: ModbusPoint) => (isBitTable(p) ? 1 : registerCount(p));

/** Raw values a type can hold (float ranges are far beyond any sensor). */
const RAW_RANGE: Record<string, [number, number]> = {
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
  float32: [-3.4e38, 3.4e38],
  float64: [-Number.MAX_VALUE, Number.MAX_VALUE],
};

/**
 * A point's value from its wire bytes, following the README's byte-order table rather than the sdk
 * codec: CDAB/DCBA put the low register first, BADC/DCBA swap the bytes of each register. Strings keep
 * their register order (first character in the high byte unless byte-swapped); bits are numbered in
 * the register as sent.
 */
function referenceDecode(wire: Buffer, p: ModbusPoint): Value {
  if (isBitTable(p)) return (wire[0]! & 1) === 1;
  if (p.type === 'bool') return wire.readUInt16BE(0) !== 0;
  if (p.type === 'bit') return ((wire.readUInt16BE(0) >> (p.bit ?? 0)) & 1) === 1;
  const registers: number[][] = [];
  for (let i = 0; i < wire.length; i += 2) registers.push([wire[i]!, wire[i + 1]!]);
  const byteSwap = p.byteOrder === 'BADC' || p.byteOrder === 'DCBA';
  if (byteSwap) registers.forEach((r) => r.reverse());
  if (p.type === 'string') return Buffer.from(registers.flat()).toString('latin1').replace(/[\0 ]+$/, '');
  if (p.byteOrder === 'CDAB' || p.byteOrder === 'DCBA') registers.reverse();
  const be = Buffer.from(registers.flat());
  switch (p.type) {
    case 'int16':
      return be.readInt16BE(0);
    case 'uint16':
      return be.readUInt16BE(0);
    case 'int32':
      return be.readInt32BE(0);
    case 'uint32':
      return be.readUInt32BE(0);
    case 'float32':
      return be.readFloatBE(0);
    case 'float64':
      return be.readDoubleBE(0);
    default:
      return Number(p.type.startsWith('u') ? be.readBigUInt64BE(0) : be.readBigInt64BE(0));
  }
}

/** How far a published value may sit from the simulated one: register rounding, then `decimals`. */
function tolerance(p: ModbusPoint, value: number): number {
  const quantum = INTEGER_TYPES.has(p.type) ? Math.abs(p.scale) / 2 : 0;
  const rounding = p.decimals !== undefined ? 0.5 * 10 ** -p.decimals : 0;
  return quantum + rounding + Math.abs(value) * 1e-6 + 1e-9;
}

/** The values a generator can produce within `elapsed` ms, or the one value it holds. */
function simulatedRange(gen: GeneratorSpec, elapsed: number): [number, number] | Value | undefined {
  const sorted = (a: number, b: number): [number, number] => [Math.min(a, b), Math.max(a, b)];
  switch (gen.kind) {
    case 'constant':
      return typeof gen.value === 'number' ? [gen.value, gen.value] : gen.value;
    case 'sine':
    case 'randomWalk':
      return sorted(gen.min, gen.max);
    case 'ramp':
      return sorted(gen.from, gen.to);
    case 'counter':
      return sorted(gen.start, gen.start + gen.step * Math.floor(elapsed / gen.interval));
    case 'csv':
      return undefined;
  }
}

describe('shipped profiles', () => {
  const folder = modbus.profiles!;
  const files = readdirSync(folder).filter((f) => f.endsWith('.yaml'));
  const sims: ModbusSimulator[] = [];
  after(async () => {
    for (const s of sims) await s.close();
  });

  it('ships the profiles whose reads this test knows', () => {
    assert.deepEqual(files.map((f) => f.replace(/\.yaml$/, '')).sort(), Object.keys(PLANS).sort());
  });

  for (const file of files) {
    const name = file.replace(/\.yaml$/, '');
    const path = join(folder, file);

    it(`${name}: is valid for the gateway and the simulator, and names itself after its file`, () => {
      const doc = gatewayProfileSchema.parse(parse(readFileSync(path, 'utf8')));
      assert.equal(doc.name, name);
      assert.equal(loadProfile(path).name, name);
      assert.ok(doc.description, 'the profile says what device it describes');
      assert.deepEqual(doc.points.filter((p) => !p.name).map((p) => p.id), [], 'every point has a human-readable name');
      const simulated = Object.keys(doc.simulate ?? {});
      assert.deepEqual(simulated.filter((id) => !doc.points.some((p) => p.id === id)), [], 'simulate entries name existing points');
    });

    it(`${name}: gives every number a unit, or says how to read it`, () => {
      const { points } = loadProfile(path);
      const unexplained = points.filter((p) => NUMERIC_TYPES.has(p.type) && !p.unit && !p.description).map((p) => p.id);
      assert.deepEqual(unexplained, [], 'numbers without a unit (codes, counts, settings) need a description');
      const noisy = points.filter((p) => INTEGER_TYPES.has(p.type) && !Number.isInteger(p.scale) && p.decimals === undefined).map((p) => p.id);
      assert.deepEqual(noisy, [], 'scaled integers need `decimals`, or they publish float noise such as 7.199999');
      // The library's convention for the serial settings most RS-485 sensors keep in registers.
      for (const p of points.filter((q) => q.id === 'slaveAddress' || q.id === 'baudRate')) {
        assert.ok(p.writable && p.description && p.pollInterval, `${p.id}: writable, explained, and read at its own slow rate`);
      }
    });

    it(`${name}: simulates moving values that its encoding can carry`, () => {
      const { points, simulate } = loadProfile(path);
      assert.ok(Object.values(simulate).some((g) => g.kind !== 'constant'), 'at least one value moves');
      const day = 24 * 3600_000;
      for (const p of points) {
        const gen = simulate[p.id];
        if (!gen) {
          assert.ok(p.type === 'bool' || p.type === 'bit', `${p.id}: only flags may be left at their default (false)`);
          continue;
        }
        const range = simulatedRange(gen, day);
        if (!Array.isArray(range) || !NUMERIC_TYPES.has(p.type)) continue;
        const [rawLo, rawHi] = RAW_RANGE[p.type]!;
        const a = rawLo * p.scale + p.offset;
        const b = rawHi * p.scale + p.offset;
        const [lo, hi] = [Math.min(a, b), Math.max(a, b)];
        assert.ok(range[0] >= lo && range[1] <= hi, `${p.id}: simulated ${range[0]}..${range[1]} (over a day) does not fit ${p.type} x${p.scale} (${lo}..${hi})`);
      }
    });

    it(`${name}: reads what the simulator serves, in the planned requests, inside the simulated ranges`, async () => {
      const profile = loadProfile(path);
      const started = Date.now();
      const sim = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile }] });
      sims.push(sim);
      // Pin every value where it is now, so the wire bytes, the driver's reading and the range check see one moment.
      for (const p of profile.points) sim.set(1, p.id, sim.value(1, p.id));
      const elapsed = Date.now() - started;

      const instance = modbus.create(createTestContext());
      const device = modbusDevice({ id: name, connection: { host: '127.0.0.1', port: sim.port }, points: profilePoints(path) });
      await instance.addDevice(device);
      try {
        const result = await poll(instance, device);
        assert.deepEqual(result.plan!.describe(), PLANS[name]);
        assert.deepEqual(badStatuses(result), {});
        const values = engineering(device, result);
        for (const p of profile.points) {
          const raw = result.points.find((r) => r.id === p.id)!.value;
          const wire = sim.readRegisters(1, p.table, p.address, registerWidth(p));
          assert.deepEqual(raw, referenceDecode(wire, p), `${p.id}: the driver decodes ${p.type} ${p.byteOrder} as the wire bytes say`);

          const value = values[p.id]!;
          const gen = profile.simulate[p.id];
          const expected = gen ? simulatedRange(gen, elapsed) : false;
          if (Array.isArray(expected)) {
            assert.equal(typeof value, 'number', p.id);
            const tol = tolerance(p, value as number);
            assert.ok(
              (value as number) >= expected[0] - tol && (value as number) <= expected[1] + tol,
              `${p.id}: read ${String(value)} ${p.unit ?? ''}, simulated ${expected[0]}..${expected[1]}`,
            );
            assert.ok(Math.abs((value as number) - (sim.value(1, p.id) as number)) <= tol, `${p.id}: read ${String(value)}, served ${String(sim.value(1, p.id))}`);
          } else if (expected !== undefined) {
            assert.deepEqual(value, expected, p.id);
          }
        }
      } finally {
        await instance.stop();
      }
    });

    it(`${name}: its settings can be written and read back`, async (t) => {
      const profile = loadProfile(path);
      const settings = profile.points.filter((p) => p.writable);
      if (settings.length === 0) return t.skip('no writable points');
      const sim = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile }] });
      sims.push(sim);
      const instance = modbus.create(createTestContext());
      const device = modbusDevice({ id: name, connection: { host: '127.0.0.1', port: sim.port }, points: profilePoints(path) });
      await instance.addDevice(device);
      try {
        const written: Record<string, Value> = {};
        for (const p of settings) {
          const now = sim.value(1, p.id);
          const next = typeof now === 'boolean' ? !now : Math.round(((now as number) + 1) * 1000) / 1000;
          await instance.write!(device, device.points.find((d) => d.id === p.id)!, next);
          written[p.id] = next;
        }
        const values = engineering(device, await poll(instance, device));
        for (const [id, v] of Object.entries(written)) assert.deepEqual(values[id], v, id);
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
