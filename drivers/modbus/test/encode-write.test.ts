// An operator sends an engineering value to a setpoint; the driver turns it back into what the
// register holds (inverting scale and offset, rounding integers) or refuses it with the reason.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeWrite, rawValue } from '../src/index.js';
import { modbusDevice } from './support/harness.js';

function point(spec: Record<string, unknown>) {
  return modbusDevice({ id: 'station', connection: { host: 'plc' }, points: [{ id: 'p', address: 100, writable: true, ...spec }] }).points[0]!;
}

describe('engineering value to registers', () => {
  it('inverts scale and offset, rounding for integer types', () => {
    assert.equal(rawValue(21.5, { table: 'holding', type: 'int16', scale: 0.1, offset: 0 }), 215);
    assert.equal(rawValue(2.5, { table: 'holding', type: 'uint16', scale: 0.01, offset: -5 }), 750);
    assert.equal(rawValue(7.25, { table: 'holding', type: 'float32', scale: 0.5, offset: 1 }), 12.5);
    assert.equal(rawValue('18446744073709551615', { table: 'holding', type: 'uint64', scale: 1, offset: 0 }), '18446744073709551615');
    assert.equal(rawValue('42', { table: 'holding', type: 'int16', scale: 1, offset: 0 }), 42);
  });

  it('encodes registers in the point\'s byte order and picks the request kind', () => {
    assert.deepEqual(encodeWrite('station', point({ type: 'int16', scale: 0.1 }), 21.5), { kind: 'registers', address: 100, registers: Buffer.from([0x00, 0xd7]) });
    const float = encodeWrite('station', point({ type: 'float32', byteOrder: 'CDAB' }), 1);
    assert.deepEqual(float, { kind: 'registers', address: 100, registers: Buffer.from([0x00, 0x00, 0x3f, 0x80]) });
    assert.deepEqual(encodeWrite('station', point({ table: 'coil' }), 1), { kind: 'coil', address: 100, state: true });
    assert.deepEqual(encodeWrite('station', point({ type: 'bit', bit: 3 }), 'false'), { kind: 'bit', address: 100, bit: 3, state: false });
  });

  it('refuses values that do not fit, naming the point and the device', () => {
    const refuses = (spec: Record<string, unknown>, value: Parameters<typeof encodeWrite>[2], pattern: RegExp) =>
      assert.throws(() => encodeWrite('station', point(spec), value), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'SG_WRITE_REJECTED');
        assert.match(err.message, /^point "p" of device "station": /);
        assert.match(err.message, pattern);
        return true;
      });
    refuses({ type: 'uint16' }, -1, /out of range for uint16/);
    refuses({ type: 'int16', scale: 0.1 }, 5000, /5000 \(raw 50000\): .*out of range for int16/);
    refuses({ type: 'uint16' }, 1.5, /needs an integer/);
    refuses({ type: 'float32' }, 1e39, /out of range for float32/);
    refuses({ type: 'float32' }, 'warm', /needs a finite number/);
    refuses({ table: 'coil' }, 2, /takes true or false/);
    refuses({ table: 'input' }, 1, /input registers are read-only/);
    refuses({ table: 'discrete' }, true, /discrete inputs are read-only/);
    refuses({ writable: false }, 1, /not writable/);
  });
});
