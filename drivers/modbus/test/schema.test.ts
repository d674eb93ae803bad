// A field engineer writes a device's `connection` block and points in YAML; the driver's schemas
// fill the defaults, reject what cannot work with a message that says why, and document every field.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { checkDefinition } from '@sensegate/sdk/testing';
import modbus, { connectionSchema, VERSION } from '../src/index.js';
import { devicePointSchema } from './support/harness.js';

function problems(input: unknown): string[] {
  const result = connectionSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('connection schema', () => {
  it('fills the defaults of a TCP device from its host alone', () => {
    assert.deepEqual(connectionSchema.parse({ host: '10.0.0.5' }), {
      transport: 'tcp',
      host: '10.0.0.5',
      port: 502,
      unitId: 1,
      maxGap: 8,
      maxBitGap: 128,
      maxRegisters: 125,
      maxBits: 2000,
      maxConcurrentRequests: 8,
      workarounds: { pauseBetweenRequests: 0, onePointPerRequest: false, writeMultiple: false },
    });
  });

  it('accepts an RTU device on a serial port with its line settings', () => {
    const c = connectionSchema.parse({ transport: 'rtu', path: '/dev/ttyUSB0', baudRate: 19200, parity: 'even', unitId: 12 });
    assert.equal(c.path, '/dev/ttyUSB0');
    assert.equal(c.baudRate, 19200);
    assert.equal(c.parity, 'even');
  });

  it('parses workaround durations', () => {
    assert.equal(connectionSchema.parse({ host: 'x', workarounds: { pauseBetweenRequests: '20ms' } }).workarounds.pauseBetweenRequests, 20);
  });

  it('says what a transport is missing or does not take', () => {
    assert.deepEqual(problems({ transport: 'rtu' }), ['path: transport rtu needs `path`, the serial device (e.g. /dev/ttyUSB0)']);
    assert.deepEqual(problems({ port: 502 }), ['host: transport tcp needs `host`']);
    assert.deepEqual(problems({ host: 'plc', baudRate: 9600 }), ['baudRate: `baudRate` is a serial line setting (transport rtu); set it on the serial server for tcp']);
    assert.deepEqual(problems({ transport: 'rtu', path: '/dev/ttyS0', host: 'x' }), [
      'host: transport rtu reads a local serial port: remove `host`, or use transport rtu-over-tcp for a serial server',
    ]);
    assert.deepEqual(problems({ host: 'x', path: '/dev/ttyS0' }), ["path: `path` is for transport rtu (a local serial port); this device's transport is tcp"]);
  });

  it('keeps unit ids of serial buses to 1..247 and lets TCP use 0 and 255', () => {
    assert.deepEqual(problems({ transport: 'rtu-over-tcp', host: 'gw', unitId: 0 }), ['unitId: behind a serial server unit ids are 1..247 (0 is broadcast), got 0']);
    assert.deepEqual(problems({ transport: 'rtu', path: '/dev/ttyS0', unitId: 250 }), ['unitId: on a serial bus unit ids are 1..247 (0 is broadcast), got 250']);
    assert.deepEqual(problems({ host: 'plc', unitId: 255 }), []);
  });

  it('rejects limits beyond the protocol and unknown keys', () => {
    assert.ok(problems({ host: 'x', maxRegisters: 126 }).some((p) => p.startsWith('maxRegisters')));
    assert.ok(problems({ host: 'x', maxBits: 2001 }).some((p) => p.startsWith('maxBits')));
    assert.ok(problems({ host: 'x', unitid: 3 }).some((p) => p.includes('unitid')));
    assert.ok(problems({ host: 'x', workarounds: { pause: 5 } }).some((p) => p.includes('pause')));
  });
});

describe('point schema', () => {
  it('defaults a point to a uint16 holding register, big-endian', () => {
    const p = devicePointSchema.parse({ id: 'level', address: 3 });
    assert.equal(p.table, 'holding');
    assert.equal(p.type, undefined, 'the type default depends on the table (resolved by the planner)');
    assert.equal(p.byteOrder, 'ABCD');
  });

  it('rejects addresses outside 0..65535 and unknown keys', () => {
    assert.equal(devicePointSchema.safeParse({ id: 'a', address: 65536 }).success, false);
    assert.equal(devicePointSchema.safeParse({ id: 'a', address: -1 }).success, false);
    assert.equal(devicePointSchema.safeParse({ id: 'a', address: 1, register: 4 }).success, false);
  });
});

describe('driver definition', () => {
  it('passes the SDK conformance checks of its definition (every field described)', () => {
    assert.deepEqual(checkDefinition(modbus), []);
  });

  it('ships its profiles folder and states the package version', () => {
    assert.match(modbus.profiles!, /drivers\/modbus\/profiles$/);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(VERSION, pkg.version);
    assert.equal(modbus.version, pkg.version);
  });
});
