/**
 * Values in plain JavaScript, as `sim.value()` returns and `sim.set()` takes them, and their
 * node-opcua Variants:
 *
 *   Boolean            boolean
 *   SByte..UInt32, Float, Double   number
 *   Int64, UInt64      bigint (set also takes a safe integer number or a decimal string)
 *   String, XmlElement string
 *   DateTime           Date (set also takes an ISO string or ms since the epoch)
 *   Guid               string, e.g. '72962B91-FA75-4AE6-8D28-B404DC7DAF63'
 *   ByteString         Buffer (set also takes a Uint8Array)
 *   LocalizedText      { locale?: string, text: string } (set also takes a string)
 *   QualifiedName      { namespaceIndex: number, name: string } (set also takes a name)
 *   NodeId             string, e.g. 'ns=0;i=2253'
 *   StatusCode         its name, e.g. 'Good'
 *   arrays             arrays of the above
 */
import { SensegateError } from '@sensegate/sdk';
import {
  DataType,
  Int64ToBigInt,
  LocalizedText,
  QualifiedName,
  StatusCodes,
  UInt64ToBigInt,
  Variant,
  VariantArrayType,
  coerceInt64,
  isValidGuid,
  resolveNodeId,
  type NodeId,
  type StatusCode,
} from 'node-opcua';
import type { BuiltInType, VariableSpec } from '../plant/catalog.js';

const INTEGER_RANGES: Partial<Record<BuiltInType, [number, number]>> = {
  SByte: [-128, 127],
  Byte: [0, 255],
  Int16: [-32768, 32767],
  UInt16: [0, 65535],
  Int32: [-2147483648, 2147483647],
  UInt32: [0, 4294967295],
};
const INT64_RANGE = [-(2n ** 63n), 2n ** 63n - 1n] as const;
const UINT64_RANGE = [0n, 2n ** 64n - 1n] as const;

function wrong(spec: VariableSpec, expected: string, value: unknown): never {
  const shown = typeof value === 'bigint' ? `${value}n` : typeof value === 'string' ? JSON.stringify(value) : String(value);
  throw new SensegateError('SG_USAGE', `${spec.id} is ${spec.dataType}${spec.array ? '[]' : ''}: expected ${expected}, got ${shown}`);
}

/** A status code by name (`BadSensorFailure`), or undefined when there is none by that name. */
export function statusCodeNamed(name: string): StatusCode | undefined {
  const code = (StatusCodes as unknown as Record<string, StatusCode | undefined>)[name];
  return code && typeof code === 'object' && 'value' in code ? code : undefined;
}

