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

/**
 * An excerpt of received bytes that may hold frames, for logs: like `excerpt`, but the password
 * (bytes 8 and 9 after every `7E 7E`) shows as `**`. A frame refused for its CRC may carry a
 * station's real password, and a log line must never carry one.
 */
export function frameExcerpt(bytes: Uint8Array, max = 48): string {
  const shown = Math.min(bytes.length, max);
  const hidden = new Set<number>();
  for (let i = 0; i + 1 < shown; i++) {
    if (bytes[i] === 0x7e && bytes[i + 1] === 0x7e) hidden.add(i + 8).add(i + 9);
  }
  const parts: string[] = [];
  for (let i = 0; i < shown; i++) parts.push(hidden.has(i) ? '**' : bytes[i]!.toString(16).toUpperCase().padStart(2, '0'));
  return bytes.length > max ? `${parts.join(' ')} ... (${bytes.length} bytes)` : parts.join(' ');
}
