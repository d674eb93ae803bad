/**
 * The HJ 212 CRC. It is not CRC-16/MODBUS although it shares the polynomial: the register is
 * shifted right by eight before each byte is folded in (`reg = (reg >> 8) ^ byte`), so the
 * check value of "123456789" is 0x2F80. It covers the data segment only and is sent as four hex
 * digits, high byte first.
 */

/**
 * `(reg >> 8) ^ byte` is always below 256 and the eight shifts that follow depend on nothing
 * else, so each step is one lookup: `reg = TABLE[(reg >> 8) ^ byte]`.
 */
const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let reg = i;
    for (let bit = 0; bit < 8; bit++) reg = reg & 1 ? (reg >>> 1) ^ 0xa001 : reg >>> 1;
    table[i] = reg;
  }
  return table;
})();

/** The CRC of `bytes[from..to)`, without a view or a copy: how the frame decoder checks frames in place. */
export function hj212CrcOf(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let reg = 0xffff;
  for (let i = from; i < to; i++) reg = TABLE[(reg >>> 8) ^ bytes[i]!]!;
  return reg;
}

/** The CRC of a data segment; a string counts as its UTF-8 bytes. */
export function hj212Crc(segment: Buffer | Uint8Array | string): number {
  return hj212CrcOf(typeof segment === 'string' ? Buffer.from(segment, 'utf8') : segment);
}

/** The CRC as it is written in a frame: four uppercase hex digits. */
export function formatCrc(crc: number): string {
  return crc.toString(16).toUpperCase().padStart(4, '0');
}
