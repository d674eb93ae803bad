/**
 * Decoding and encoding of register-based values (Modbus and friends).
 *
 * Registers are 16 bits, sent big-endian on the wire. Multi-register values are laid out by
 * devices in one of four orders, named by the position of the bytes of a 32-bit value
 * `0xAABBCCDD` as they appear on the wire:
 *
 * | byteOrder | 32-bit wire bytes | meaning                                  | 64-bit wire bytes |
 * |-----------|-------------------|------------------------------------------|-------------------|
 * | `ABCD`    | AA BB CC DD       | big-endian (the Modbus convention)        | ABCDEFGH          |
 * | `CDAB`    | CC DD AA BB       | word swap: low register first             | GHEFCDAB          |
 * | `BADC`    | BB AA DD CC       | byte swap inside each register            | BADCFEHG          |
 * | `DCBA`    | DD CC BB AA       | little-endian                             | HGFEDCBA          |
 *
 * 16-bit types use `ABCD`/`CDAB` as-is and `BADC`/`DCBA` as a byte swap. Strings put two
 * characters in each register, first character in the high byte (`ABCD`/`CDAB`) or the low byte
 * (`BADC`/`DCBA`), and are trimmed of trailing NUL and space characters.
 */
import { SensegateError } from './errors.js';
import type { Value } from './reading.js';

export const DATA_TYPES = [
  'bool',
  'bit',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float32',
  'float64',
  'string',
] as const;
export type DataType = (typeof DATA_TYPES)[number];

export const BYTE_ORDERS = ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const;
export type ByteOrder = (typeof BYTE_ORDERS)[number];

export interface RegisterValueSpec {
  type: DataType;
  /** Default `ABCD`. */
  byteOrder?: ByteOrder;
  /** For `bit`: the bit within the register, 0 = least significant. */
  bit?: number;
  /** For `string`: the number of registers (two characters each). */
  length?: number;
}

/** How many 16-bit registers a value of this spec occupies. */
export function registerCount(spec: RegisterValueSpec): number {
  switch (spec.type) {
    case 'bool':
    case 'bit':
    case 'int16':
    case 'uint16':
      return 1;
    case 'int32':
    case 'uint32':
    case 'float32':
      return 2;
    case 'int64':
    case 'uint64':
    case 'float64':
      return 4;
    case 'string':
      if (!spec.length || spec.length < 1) {
        throw new SensegateError('SG_DECODE_ERROR', 'a string value needs `length` (registers) of at least 1');
      }
      return spec.length;
  }
}

/** A compiled decoder: reads one value from register bytes (wire order) at a byte offset. */
export type RegisterDecoder = (registers: Buffer, byteOffset: number) => Value;

const swapWords = (order: ByteOrder) => order === 'CDAB' || order === 'DCBA';
const swapBytes = (order: ByteOrder) => order === 'BADC' || order === 'DCBA';

/**
 * Copies `bytes` bytes at `offset` into `scratch`, rearranged to big-endian (ABCD) order.
 * Word swap reverses the register order; byte swap exchanges the two bytes of each register.
 */
function normalizeInto(scratch: Buffer, src: Buffer, offset: number, bytes: number, order: ByteOrder): Buffer {
  const words = bytes >> 1;
  const wswap = swapWords(order);
  const bswap = swapBytes(order);
  for (let w = 0; w < words; w++) {
    const from = offset + (wswap ? (words - 1 - w) * 2 : w * 2);
    const hi = src[from]!;
    const lo = src[from + 1]!;
    scratch[w * 2] = bswap ? lo : hi;
    scratch[w * 2 + 1] = bswap ? hi : lo;
  }
  return scratch;
}

