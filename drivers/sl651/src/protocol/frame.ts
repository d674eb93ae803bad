/**
 * One HEX/BCD frame and its encoder:
 *
 *   7E 7E | up: centre(1) station(5) | down: station(5) centre(1) | password(2) | function(1)
 *   | direction(4 bits: 0 up, 8 down) + length(12 bits) | STX, or SYN + packet counter(3)
 *   | body | end byte | CRC-16/MODBUS (high byte first)
 *
 * The length counts every byte between the start character and the end byte, so it includes the
 * 3-byte packet counter of a SYN frame. The counter holds the packet total in its high 12 bits and
 * the packet's sequence number (from 1) in its low 12 bits.
 */
import { crc16Modbus } from '@sensegate/sdk';
import { END, FRAME_START, HEADER_LENGTH, MAX_BODY_LENGTH, MAX_PACKETS, STX, SYN, TRAILER_LENGTH } from './control.js';
import { fromHex } from './hex.js';

export type Direction = 'up' | 'down';

export interface PacketCounter {
  /** Packets in the message, 1..4095. */
  total: number;
  /** This packet's number, 1..total. */
  sequence: number;
}

export interface Frame {
  direction: Direction;
  /** Centre (central station) address, 0..255. */
  centre: number;
  /** Station (telemetry station) address: 10 uppercase hex digits. */
  station: string;
  /** Password: 4 uppercase hex digits. */
  password: string;
  functionCode: number;
  /** Present on the packets of a multi-packet (SYN) message. */
  packet?: PacketCounter;
  /** The body, without the packet counter. */
  body: Uint8Array;
  /** The end byte (`END`). */
  end: number;
}

export const ADDRESS_PATTERN = /^[0-9A-F]{10}$/;
export const PASSWORD_PATTERN = /^[0-9A-F]{4}$/;

export function encodeFrame(frame: Frame): Buffer {
  const station = frame.station.toUpperCase();
  const password = frame.password.toUpperCase();
  if (!ADDRESS_PATTERN.test(station)) throw new RangeError(`station address must be 10 hex digits, got "${frame.station}"`);
  if (!PASSWORD_PATTERN.test(password)) throw new RangeError(`password must be 4 hex digits, got "${frame.password}"`);
  if (!Number.isInteger(frame.centre) || frame.centre < 0 || frame.centre > 0xff) throw new RangeError(`centre address must be 0..255, got ${frame.centre}`);
  if (!Number.isInteger(frame.functionCode) || frame.functionCode < 0 || frame.functionCode > 0xff) throw new RangeError(`function code must be 0..255`);
  const counter = frame.packet ? 3 : 0;
  const length = frame.body.length + counter;
  if (length > MAX_BODY_LENGTH) throw new RangeError(`body of ${length} bytes exceeds the 12-bit length field (${MAX_BODY_LENGTH}); split it into packets`);
  const out = Buffer.alloc(HEADER_LENGTH + length + TRAILER_LENGTH);
  out[0] = FRAME_START;
  out[1] = FRAME_START;
  const addresses = frame.direction === 'up' ? [Buffer.of(frame.centre), fromHex(station)] : [fromHex(station), Buffer.of(frame.centre)];
  Buffer.concat(addresses).copy(out, 2);
  fromHex(password).copy(out, 8);
  out[10] = frame.functionCode;
  out.writeUInt16BE((frame.direction === 'down' ? 0x8000 : 0) | length, 11);
  let at = HEADER_LENGTH;
  if (frame.packet) {
    const { total, sequence } = frame.packet;
    if (total < 1 || total > MAX_PACKETS || sequence < 1 || sequence > total) {
      throw new RangeError(`packet ${sequence} of ${total} is out of range (1..${MAX_PACKETS})`);
    }
    out[13] = SYN;
    out.writeUIntBE((total << 12) | sequence, at, 3);
    at += 3;
  } else {
    out[13] = STX;
  }
  out.set(frame.body, at);
  at += frame.body.length;
  out[at++] = frame.end;
  out.writeUInt16BE(crc16Modbus(out, 0, at), at);
  return out;
}

/**
 * Splits a message body into SYN packets of at most `packetBody` bytes, ETB on all but the last,
 * which ends with `end` (ETX by default).
 */
export function encodePackets(frame: Omit<Frame, 'packet' | 'end'> & { end?: number }, packetBody: number): Buffer[] {
  if (packetBody < 1 || packetBody > MAX_BODY_LENGTH - 3) throw new RangeError(`packet body must be 1..${MAX_BODY_LENGTH - 3} bytes`);
  const total = Math.max(1, Math.ceil(frame.body.length / packetBody));
  if (total > MAX_PACKETS) throw new RangeError(`${total} packets exceed the protocol's ${MAX_PACKETS}`);
  const frames: Buffer[] = [];
  for (let sequence = 1; sequence <= total; sequence++) {
    const body = frame.body.subarray((sequence - 1) * packetBody, sequence * packetBody);
    frames.push(encodeFrame({ ...frame, body, packet: { total, sequence }, end: sequence === total ? (frame.end ?? END.ETX) : END.ETB }));
  }
  return frames;
}
