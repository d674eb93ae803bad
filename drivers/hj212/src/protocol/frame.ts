/**
 * The HJ 212 frame: `##` + four decimal digits (data segment length in bytes) + data segment +
 * four hex digits of CRC + CR LF. The same framing serves HJ/T 212-2005 and HJ 212-2017.
 */
import { SensegateError } from '@sensegate/sdk';
import { formatCrc, hj212Crc } from './crc.js';

export const FRAME_HEAD = '##';
export const FRAME_TAIL = '\r\n';
/** `##` + 4 length digits. */
export const HEADER_LENGTH = 6;
/** 4 CRC digits + CR LF. */
export const TRAILER_LENGTH = 6;
/** What the standard allows for a data segment (both 2005 and 2017: 0..1024 characters). */
export const STANDARD_MAX_SEGMENT = 1024;
/**
 * What the decoder accepts by default. Real loggers send longer segments than the standard allows
 * (many pollutants in one minute record, no packet splitting), so the default is generous; the
 * four length digits cap any frame at 9999 anyway.
 */
export const DEFAULT_MAX_SEGMENT = 4096;
export const MAX_LENGTH_FIELD = 9999;

/** Wraps a data segment into a frame. Throws if the segment does not fit the four length digits. */
export function encodeFrame(segment: string): Buffer {
  const body = Buffer.from(segment, 'utf8');
  if (body.length > MAX_LENGTH_FIELD) {
    throw new SensegateError('SG_PROTOCOL_ERROR', `an HJ 212 data segment has at most ${MAX_LENGTH_FIELD} bytes, this one has ${body.length}`);
  }
  const head = Buffer.from(`${FRAME_HEAD}${String(body.length).padStart(4, '0')}`, 'ascii');
  const tail = Buffer.from(`${formatCrc(hj212Crc(body))}${FRAME_TAIL}`, 'ascii');
  return Buffer.concat([head, body, tail]);
}