/** Converts one element of `spec`'s type from its JavaScript form; throws SG_USAGE naming the variable. */
function toElement(spec: VariableSpec, v: unknown): unknown {
  const type = spec.dataType;
  switch (type) {
    case 'Boolean':
      return typeof v === 'boolean' ? v : wrong(spec, 'true or false', v);
    case 'Float':
    case 'Double':
      return typeof v === 'number' ? v : wrong(spec, 'a number', v);
    case 'Int64':
    case 'UInt64': {
      let big: bigint;
      if (typeof v === 'bigint') big = v;
      else if (typeof v === 'number' && Number.isSafeInteger(v)) big = BigInt(v);
      else if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) big = BigInt(v.trim());
      else return wrong(spec, 'a bigint, a safe integer or a decimal string', v);
      const [low, high] = type === 'Int64' ? INT64_RANGE : UINT64_RANGE;
      if (big < low || big > high) wrong(spec, `a whole number from ${low} to ${high}`, v);
      return coerceInt64(big.toString());
    }
    case 'String':
    case 'XmlElement':
      return typeof v === 'string' ? v : wrong(spec, 'a string', v);
    case 'DateTime': {
      const date = v instanceof Date ? v : typeof v === 'string' || typeof v === 'number' ? new Date(v) : undefined;
      return date && !Number.isNaN(date.getTime()) ? date : wrong(spec, 'a Date, an ISO 8601 string or ms since the epoch', v);
    }
    case 'Guid':
      return typeof v === 'string' && isValidGuid(v) ? v.toUpperCase() : wrong(spec, 'a GUID string', v);
    case 'ByteString':
      return Buffer.isBuffer(v) ? v : v instanceof Uint8Array ? Buffer.from(v) : wrong(spec, 'a Buffer', v);
    case 'LocalizedText':
      if (typeof v === 'string') return new LocalizedText({ text: v });
      if (v && typeof v === 'object' && typeof (v as { text?: unknown }).text === 'string') {
        const { locale, text } = v as { locale?: string; text: string };
        return new LocalizedText({ text, ...(locale ? { locale } : {}) });
      }
      return wrong(spec, 'a string or { locale, text }', v);
    case 'QualifiedName':
      if (typeof v === 'string') return new QualifiedName({ name: v, namespaceIndex: 0 });
      if (v && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string') {
        const { name, namespaceIndex = 0 } = v as { name: string; namespaceIndex?: number };
        return new QualifiedName({ name, namespaceIndex });
      }
      return wrong(spec, 'a name or { namespaceIndex, name }', v);
    case 'NodeId':
      try {
        return typeof v === 'string' ? resolveNodeId(v) : wrong(spec, 'a node id string such as ns=1;s=Pump1.Speed', v);
      } catch (err) {
        if (err instanceof SensegateError) throw err;
        return wrong(spec, 'a node id string such as ns=1;s=Pump1.Speed', v);
      }
    case 'StatusCode': {
      const code = typeof v === 'string' ? statusCodeNamed(v) : undefined;
      return code ?? wrong(spec, 'a status code name such as Good or BadSensorFailure', v);
    }
    default: {
      const range = INTEGER_RANGES[type];
      if (!range) return wrong(spec, 'a supported type', v);
      if (typeof v !== 'number' || !Number.isInteger(v) || v < range[0] || v > range[1]) wrong(spec, `a whole number from ${range[0]} to ${range[1]}`, v);
      return v;
    }
  }
}

/** The Variant for a JavaScript value of `spec`'s type; throws SG_USAGE when the value does not fit. */
export function toVariant(spec: VariableSpec, value: unknown): Variant {
  const dataType = DataType[spec.dataType];
  if (spec.array) {
    if (!Array.isArray(value)) wrong(spec, 'an array', value);
    return new Variant({ dataType, arrayType: VariantArrayType.Array, value: value.map((v) => toElement(spec, v)) });
  }
  return new Variant({ dataType, arrayType: VariantArrayType.Scalar, value: toElement(spec, value) });
}

/** A fast path for the values that move on every tick. */
export function numberVariant(dataType: 'Double' | 'Boolean', value: number | boolean): Variant {
  return new Variant({ dataType: DataType[dataType], arrayType: VariantArrayType.Scalar, value });
}

function fromElement(type: BuiltInType, v: unknown): unknown {
  if (v === null || v === undefined) return v;
  switch (type) {
    case 'Int64':
      return Int64ToBigInt(v as [number, number]);
    case 'UInt64':
      return UInt64ToBigInt(v as [number, number]);
    case 'LocalizedText': {
      const t = v as LocalizedText;
      return { ...(t.locale ? { locale: t.locale } : {}), text: t.text ?? '' };
    }
    case 'QualifiedName': {
      const q = v as QualifiedName;
      return { namespaceIndex: q.namespaceIndex, name: q.name ?? '' };
    }
    case 'NodeId':
      return (v as NodeId).toString();
    case 'StatusCode':
      return (v as StatusCode).name;
    default:
      return v;
  }
}

/** The JavaScript form of a Variant of `spec`'s type. */
export function fromVariant(spec: VariableSpec, variant: Variant): unknown {
  const value: unknown = variant.value;
  if (spec.array) {
    if (value === null || value === undefined) return [];
    return Array.from(value as ArrayLike<unknown>, (v) => fromElement(spec.dataType, v));
  }
  return fromElement(spec.dataType, value);
}