function bigToValue(v: bigint): Value {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

/** Builds a decoder once per point so the poll path does no spec inspection. */
export function compileDecoder(spec: RegisterValueSpec): RegisterDecoder {
  const order: ByteOrder = spec.byteOrder ?? 'ABCD';
  const scratch = Buffer.alloc(8);
  const direct = order === 'ABCD';
  switch (spec.type) {
    case 'bool':
      return (r, o) => r.readUInt16BE(o) !== 0;
    case 'bit': {
      const bit = spec.bit ?? 0;
      if (!Number.isInteger(bit) || bit < 0 || bit > 15) {
        throw new SensegateError('SG_DECODE_ERROR', `bit must be an integer from 0 to 15, got ${String(spec.bit)}`);
      }
      const mask = 1 << bit;
      return (r, o) => (r.readUInt16BE(o) & mask) !== 0;
    }
    case 'int16':
      return swapBytes(order) ? (r, o) => r.readInt16LE(o) : (r, o) => r.readInt16BE(o);
    case 'uint16':
      return swapBytes(order) ? (r, o) => r.readUInt16LE(o) : (r, o) => r.readUInt16BE(o);
    case 'int32':
      if (direct) return (r, o) => r.readInt32BE(o);
      if (order === 'DCBA') return (r, o) => r.readInt32LE(o);
      return (r, o) => normalizeInto(scratch, r, o, 4, order).readInt32BE(0);
    case 'uint32':
      if (direct) return (r, o) => r.readUInt32BE(o);
      if (order === 'DCBA') return (r, o) => r.readUInt32LE(o);
      return (r, o) => normalizeInto(scratch, r, o, 4, order).readUInt32BE(0);
    case 'float32':
      if (direct) return (r, o) => r.readFloatBE(o);
      if (order === 'DCBA') return (r, o) => r.readFloatLE(o);
      return (r, o) => normalizeInto(scratch, r, o, 4, order).readFloatBE(0);
    case 'int64':
      if (direct) return (r, o) => bigToValue(r.readBigInt64BE(o));
      if (order === 'DCBA') return (r, o) => bigToValue(r.readBigInt64LE(o));
      return (r, o) => bigToValue(normalizeInto(scratch, r, o, 8, order).readBigInt64BE(0));
    case 'uint64':
      if (direct) return (r, o) => bigToValue(r.readBigUInt64BE(o));
      if (order === 'DCBA') return (r, o) => bigToValue(r.readBigUInt64LE(o));
      return (r, o) => bigToValue(normalizeInto(scratch, r, o, 8, order).readBigUInt64BE(0));
    case 'float64':
      if (direct) return (r, o) => r.readDoubleBE(o);
      if (order === 'DCBA') return (r, o) => r.readDoubleLE(o);
      return (r, o) => normalizeInto(scratch, r, o, 8, order).readDoubleBE(0);
    case 'string': {
      const bytes = registerCount(spec) * 2;
      const bswap = swapBytes(order);
      const wswap = swapWords(order);
      return (r, o) => {
        const text = Buffer.allocUnsafe(bytes);
        const words = bytes >> 1;
        for (let w = 0; w < words; w++) {
          const from = o + (wswap ? (words - 1 - w) * 2 : w * 2);
          text[w * 2] = bswap ? r[from + 1]! : r[from]!;
          text[w * 2 + 1] = bswap ? r[from]! : r[from + 1]!;
        }
        return text.toString('latin1').replace(/[\0 ]+$/, '');
      };
    }
  }
}

/** Decodes one value; for repeated decoding compile once with `compileDecoder`. */
export function decodeRegisters(registers: Buffer, byteOffset: number, spec: RegisterValueSpec): Value {
  const needed = registerCount(spec) * 2;
  if (byteOffset < 0 || byteOffset + needed > registers.length) {
    throw new SensegateError(
      'SG_DECODE_ERROR',
      `${spec.type} needs ${needed} bytes at offset ${byteOffset}, but only ${registers.length} bytes were received`,
    );
  }
  return compileDecoder(spec)(registers, byteOffset);
}

function integerIn(value: Value, min: bigint, max: bigint, type: DataType): bigint {
  let big: bigint;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new SensegateError('SG_WRITE_REJECTED', `${type} needs an integer, got ${value}`);
    big = BigInt(value);
  } else if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) {
    big = BigInt(value.trim());
  } else if (typeof value === 'boolean') {
    big = value ? 1n : 0n;
  } else {
    throw new SensegateError('SG_WRITE_REJECTED', `${type} needs an integer, got ${JSON.stringify(value)}`);
  }
  if (big < min || big > max) {
    throw new SensegateError('SG_WRITE_REJECTED', `${String(value)} is out of range for ${type} (${min}..${max})`);
  }
  return big;
}

function numberOf(value: Value, type: DataType): number {
  const n = typeof value === 'string' ? Number(value) : typeof value === 'boolean' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new SensegateError('SG_WRITE_REJECTED', `${type} needs a finite number, got ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * Encodes a value into register bytes in wire order, the inverse of `compileDecoder`.
 * `bit` cannot be encoded alone (it needs the rest of the register): read-modify-write it.
 */
export function encodeRegisters(value: Value, spec: RegisterValueSpec): Buffer {
  const order: ByteOrder = spec.byteOrder ?? 'ABCD';
  const count = registerCount(spec);
  const be = Buffer.alloc(count * 2);
  switch (spec.type) {
    case 'bool':
      be.writeUInt16BE(value === true || value === 1 || value === 'true' ? 1 : 0, 0);
      break;
    case 'bit':
      throw new SensegateError('SG_NOT_SUPPORTED', 'a single bit of a register is written with read-modify-write, not encoded alone');
    case 'int16':
      be.writeInt16BE(Number(integerIn(value, -32768n, 32767n, spec.type)), 0);
      break;
    case 'uint16':
      be.writeUInt16BE(Number(integerIn(value, 0n, 65535n, spec.type)), 0);
      break;
    case 'int32':
      be.writeInt32BE(Number(integerIn(value, -(2n ** 31n), 2n ** 31n - 1n, spec.type)), 0);
      break;
    case 'uint32':
      be.writeUInt32BE(Number(integerIn(value, 0n, 2n ** 32n - 1n, spec.type)), 0);
      break;
    case 'int64':
      be.writeBigInt64BE(integerIn(value, -(2n ** 63n), 2n ** 63n - 1n, spec.type), 0);
      break;
    case 'uint64':
      be.writeBigUInt64BE(integerIn(value, 0n, 2n ** 64n - 1n, spec.type), 0);
      break;
    case 'float32':
      be.writeFloatBE(numberOf(value, spec.type), 0);
      break;
    case 'float64':
      be.writeDoubleBE(numberOf(value, spec.type), 0);
      break;
    case 'string': {
      const text = Buffer.from(String(value ?? ''), 'latin1');
      if (text.length > be.length) {
        throw new SensegateError('SG_WRITE_REJECTED', `string of ${text.length} characters does not fit ${count} registers`);
      }
      text.copy(be);
      break;
    }
  }
  if (order === 'ABCD' || count === 1 && order === 'CDAB') return be;
  // Reordering is its own inverse for every order, so the decoder's normalization applies.
  return normalizeInto(Buffer.alloc(be.length), be, 0, be.length, order);
}

/** Reads bit `index` of a packed coil/discrete-input response (LSB first, as Modbus packs them). */
export function readPackedBit(bytes: Buffer, index: number): boolean {
  return (bytes[index >> 3]! & (1 << (index & 7))) !== 0;
}
