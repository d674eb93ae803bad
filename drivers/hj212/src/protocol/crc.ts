/**
 * The HJ 212 CRC. It is not CRC-16/MODBUS although it shares the polynomial: the register is
 * shifted right by eight before each byte is folded in (`reg = (reg >> 8) ^ byte`), so the
 * check value of "123456789" is 0x2F80. It covers the data segment only and is sent as four hex
 * digits, high byte first.
 */
export function hj212Crc(segment: Buffer | Uint8Array | string): number {
  const bytes = typeof segment === 'string' ? Buffer.from(segment, 'utf8') : segment;
  let reg = 0xffff;
  for (let i = 0; i < bytes.length; i++) {
    reg = (reg >>> 8) ^ bytes[i]!;
    for (let bit = 0; bit < 8; bit++) {
      const lsb = reg & 1;
      reg >>>= 1;
      if (lsb) reg ^= 0xa001;
    }
  }
  return reg;
}

/** The CRC as it is written in a frame: four uppercase hex digits. */
export function formatCrc(crc: number): string {
  return crc.toString(16).toUpperCase().padStart(4, '0');
}
