/**
 * What a write sends: the engineering value turned back into the raw value (the inverse of the
 * gateway's `raw * scale + offset`, rounded for integer types), encoded with the point's type and
 * byte order, and the function code that carries it. Everything that cannot be written is rejected
 * here with SG_WRITE_REJECTED before anything reaches the device.
 */
import { encodeRegisters, SensegateError, type DataType, type Value } from '@sensegate/sdk';
import { pointType, type ModbusPointFields } from '../config/point.js';
import type { ModbusPointRef } from '../config/point-checks.js';

export type WriteAction =
  /** FC5, or FC15 with one coil. */
  | { kind: 'coil'; address: number; state: boolean }
  /** FC6 for one register, FC16 for more. */
  | { kind: 'registers'; address: number; registers: Buffer }
  /** Read the register, change one bit, write it back. */
  | { kind: 'bit'; address: number; bit: number; state: boolean };

const INTEGER_TYPES = new Set<DataType>(['int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64']);
const FLOAT32_MAX = 3.4028234663852886e38;

function reject(device: string, point: string, message: string): never {
  throw new SensegateError('SG_WRITE_REJECTED', `point "${point}" of device "${device}": ${message}`, { device, point });
}

function asBoolean(value: Value): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 0 || value === 1) return value === 1;
  if (value === 'true' || value === 'false') return value === 'true';
  return undefined;
}

/** The raw value to encode for an engineering value. */
export function rawValue(value: Value, spec: Pick<ModbusPointFields, 'table' | 'type'> & { scale: number; offset: number }): Value {
  const type = pointType(spec);
  if (type === 'string' || type === 'bool' || type === 'bit') return value;
  const identity = spec.scale === 1 && spec.offset === 0;
  let v: Value = value;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) && !(identity && (type === 'int64' || type === 'uint64'))) v = Number(v);
  if (typeof v !== 'number' || identity) return v;
  const raw = (v - spec.offset) / spec.scale;
  return INTEGER_TYPES.has(type) ? Math.round(raw) : raw;
}

export function encodeWrite(device: string, point: ModbusPointRef, value: Value): WriteAction {
  const spec = point.spec;
  const type = pointType(spec);
  if (!spec.writable) reject(device, point.id, 'the point is not writable (set `writable: true` in its definition)');
  if (spec.table === 'input' || spec.table === 'discrete') {
    reject(device, point.id, `${spec.table === 'input' ? 'input registers' : 'discrete inputs'} are read-only in Modbus`);
  }
  if (value === null) reject(device, point.id, 'no value given');

  if (spec.table === 'coil' || type === 'bit') {
    const state = asBoolean(value);
    if (state === undefined) reject(device, point.id, `a ${type === 'bit' ? 'bit' : 'coil'} takes true or false, got ${JSON.stringify(value)}`);
    return spec.table === 'coil' ? { kind: 'coil', address: spec.address, state } : { kind: 'bit', address: spec.address, bit: spec.bit ?? 0, state };
  }

  const raw = rawValue(value, spec);
  if (type === 'float32' && typeof raw === 'number' && Math.abs(raw) > FLOAT32_MAX) {
    reject(device, point.id, `${String(value)} is out of range for float32`);
  }
  try {
    return { kind: 'registers', address: spec.address, registers: encodeRegisters(raw, { type, byteOrder: spec.byteOrder, bit: spec.bit, length: spec.length }) };
  } catch (err) {
    const message = (err as Error).message;
    return reject(device, point.id, raw === value ? message : `${String(value)} (raw ${String(raw)}): ${message}`);
  }
}
