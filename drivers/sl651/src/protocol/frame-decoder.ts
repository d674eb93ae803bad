/**
 * Cuts a TCP byte stream into frames. A frame may arrive in pieces or several in one chunk; bytes
 * that are not a frame (line noise, a modem banner, an ASCII-mode station) are skipped until the
 * next 7E 7E and reported once per run. Each result is a checked frame or an error with an
 * excerpt of the offending bytes; the decoder never throws and never buffers more than one
 * maximum-size frame.
 */
import { SensegateError, crc16Modbus } from '@sensegate/sdk';
import { END, FRAME_START, HEADER_LENGTH, MAX_BODY_LENGTH, SOH, STX, SYN, TRAILER_LENGTH } from './control.js';
import type { Frame } from './frame.js';
import { frameExcerpt, toHex } from './hex.js';

export type DecodeResult =
  | { ok: true; frame: Frame; /** The frame's bytes as received. */ raw: Buffer }
  | { ok: false; error: SensegateError; /** Hex of the offending bytes (at most 48), passwords masked. */ excerpt: string };

export interface FrameDecoderOptions {
  /** Largest body length accepted (bytes between start character and end byte), at most 4095. */
  maxBodyLength?: number;
}

const END_BYTES = new Set<number>(Object.values(END));

export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private readonly maxBodyLength: number;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxBodyLength = Math.min(options.maxBodyLength ?? MAX_BODY_LENGTH, MAX_BODY_LENGTH);
  }

  /** Bytes held while waiting for the rest of a frame. */
  get buffered(): number {
    return this.pending.length;
  }

  push(chunk: Uint8Array): DecodeResult[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk);
    const results: DecodeResult[] = [];
    // A run of bytes that are no frame (noise, false starts, a corrupt frame) is reported once, with
    // the reason of its first bad byte: one count per corrupted stretch, not one per byte.
    let runFrom = -1;
    let runReason: DecodeResult | undefined;
    const skip = (from: number, reason?: DecodeResult) => {
      if (runFrom < 0) {
        runFrom = from;
        runReason = reason;
      }
    };
    const flush = (to: number) => {
      if (runFrom >= 0 && to > runFrom) {
        const bytes = this.pending.subarray(runFrom, to);
        results.push(runReason && !runReason.ok ? { ok: false, error: runReason.error, excerpt: frameExcerpt(bytes) } : garbage(bytes));
      }
      runFrom = -1;
      runReason = undefined;
    };
    let at = 0;
    for (;;) {
      const start = findStart(this.pending, at);
      if (start < 0) {
        // Keep a trailing 7E: it may be the first half of the next start.
        const keep = this.pending.length > at && this.pending[this.pending.length - 1] === FRAME_START ? 1 : 0;
        const end = this.pending.length - keep;
        if (end > at) skip(at);
        flush(end);
        at = end;
        break;
      }
      if (start > at) skip(at);
      at = start;
      if (this.pending.length - at < HEADER_LENGTH) break;
      const header = this.checkHeader(at);
      if (header.error) {
        // Resync one byte on: in 7E 7E 7E the frame may start at the second 7E (noise ending in
        // 7E), or at the first (a centre address of 7E), so both are tried.
        skip(at, header.error);
        at += 1;
        continue;
      }
      const size = HEADER_LENGTH + header.length + TRAILER_LENGTH;
      if (this.pending.length - at < size) break;
      const raw = Buffer.from(this.pending.subarray(at, at + size));
      const result = parseComplete(raw, header.length);
      // A frame whose end byte is right but whose CRC is not most likely has the right length: it is
      // reported on its own and skipped whole, so a 7E 7E inside its body is not taken for a frame.
      // Otherwise the length itself may be what is corrupt: resync one byte on.
      if (result.ok || END_BYTES.has(raw[size - 3]!)) {
        flush(at);
        results.push(result);
        at += size;
      } else {
        skip(at, result);
        at += 1;
      }
    }
    flush(at);
    this.pending = at >= this.pending.length ? Buffer.alloc(0) : this.pending.subarray(at);
    return results;
  }

  private checkHeader(at: number): { length: number; error?: undefined } | { error: DecodeResult } {
    const p = this.pending;
    const word = p.readUInt16BE(at + 11);
    const direction = word >>> 12;
    const length = word & 0xfff;
    const head = p.subarray(at, at + HEADER_LENGTH);
    if (direction !== 0 && direction !== 8) {
      return { error: failure('sl651:bad-direction', `direction nibble ${direction.toString(16)} is neither 0 (up) nor 8 (down)`, head) };
    }
    const start = p[at + 13]!;
    if (start !== STX && start !== SYN) {
      return { error: failure('sl651:bad-start', `start character ${hexByte(start)} is neither STX 02 nor SYN 16`, head) };
    }
    if (length > this.maxBodyLength) {
      return { error: failure('sl651:oversized', `body length ${length} exceeds the limit of ${this.maxBodyLength} bytes`, head) };
    }
    if (start === SYN && length < 3) {
      return { error: failure('sl651:bad-length', `a SYN frame needs a 3-byte packet counter, but its length is ${length}`, head) };
    }
    return { length };
  }
}

