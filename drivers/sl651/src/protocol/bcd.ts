/** Packed BCD: two decimal digits per byte, high nibble first. */

/** The digits of `bytes`, or undefined if a nibble is not a decimal digit. */
export function bcdDigits(bytes: Uint8Array): string | undefined {
  let out = '';
  for (const b of bytes) {
    const hi = b >>> 4;
    const lo = b & 0x0f;
    if (hi > 9 || lo > 9) return undefined;
    out += String.fromCharCode(48 + hi, 48 + lo);
  }
  return out;
}

/** `digits` right-aligned in `size` bytes; throws if they do not fit. */
export function bcdBytes(digits: string, size: number): Buffer {
  if (!/^\d*$/.test(digits)) throw new RangeError(`"${digits}" is not decimal digits`);
  const trimmed = digits.replace(/^0+(?=\d)/, '');
  if (trimmed.length > size * 2) throw new RangeError(`${trimmed} does not fit in ${size} BCD bytes`);
  const padded = trimmed.padStart(size * 2, '0');
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = ((padded.charCodeAt(2 * i) - 48) << 4) | (padded.charCodeAt(2 * i + 1) - 48);
  return out;
}

/** One byte of two BCD digits, 0..99. */
export function bcdByte(n: number): number {
  return (Math.floor(n / 10) % 10 << 4) | n % 10;
}
