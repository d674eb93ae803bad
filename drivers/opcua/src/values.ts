/**
 * OPC UA values in and out. A DataValue becomes a feed value with a quality that carries the
 * status code's name; a feed value becomes a Variant of the node's own DataType for a write.
 */
import { SensegateError, type Quality, type Value } from '@sensegate/sdk';
import {
  DataType,
  Int64ToBigInt,
  StatusCodes,
  UInt64ToBigInt,
  Variant,
  VariantArrayType,
  coerceNodeId,
  type DataValue,
  type StatusCode,
} from 'node-opcua';

/** Normalized quality from a status code's severity bits (good 00, uncertain 01, bad 1x). */
export function qualityOf(code: StatusCode): Quality {
  const severity = code.value >>> 30;
  return severity === 0 ? 'good' : severity === 1 ? 'uncertain' : 'bad';
}

/** `opcua:<StatusName>` for anything but plain Good. */
export function statusOf(code: StatusCode): string | undefined {
  return code.value === 0 ? undefined : `opcua:${code.name}`;
}

export interface Converted {
  value: Value;
  quality: Quality;
  status: string | undefined;
  /** The device's time for the value, ms since the epoch, when the server gave one. */
  ts: number | undefined;
}

/** A DataValue as the feed carries it. `prefer: 'server'` takes the server timestamp first. */
export function fromDataValue(dv: DataValue, prefer: 'source' | 'server' = 'source'): Converted {
  const code = dv.statusCode;
  const quality = qualityOf(code);
  const first = prefer === 'source' ? dv.sourceTimestamp : dv.serverTimestamp;
  const second = prefer === 'source' ? dv.serverTimestamp : dv.sourceTimestamp;
  const when = first ?? second;
  const ts = when ? when.getTime() : undefined;
  const value = quality === 'bad' ? null : fromVariant(dv.value);
  return { value, quality, status: statusOf(code), ts: ts !== undefined && ts > 0 ? ts : undefined };
}

export function fromVariant(v: Variant | null | undefined): Value {
  if (!v || v.dataType === DataType.Null) return null;
  if (v.arrayType === VariantArrayType.Scalar) return scalar(v.dataType, v.value);
  const flat = Array.from(v.value as ArrayLike<unknown>, (x) => scalar(v.dataType, x));
  if (v.arrayType === VariantArrayType.Matrix && v.dimensions && v.dimensions.length > 1) return reshape(flat, v.dimensions);
  return flat;
}

function reshape(flat: Value[], dims: readonly number[]): Value[] {
  if (dims.length === 1) return flat.slice(0, dims[0]);
  const size = dims.slice(1).reduce((a, b) => a * b, 1);
  const out: Value[] = [];
  for (let i = 0; i < dims[0]!; i++) out.push(reshape(flat.slice(i * size, (i + 1) * size), dims.slice(1)));
  return out;
}

