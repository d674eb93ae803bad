/**
 * The HJ 212 CRC as a frame carries it. The CRC itself is the SDK's `crc16Hj212` (not CRC-16/MODBUS
 * although it shares the polynomial; check value of "123456789" 0x2F80); here is what HJ 212 adds:
 * it covers the data segment only, and is written as four hex digits, high byte first.
 */
import { crc16Hj212 } from '@sensegate/sdk';

/** The CRC of a data segment; a string counts as its UTF-8 bytes. */
export function hj212Crc(segment: Buffer | Uint8Array | string): number {
  return crc16Hj212(typeof segment === 'string' ? Buffer.from(segment, 'utf8') : segment);
}

/** The CRC as it is written in a frame: four uppercase hex digits. */
export function formatCrc(crc: number): string {
  return crc.toString(16).toUpperCase().padStart(4, '0');
}
