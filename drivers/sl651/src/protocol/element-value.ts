/**
 * Numeric element values. The definition byte after an identifier gives the value's size in its
 * high 5 bits and its decimal places in its low 3 bits (`19` = 3 bytes, 1 decimal). The value is
 * BCD without a decimal point. A negative value (a level below the datum) carries a leading FF
 * byte, counted in the size; a value of all FF bytes means the sensor had nothing to report.
 */
import { bcdBytes, bcdDigits } from './bcd.js';

export type NumberValue =
  | { kind: 'value'; value: number }
  /** All FF: the station has no value (sensor fault, not measured). */
  | { kind: 'no-data' }
  /** Not BCD: the value cannot be read. */
  | { kind: 'invalid' };

export function definitionByte(size: number, decimals: number): number {
  if (!Number.isInteger(size) || size < 1 || size > 31) throw new RangeError(`an element value is 1..31 bytes, got ${size}`);
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 7) throw new RangeError(`decimals are 0..7, got ${decimals}`);
  return (size << 3) | decimals;
}

export function readDefinition(byte: number): { size: number; decimals: number } {
  return { size: byte >>> 3, decimals: byte & 0x07 };
}

export function decodeNumber(bytes: Uint8Array, decimals: number): NumberValue {
  if (bytes.length === 0) return { kind: 'invalid' };
  if (bytes.every((b) => b === 0xff)) return { kind: 'no-data' };
  const negative = bytes[0] === 0xff;
  const digits = bcdDigits(negative ? bytes.subarray(1) : bytes);
  if (digits === undefined || digits.length === 0) return { kind: 'invalid' };
  // Insert the point in the text, so 0.1 + 0.2-style float noise never appears (12.34, not 12.340000001).
  const text = decimals === 0 ? digits : `${digits.slice(0, -decimals) || '0'}.${digits.slice(-decimals).padStart(decimals, '0')}`;
  const value = Number(text);
  return { kind: 'value', value: negative && value !== 0 ? -value : value };
}

/**
 * Encodes `value` rounded to `decimals` in `size` BCD bytes; a negative value gets one more byte,
 * the FF sign, as stations do. Returns the definition byte and the value bytes.
 */
export function encodeNumber(value: number, size: number, decimals: number): { definition: number; bytes: Buffer } {
  if (!Number.isFinite(value)) throw new RangeError(`cannot encode ${value}`);
  const scaled = Math.round(Math.abs(value) * 10 ** decimals);
  const digits = bcdBytes(String(scaled), size);
  if (value < 0 && scaled !== 0) {
    return { definition: definitionByte(size + 1, decimals), bytes: Buffer.concat([Buffer.of(0xff), digits]) };
  }
  return { definition: definitionByte(size, decimals), bytes: digits };
}

/** All FF: how a station says it has no value. */
export function encodeNoData(size: number, decimals: number): { definition: number; bytes: Buffer } {
  return { definition: definitionByte(size, decimals), bytes: Buffer.alloc(size, 0xff) };
}
