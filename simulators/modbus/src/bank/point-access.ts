/**
 * Reading and writing one point's ENGINEERING value in a unit's tables. Storing applies the
 * inverse of the gateway's scaling, raw = (value - offset) / scale (rounded for integer types),
 * and encodes raw exactly as the sdk's `encodeRegisters` would, but straight into the table:
 * a generator updating thousands of points per tick allocates nothing.
 */
import { compileDecoder, registerCount, SensegateError, type Value } from '@sensegate/sdk';
import { isBitTable, type ModbusPoint } from '../profile/schema.js';
import type { BitTable } from './bit-table.js';
import type { RegisterTable } from './register-table.js';

export interface UnitTables {
  holding: RegisterTable;
  input: RegisterTable;
  coil: BitTable;
  discrete: BitTable;
}

export interface PointAccess {
  readonly point: ModbusPoint;
  /** The engineering value the tables hold now (what the gateway would read). */
  read(): Value;
  /** Stores an engineering value; out-of-range numbers are clamped to the type, long text cut. */
  write(value: Value): void;
  /** Throws SG_WRITE_REJECTED when `value` cannot be stored as given (used when a value is pinned). */
  check(value: Value): void;
}

// Big-endian staging area for one value; the longest is a 125-register string.
const scratch = Buffer.alloc(256);

const INT_RANGE: Partial<Record<ModbusPoint['type'], [number, number]>> = {
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};
const BIG_RANGE: Partial<Record<ModbusPoint['type'], [bigint, bigint]>> = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

export const truthy = (v: Value): boolean =>
  v === true || (typeof v === 'number' && v !== 0) || (typeof v === 'string' && /^\s*(true|1|on)\s*$/i.test(v));

function toNumber(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const n = Number(v);
    if (v.trim() !== '' && Number.isFinite(n)) return n;
    if (/^\s*true\s*$/i.test(v)) return 1;
    if (/^\s*false\s*$/i.test(v)) return 0;
  }
  return Number.NaN;
}

const clamp = (n: number, lo: number, hi: number) => (n < lo ? lo : n > hi ? hi : n);

/** Copies `words` registers from the big-endian scratch into the table in the point's byte order. */
function placeWords(dst: Buffer, at: number, words: number, wswap: boolean, bswap: boolean): void {
  for (let w = 0; w < words; w++) {
    const from = wswap ? (words - 1 - w) * 2 : w * 2;
    dst[at + w * 2] = bswap ? scratch[from + 1]! : scratch[from]!;
    dst[at + w * 2 + 1] = bswap ? scratch[from]! : scratch[from + 1]!;
  }
}

