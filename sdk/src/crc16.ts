/**
 * The 16-bit CRCs that device protocols use, on one table: the reflected polynomial 0xA001 with
 * the register starting at 0xFFFF. Two ways of folding a byte in are found on the wire:
 *
 * - CRC-16/MODBUS (`crc16Modbus`): `reg = (reg >> 8) ^ TABLE[(reg ^ byte) & 0xFF]`; check value
 *   of "123456789" 0x4B37. Modbus RTU sends it low byte first, SL 651 high byte first.
 * - The HJ 212 CRC (`crc16Hj212`): `reg = TABLE[(reg >> 8) ^ byte]`, the register shifted right by
 *   eight before the byte is folded in, as HJ 212-2017 specifies; check value 0x2F80. HJ 212 writes
 *   it as four hex digits over the data segment.
 *
 * Both return the register as a number; byte order and text form belong to the protocol.
 */

/** The eight shifts of one byte through the reflected polynomial 0xA001. */
const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let reg = n;
    for (let bit = 0; bit < 8; bit++) reg = reg & 1 ? (reg >>> 1) ^ 0xa001 : reg >>> 1;
    table[n] = reg;
  }
  return table;
})();

/**
 * CRC-16/MODBUS of `bytes[from..to)` (reflected 0xA001, initial 0xFFFF, no final XOR; check value
 * of "123456789" 0x4B37), computed in place, without a view or a copy.
 */
export function crc16Modbus(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let reg = 0xffff;
  for (let i = from; i < to; i++) reg = (reg >>> 8) ^ TABLE[(reg ^ bytes[i]!) & 0xff]!;
  return reg;
}

/**
 * The HJ 212 CRC of `bytes[from..to)`: the same polynomial and initial value as CRC-16/MODBUS, but
 * each byte is folded into the register shifted right by eight (`reg = (reg >> 8) ^ byte`, then
 * eight shifts), so it is a different CRC: check value of "123456789" 0x2F80.
 */
export function crc16Hj212(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let reg = 0xffff;
  for (let i = from; i < to; i++) reg = TABLE[(reg >>> 8) ^ bytes[i]!]!;
  return reg;
}