function findStart(buf: Buffer, from: number): number {
  for (let i = buf.indexOf(FRAME_START, from); i >= 0 && i + 1 < buf.length; i = buf.indexOf(FRAME_START, i + 1)) {
    if (buf[i + 1] === FRAME_START) return i;
  }
  return -1;
}

function parseComplete(raw: Buffer, length: number): DecodeResult {
  const endAt = HEADER_LENGTH + length;
  const end = raw[endAt]!;
  if (!END_BYTES.has(end)) return failure('sl651:bad-end', `end byte ${hexByte(end)} is not one of ETX, ETB, ENQ, EOT, ACK, NAK, ESC`, raw);
  const expected = crc16Modbus(raw, 0, endAt + 1);
  const received = raw.readUInt16BE(endAt + 1);
  if (expected !== received) {
    return failure('sl651:bad-crc', `CRC ${received.toString(16).padStart(4, '0')} does not match the computed ${expected.toString(16).padStart(4, '0')}`, raw);
  }
  const down = raw[11]! >= 0x80;
  const syn = raw[13] === SYN;
  const frame: Frame = {
    direction: down ? 'down' : 'up',
    centre: down ? raw[7]! : raw[2]!,
    station: down ? toHex(raw, 2, 7) : toHex(raw, 3, 8),
    password: toHex(raw, 8, 10),
    functionCode: raw[10]!,
    body: raw.subarray(HEADER_LENGTH + (syn ? 3 : 0), endAt),
    end,
  };
  if (syn) {
    const counter = raw.readUIntBE(HEADER_LENGTH, 3);
    const total = counter >>> 12;
    const sequence = counter & 0xfff;
    if (total < 1 || sequence < 1 || sequence > total) {
      return failure('sl651:bad-packet', `packet counter says packet ${sequence} of ${total}`, raw);
    }
    frame.packet = { total, sequence };
  }
  return { ok: true, frame, raw };
}

function garbage(bytes: Buffer): DecodeResult {
  // An ASCII-mode frame starts with SOH and continues in ASCII hex digits: say so, it is a
  // configuration problem of the station, not noise.
  const ascii = bytes[0] === SOH && bytes.length > 3 && /^[0-9A-Fa-f]{3}/.test(bytes.subarray(1, 4).toString('latin1'));
  return ascii
    ? failure('sl651:ascii-mode', `${bytes.length} bytes of an ASCII-mode frame (SOH): only HEX/BCD mode is supported, set the station to HEX/BCD`, bytes)
    : failure('sl651:garbage', `${bytes.length} bytes outside any frame skipped`, bytes);
}

function failure(status: string, message: string, bytes: Uint8Array): DecodeResult {
  return { ok: false, error: new SensegateError('SG_PROTOCOL_ERROR', message, { status }), excerpt: frameExcerpt(bytes) };
}

function hexByte(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, '0');
}