export function compilePointAccess(point: ModbusPoint, tables: UnitTables): PointAccess {
  const { scale, offset, decimals, type } = point;
  if (isBitTable(point.table)) {
    const bits = point.table === 'coil' ? tables.coil : tables.discrete;
    const address = point.address;
    return {
      point,
      read: () => bits.get(address),
      write: (v) => bits.set(address, truthy(v)),
      check: (v) => checkBool(point, v),
    };
  }

  const table = point.table === 'input' ? tables.input : tables.holding;
  const bytes = table.bytes;
  const at = point.address * 2;
  const words = registerCount(point);
  const order = point.byteOrder ?? 'ABCD';
  const wswap = order === 'CDAB' || order === 'DCBA';
  const bswap = order === 'BADC' || order === 'DCBA';
  const decode = compileDecoder(point);
  const factor = decimals === undefined ? 0 : 10 ** decimals;
  const scaled = scale !== 1 || offset !== 0;

  const read = (): Value => {
    const raw = decode(bytes, at);
    if (typeof raw === 'number') {
      const v = raw * scale + offset;
      return factor ? Math.round(v * factor) / factor : v;
    }
    if (typeof raw === 'string' && BIG_RANGE[type] && scaled) return Number(raw) * scale + offset;
    return raw;
  };

  const rawOf = (v: Value) => (toNumber(v) - offset) / scale;

  switch (type) {
    case 'bool':
      return { point, read, write: (v) => bytes.writeUInt16BE(truthy(v) ? 1 : 0, at), check: (v) => checkBool(point, v) };
    case 'bit': {
      const mask = 1 << (point.bit ?? 0);
      return {
        point,
        read,
        write: (v) => bytes.writeUInt16BE(truthy(v) ? bytes.readUInt16BE(at) | mask : bytes.readUInt16BE(at) & ~mask, at),
        check: (v) => checkBool(point, v),
      };
    }
    case 'string': {
      const width = words * 2;
      return {
        point,
        read,
        write: (v) => {
          scratch.fill(0, 0, width);
          scratch.write(String(v ?? ''), 0, width, 'latin1');
          placeWords(bytes, at, words, wswap, bswap);
        },
        check: (v) => {
          if (typeof v !== 'string' && typeof v !== 'number') reject(point, v, 'text');
          if (Buffer.byteLength(String(v), 'latin1') > width) reject(point, v, `text of at most ${width} characters`);
        },
      };
    }
    case 'float32':
    case 'float64': {
      const put = type === 'float32' ? (n: number) => scratch.writeFloatBE(n, 0) : (n: number) => scratch.writeDoubleBE(n, 0);
      return {
        point,
        read,
        write: (v) => {
          const raw = rawOf(v);
          if (Number.isNaN(raw)) return;
          put(raw);
          placeWords(bytes, at, words, wswap, bswap);
        },
        check: (v) => {
          if (!Number.isFinite(rawOf(v))) reject(point, v, 'a finite number');
        },
      };
    }
    case 'int64':
    case 'uint64': {
      const [lo, hi] = BIG_RANGE[type]!;
      const rawBig = (v: Value): bigint | undefined => {
        if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) && !scaled) return BigInt(v.trim());
        const raw = rawOf(v);
        return Number.isFinite(raw) ? BigInt(Math.round(raw)) : undefined;
      };
      const put = type === 'int64' ? (b: bigint) => scratch.writeBigInt64BE(b, 0) : (b: bigint) => scratch.writeBigUInt64BE(b, 0);
      return {
        point,
        read,
        write: (v) => {
          const b = rawBig(v);
          if (b === undefined) return;
          put(b < lo ? lo : b > hi ? hi : b);
          placeWords(bytes, at, words, wswap, bswap);
        },
        check: (v) => {
          const b = rawBig(v);
          if (b === undefined || b < lo || b > hi) reject(point, v, `a ${type} (raw ${lo}..${hi})`);
        },
      };
    }
    default: {
      const [lo, hi] = INT_RANGE[type]!;
      const put =
        type === 'int16'
          ? (n: number) => scratch.writeInt16BE(n, 0)
          : type === 'uint16'
            ? (n: number) => scratch.writeUInt16BE(n, 0)
            : type === 'int32'
              ? (n: number) => scratch.writeInt32BE(n, 0)
              : (n: number) => scratch.writeUInt32BE(n, 0);
      return {
        point,
        read,
        write: (v) => {
          const raw = rawOf(v);
          if (Number.isNaN(raw)) return;
          put(clamp(Math.round(raw), lo, hi));
          placeWords(bytes, at, words, wswap, bswap);
        },
        check: (v) => {
          const raw = Math.round(rawOf(v));
          if (!Number.isFinite(raw) || raw < lo || raw > hi) reject(point, v, `a value whose raw ${type} is within ${lo}..${hi}`);
        },
      };
    }
  }
}

function checkBool(point: ModbusPoint, v: Value): void {
  if (typeof v === 'boolean' || typeof v === 'number') return;
  if (typeof v === 'string' && /^\s*(true|false|1|0|on|off)\s*$/i.test(v)) return;
  reject(point, v, 'true or false');
}

function reject(point: ModbusPoint, v: Value, expected: string): never {
  throw new SensegateError('SG_WRITE_REJECTED', `point "${point.id}" (${point.type}) needs ${expected}, got ${JSON.stringify(v)}`, {
    point: point.id,
  });
}
