/** Hex text helpers for addresses, passwords and log excerpts. */

export function toHex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, Math.max(0, end - start)).toString('hex').toUpperCase();
}

export function fromHex(text: string): Buffer {
  if (!/^(?:[0-9A-Fa-f]{2})*$/.test(text)) throw new RangeError(`"${text}" is not an even number of hex digits`);
  return Buffer.from(text, 'hex');
}

/** The first `max` bytes as spaced hex, for logs: `7E 7E 01 00 12 ... (57 bytes)`. */
export function excerpt(bytes: Uint8Array, max = 48): string {
  const shown = toHex(bytes, 0, Math.min(bytes.length, max)).replace(/(..)(?!$)/g, '$1 ');
  return bytes.length > max ? `${shown} ... (${bytes.length} bytes)` : shown;
}
