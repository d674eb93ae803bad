// The SDK's CRCs give, byte for byte, what the drivers' and simulators' own copies gave before they
// moved here (Modbus driver and simulator, SL 651, HJ 212): the vectors below were computed with
// those copies, and the bit-by-bit definitions check the rest.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc16Hj212, crc16Modbus } from '../src/index.js';
import { seededRandom } from '../src/simulate/random.js';

/** name, bytes (hex), CRC-16/MODBUS, HJ 212 CRC: as the copies computed them. */
const VECTORS: Array<[string, string, number, number]> = [
  ['empty', '', 0xffff, 0xffff],
  ['check', '313233343536373839', 0x4b37, 0x2f80],
  ['rtu read', '01030000000a', 0xcdc5, 0xdc41],
  ['one zero', '00', 0x40bf, 0x4040],
  ['one ff', 'ff', 0x00ff, 0x0000],
  ['all bytes', Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString('hex'), 0xde6c, 0xff01],
  ['hj212 standard', Buffer.from('QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&').toString('hex'), 0x0759, 0x1c80],
  ['sl651 frame', '7e7e0100123456781234320026020001250101080000f1f1001234567848f0f02501010800392300012345380812600003', 0xb255, 0x9601],
];

/** CRC-16/MODBUS bit by bit, as the Modbus specification describes it. */
function modbusBitwise(bytes: Uint8Array): number {
  let reg = 0xffff;
  for (const byte of bytes) {
    reg ^= byte;
    for (let bit = 0; bit < 8; bit++) reg = reg & 1 ? (reg >>> 1) ^ 0xa001 : reg >>> 1;
  }
  return reg;
}

/** The HJ 212 CRC bit by bit, as HJ 212-2017 describes it. */
function hj212Bitwise(bytes: Uint8Array): number {
  let reg = 0xffff;
  for (const byte of bytes) {
    reg = (reg >>> 8) ^ byte;
    for (let bit = 0; bit < 8; bit++) reg = reg & 1 ? (reg >>> 1) ^ 0xa001 : reg >>> 1;
  }
  return reg;
}

describe('CRC-16', () => {
  it('gives the published check values: 0x4B37 (CRC-16/MODBUS) and 0x2F80 (HJ 212) for "123456789"', () => {
    const check = Buffer.from('123456789');
    assert.equal(crc16Modbus(check), 0x4b37);
    assert.equal(crc16Hj212(check), 0x2f80);
  });

  it('gives what the protocol copies gave, for every vector', () => {
    for (const [name, hex, modbus, hj212] of VECTORS) {
      const bytes = Buffer.from(hex, 'hex');
      assert.equal(crc16Modbus(bytes), modbus, name);
      assert.equal(crc16Hj212(bytes), hj212, name);
    }
  });

  it('makes the Modbus RTU frame everyone knows: 01 03 00 00 00 0A C5 CD', () => {
    const frame = Buffer.from('01030000000a0000', 'hex');
    frame.writeUInt16LE(crc16Modbus(frame, 0, 6), 6);
    assert.equal(frame.toString('hex'), '01030000000ac5cd');
  });

  it('agrees with the bit-by-bit definitions on random data and over any range, in place', () => {
    const next = seededRandom(651);
    for (let n = 0; n < 500; n++) {
      const data = Buffer.from(Array.from({ length: Math.floor(next() * 300) }, () => Math.floor(next() * 256)));
      const from = Math.floor(next() * (data.length + 1));
      const to = from + Math.floor(next() * (data.length - from + 1));
      assert.equal(crc16Modbus(data, from, to), modbusBitwise(data.subarray(from, to)));
      assert.equal(crc16Hj212(data, from, to), hj212Bitwise(data.subarray(from, to)));
      assert.equal(crc16Modbus(data), modbusBitwise(data));
      assert.equal(crc16Hj212(data), hj212Bitwise(data));
    }
  });
});
