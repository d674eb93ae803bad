/**
 * CRC-16/MODBUS (reflected polynomial 0xA001, initial value 0xFFFF; check value of "123456789" is
 * 0x4B37). SL 651 computes it over everything from the first 7E to the end byte and, unlike Modbus
 * RTU, sends it high byte first.
 */
const TABLE = new Uint16Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
  TABLE[n] = c;
}

export function crc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ bytes[i]!) & 0xff]!;
  return crc;
}
