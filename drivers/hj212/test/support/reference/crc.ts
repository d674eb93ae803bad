/** The HJ 212 CRC bit by bit, exactly as the standard describes it (see src/protocol/crc.ts). */
export function referenceCrc(segment: Uint8Array | string): number {
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
