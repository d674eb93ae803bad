/**
 * A 53-bit digest of a text (the mixing of cyrb53, public domain: two 32-bit multiplicative
 * hashes folded into the 53 bits a number holds exactly). For telling remembered packets apart
 * without keeping them; not for security.
 *
 * It runs for every packet, so it hashes the text's UTF-8 bytes four at a time from a scratch
 * buffer (one native copy) rather than a character at a time through charCodeAt, which is three
 * times slower on the sliced strings a packet's fields are.
 */
const SCRATCH_BYTES = 64 * 1024;
const scratch = Buffer.from(new ArrayBuffer(SCRATCH_BYTES));
const words = new Int32Array(scratch.buffer);

export function digest53(text: string): number {
  // A CP comes from at most 9999 bytes; decoded and encoded again it still fits (3 bytes per
  // replacement character at worst). Anything longer is hashed by character.
  if (text.length * 3 > SCRATCH_BYTES - 4) return digestChars(text);
  const bytes = scratch.write(text, 0, 'utf8');
  const wordCount = (bytes + 3) >>> 2;
  scratch.fill(0, bytes, wordCount << 2); // the last word's unused bytes
  let h1 = 0xdeadbeef ^ bytes;
  let h2 = 0x41c6ce57 ^ bytes;
  for (let i = 0; i < wordCount; i++) {
    const w = words[i]!;
    h1 = Math.imul(h1 ^ w, 2654435761);
    h2 = Math.imul(h2 ^ w, 1597334677);
  }
  return fold(h1, h2);
}

function digestChars(text: string): number {
  let h1 = 0xdeadbeef ^ text.length;
  let h2 = 0x41c6ce57 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  return fold(h1, h2);
}

function fold(h1: number, h2: number): number {
  const a = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  const b = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(a ^ (a >>> 13), 3266489909);
  return 4294967296 * (2097151 & b) + (a >>> 0);
}