function big(v: bigint): Value {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

/** The shortest decimal that reads back as the same float32: 0.1, not 0.10000000149011612. */
export function float32(x: number): number {
  if (!Number.isFinite(x) || Number.isInteger(x)) return x;
  for (let p = 7; p < 9; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return y;
  }
  return Number(x.toPrecision(9));
}

function scalar(type: DataType, x: unknown): Value {
  if (x === null || x === undefined) return null;
  switch (type) {
    case DataType.Boolean:
      return Boolean(x);
    case DataType.SByte:
    case DataType.Byte:
    case DataType.Int16:
    case DataType.UInt16:
    case DataType.Int32:
    case DataType.UInt32:
    case DataType.Double:
      return x as number;
    case DataType.Float:
      return float32(x as number);
    case DataType.Int64:
      return big(typeof x === 'bigint' ? x : Int64ToBigInt(x as [number, number]));
    case DataType.UInt64:
      return big(typeof x === 'bigint' ? x : UInt64ToBigInt(x as [number, number]));
    case DataType.String:
    case DataType.XmlElement:
      return String(x);
    case DataType.DateTime:
      return x instanceof Date ? (Number.isNaN(x.getTime()) ? null : x.toISOString()) : String(x);
    case DataType.ByteString:
      return Buffer.isBuffer(x) ? x.toString('base64') : String(x);
    case DataType.StatusCode:
      return (x as StatusCode).name;
    case DataType.LocalizedText:
      return (x as { text?: string | null }).text ?? null;
    case DataType.Guid:
    case DataType.NodeId:
    case DataType.ExpandedNodeId:
    case DataType.QualifiedName:
      return String(x);
    default:
      // ExtensionObject, DataValue, Variant, DiagnosticInfo: their JSON text.
      return jsonText(x);
  }
}

function jsonText(x: unknown): string {
  try {
    return JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return String(x);
  }
}

const INTEGER_RANGE: Partial<Record<DataType, [number, number]>> = {
  [DataType.SByte]: [-128, 127],
  [DataType.Byte]: [0, 255],
  [DataType.Int16]: [-32768, 32767],
  [DataType.UInt16]: [0, 65535],
  [DataType.Int32]: [-2147483648, 2147483647],
  [DataType.UInt32]: [0, 4294967295],
};

/**
 * A Variant of the node's DataType (and array-ness) holding `value`. Throws SG_WRITE_REJECTED naming
 * the type when the value does not fit, so nothing out of range is ever sent.
 */
export function toVariant(value: Value, type: DataType, isArray: boolean, where: string): Variant {
  const reject = (why: string) => new SensegateError('SG_WRITE_REJECTED', `${where}: ${why}`);
  if (isArray) {
    let items: unknown = value;
    if (typeof value === 'string') {
      try {
        items = JSON.parse(value);
      } catch {
        throw reject(`the node holds an array of ${DataType[type]}; give a JSON array`);
      }
    }
    if (!Array.isArray(items)) throw reject(`the node holds an array of ${DataType[type]}; give an array`);
    const out = items.map((x: Value, i: number) => coerce(x, type, (why) => reject(`element ${i}: ${why}`)));
    return new Variant({ dataType: type, arrayType: VariantArrayType.Array, value: out });
  }
  return new Variant({ dataType: type, arrayType: VariantArrayType.Scalar, value: coerce(value, type, reject) });
}

function coerce(input: Value, type: DataType, reject: (why: string) => SensegateError): unknown {
  const name = DataType[type];
  if (input === null || typeof input === 'object') throw reject(`${input === null ? 'null' : 'an array'} cannot be written to a ${name} node`);
  const value: string | number | boolean = input;
  const num = (): number => {
    const n = typeof value === 'number' ? value : typeof value === 'boolean' ? Number(value) : value.trim() === '' ? NaN : Number(value);
    if (!Number.isFinite(n)) throw reject(`${JSON.stringify(value)} is not a number, and the node is ${name}`);
    return n;
  };
  switch (type) {
    case DataType.Boolean:
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === '1' || value === 'true') return true;
      if (value === 0 || value === '0' || value === 'false') return false;
      throw reject(`${JSON.stringify(value)} is not a boolean, and the node is Boolean`);
    case DataType.SByte:
    case DataType.Byte:
    case DataType.Int16:
    case DataType.UInt16:
    case DataType.Int32:
    case DataType.UInt32: {
      const n = num();
      const [lo, hi] = INTEGER_RANGE[type]!;
      if (!Number.isInteger(n) || n < lo || n > hi) throw reject(`${n} does not fit ${name} (an integer from ${lo} to ${hi})`);
      return n;
    }
    case DataType.Int64:
    case DataType.UInt64: {
      let b: bigint;
      try {
        b = BigInt(typeof value === 'string' ? value.trim() : typeof value === 'number' && Number.isInteger(value) ? value : NaN.toString());
      } catch {
        throw reject(`${JSON.stringify(value)} is not an integer, and the node is ${name}`);
      }
      const signed = type === DataType.Int64;
      if (signed ? b !== BigInt.asIntN(64, b) : b !== BigInt.asUintN(64, b)) throw reject(`${b} does not fit ${name}`);
      const u = BigInt.asUintN(64, b);
      return [Number(u >> 32n), Number(u & 0xffffffffn)];
    }
    case DataType.Float:
    case DataType.Double: {
      const n = num();
      if (type === DataType.Float && Math.abs(n) > 3.4028234663852886e38) throw reject(`${n} does not fit Float`);
      return n;
    }
    case DataType.String:
    case DataType.XmlElement:
      return String(value);
    case DataType.DateTime: {
      const d = typeof value === 'number' ? new Date(value) : typeof value === 'string' ? new Date(value) : new Date(NaN);
      if (Number.isNaN(d.getTime())) throw reject(`${JSON.stringify(value)} is not a time (give ISO 8601 text or ms since the epoch), and the node is DateTime`);
      return d;
    }
    case DataType.ByteString:
      if (typeof value !== 'string') throw reject('a ByteString is written as base64 text');
      return Buffer.from(value, 'base64');
    case DataType.LocalizedText:
      return { text: String(value) };
    case DataType.QualifiedName:
      return { name: String(value) };
    case DataType.Guid:
      return String(value);
    case DataType.NodeId:
      try {
        return coerceNodeId(String(value));
      } catch {
        throw reject(`${JSON.stringify(value)} is not a node id`);
      }
    case DataType.StatusCode: {
      const code = (StatusCodes as unknown as Record<string, StatusCode>)[String(value)];
      if (!code) throw reject(`${JSON.stringify(value)} is not a status code name`);
      return code;
    }
    default:
      throw reject(`writing ${name} nodes is not supported`);
  }
}
