import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BYTE_ORDERS,
  compileDecoder,
  decodeRegisters,
  encodeRegisters,
  readPackedBit,
  registerCount,
  SensegateError,
  type ByteOrder,
  type DataType,
} from '@sensegate/sdk';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('register codecs', () => {
  // 0x41200000 is 10.0 as float32; each row is how a device in that byte order sends it.
  const float10: Record<ByteOrder, string> = {
    ABCD: '4120 0000',
    CDAB: '0000 4120',
    BADC: '2041 0000',
    DCBA: '0000 2041',
  };

  for (const order of BYTE_ORDERS) {
    it(`decodes float32 10.0 sent as ${order}`, () => {
      assert.equal(decodeRegisters(hex(float10[order]), 0, { type: 'float32', byteOrder: order }), 10);
    });
  }

  it('decodes 32-bit integers in all four orders', () => {
    // 0x12345678 = 305419896
    const wire: Record<ByteOrder, string> = { ABCD: '12345678', CDAB: '56781234', BADC: '34127856', DCBA: '78563412' };
    for (const order of BYTE_ORDERS) {
      assert.equal(decodeRegisters(hex(wire[order]), 0, { type: 'uint32', byteOrder: order }), 305419896, order);
    }
    assert.equal(decodeRegisters(hex('FFFF FFFE'), 0, { type: 'int32' }), -2);
    assert.equal(decodeRegisters(hex('FFFE FFFF'), 0, { type: 'int32', byteOrder: 'CDAB' }), -2);
  });

  it('decodes 64-bit values in all four orders', () => {
    // 0x0102030405060708 = 72623859790382856
    const wire: Record<ByteOrder, string> = {
      ABCD: '0102 0304 0506 0708',
      CDAB: '0708 0506 0304 0102',
      BADC: '0201 0403 0605 0807',
      DCBA: '0807 0605 0403 0201',
    };
    for (const order of BYTE_ORDERS) {
      // beyond 2^53, so it arrives as an exact decimal string
      assert.equal(decodeRegisters(hex(wire[order]), 0, { type: 'uint64', byteOrder: order }), '72623859790382856', order);
    }
    assert.equal(decodeRegisters(hex('0000 0000 0000 002A'), 0, { type: 'int64' }), 42);
    assert.equal(decodeRegisters(hex('FFFF FFFF FFFF FFFF'), 0, { type: 'int64' }), -1);
    assert.equal(decodeRegisters(hex('4024 0000 0000 0000'), 0, { type: 'float64' }), 10);
    assert.equal(decodeRegisters(hex('0000 0000 0000 2440'), 0, { type: 'float64', byteOrder: 'DCBA' }), 10);
  });

  it('decodes 16-bit values, with a byte swap for BADC/DCBA', () => {
    assert.equal(decodeRegisters(hex('FF38'), 0, { type: 'int16' }), -200);
    assert.equal(decodeRegisters(hex('38FF'), 0, { type: 'int16', byteOrder: 'BADC' }), -200);
    assert.equal(decodeRegisters(hex('FF38'), 0, { type: 'uint16' }), 65336);
    assert.equal(decodeRegisters(hex('FF38'), 0, { type: 'int16', byteOrder: 'CDAB' }), -200);
  });

  it('decodes bits and booleans', () => {
    const reg = hex('8001');
    assert.equal(decodeRegisters(reg, 0, { type: 'bit', bit: 0 }), true);
    assert.equal(decodeRegisters(reg, 0, { type: 'bit', bit: 1 }), false);
    assert.equal(decodeRegisters(reg, 0, { type: 'bit', bit: 15 }), true);
    assert.equal(decodeRegisters(hex('0000'), 0, { type: 'bool' }), false);
    assert.equal(decodeRegisters(hex('0002'), 0, { type: 'bool' }), true);
    assert.throws(() => compileDecoder({ type: 'bit', bit: 16 }), SensegateError);
  });

  it('decodes strings in both character orders and trims padding', () => {
    assert.equal(decodeRegisters(Buffer.from('SONDE-7\0\0\0', 'latin1'), 0, { type: 'string', length: 5 }), 'SONDE-7');
    assert.equal(decodeRegisters(Buffer.from('OSDN-E\x007', 'latin1'), 0, { type: 'string', length: 4, byteOrder: 'BADC' }), 'SONDE-7');
  });

  it('decodes at an offset inside a larger block', () => {
    const block = hex('0000 0000 4120 0000 0000');
    assert.equal(decodeRegisters(block, 4, { type: 'float32' }), 10);
  });

  it('refuses to read past the end of the received registers', () => {
    assert.throws(
      () => decodeRegisters(hex('4120'), 0, { type: 'float32' }),
      (err: unknown) => err instanceof SensegateError && err.code === 'SG_DECODE_ERROR' && /needs 4 bytes/.test(err.message),
    );
  });

  it('round-trips every numeric type in every byte order', () => {
    const samples: Array<[DataType, number | string]> = [
      ['int16', -12345],
      ['uint16', 54321],
      ['int32', -123456789],
      ['uint32', 3_000_000_000],
      ['int64', -9_007_199_254_740_991],
      ['uint64', '18446744073709551615'],
      ['float32', 3.5],
      ['float64', -1234.5678],
    ];
    for (const order of BYTE_ORDERS) {
      for (const [type, value] of samples) {
        const spec = { type, byteOrder: order };
        const bytes = encodeRegisters(value, spec);
        assert.equal(bytes.length, registerCount(spec) * 2);
        assert.equal(decodeRegisters(bytes, 0, spec), value, `${type} ${order}`);
      }
    }
    const text = { type: 'string' as const, length: 3, byteOrder: 'BADC' as const };
    assert.equal(decodeRegisters(encodeRegisters('pH7', text), 0, text), 'pH7');
  });

  it('rejects writes that do not fit the type', () => {
    const rejected = (fn: () => unknown) =>
      assert.throws(fn, (e: unknown) => e instanceof SensegateError && e.code === 'SG_WRITE_REJECTED');
    rejected(() => encodeRegisters(70000, { type: 'uint16' }));
    rejected(() => encodeRegisters(-1, { type: 'uint32' }));
    rejected(() => encodeRegisters(1.5, { type: 'int16' }));
    rejected(() => encodeRegisters('abc', { type: 'float32' }));
    rejected(() => encodeRegisters('too long', { type: 'string', length: 2 }));
  });

  it('reads packed coil bits LSB first', () => {
    const packed = hex('CD01'); // coils 0..8 = 1,0,1,1,0,0,1,1,1
    const bits = Array.from({ length: 9 }, (_, i) => readPackedBit(packed, i));
    assert.deepEqual(bits, [true, false, true, true, false, false, true, true, true]);
  });
});
