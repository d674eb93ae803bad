/** The frame decoder as first written: concatenates every chunk (see src/protocol/frame-decoder.ts). */
import { SensegateError } from '@sensegate/sdk';
import { DEFAULT_MAX_SEGMENT, HEADER_LENGTH, MAX_LENGTH_FIELD, TRAILER_LENGTH, excerpt, formatCrc, type DecodeResult, type FrameDecoderOptions } from '@sensegate/driver-hj212/protocol';
import { referenceCrc as hj212Crc } from './crc.js';

const HASH = 0x23;
const CR = 0x0d;
const LF = 0x0a;
const EXCERPT_BYTES = 64;
const HEX4 = /^[0-9A-Fa-f]{4}$/;
const DIGITS4 = /^\d{4}$/;

/** A stretch of bytes that is no frame, reported once with the reason of its first bad byte. */
interface SkippedRun {
  bytes: number;
  head: Buffer;
  reason: string;
}

export class ReferenceFrameDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private run: SkippedRun | undefined;
  readonly maxFrameBytes: number;

  constructor(options: FrameDecoderOptions = {}) {
    const max = options.maxFrameBytes ?? DEFAULT_MAX_SEGMENT;
    this.maxFrameBytes = Math.max(0, Math.min(Math.floor(max), MAX_LENGTH_FIELD));
  }

  /** Bytes held while waiting for the rest of a frame. */
  get buffered(): number {
    return this.pending.length;
  }

  push(chunk: Uint8Array): DecodeResult[] {
    const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk);
    const results: DecodeResult[] = [];
    let at = 0;
    for (;;) {
      const start = data.indexOf('##', at, 'latin1');
      if (start < 0) {
        // A trailing `#` may be the first half of the next `##`.
        const end = data.length > at && data[data.length - 1] === HASH ? data.length - 1 : data.length;
        this.skip(data, at, end, 'bytes outside a frame (no `##` before them)', results);
        at = end;
        break;
      }
      this.skip(data, at, start, 'bytes outside a frame (no `##` before them)', results);
      at = start;
      if (data.length - at < HEADER_LENGTH) break;
      const digits = data.toString('latin1', at + 2, at + HEADER_LENGTH);
      if (!DIGITS4.test(digits)) {
        // `###0101...`: the frame may start at the next byte, so resync one byte on.
        this.skip(data, at, at + 1, `\`##\` followed by "${printable(digits)}" instead of four length digits`, results);
        at += 1;
        continue;
      }
      const length = Number(digits);
      if (length > this.maxFrameBytes) {
        // Do not wait for it: its bytes count as skipped until the next `##`.
        this.skip(data, at, at + 2, `frame of ${length} bytes refused: the limit is ${this.maxFrameBytes}`, results);
        at += 2;
        continue;
      }
      const total = HEADER_LENGTH + length + TRAILER_LENGTH;
      if (data.length - at < total) break;
      const end = at + total;
      if (data[end - 2] !== CR || data[end - 1] !== LF) {
        // The length digits lie (or the frame was cut short and another began): resync inside it.
        this.skip(data, at, at + 1, `frame announced ${length} bytes but does not end with CR LF there`, results);
        at += 1;
        continue;
      }
      this.endRun(results);
      const raw = Buffer.from(data.subarray(at, end));
      at = end;
      const segmentBytes = raw.subarray(HEADER_LENGTH, HEADER_LENGTH + length);
      const sent = raw.toString('latin1', HEADER_LENGTH + length, HEADER_LENGTH + length + 4);
      if (!HEX4.test(sent)) {
        results.push(failure(`CRC "${printable(sent)}" is not four hex digits`, raw));
        continue;
      }
      const computed = hj212Crc(segmentBytes);
      if (parseInt(sent, 16) !== computed) {
        results.push(failure(`CRC mismatch: the frame says ${sent}, its data segment gives ${formatCrc(computed)}`, raw));
        continue;
      }
      results.push({ ok: true, segment: segmentBytes.toString('utf8'), raw });
    }
    this.pending = at >= data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(at));
    return results;
  }

  /** The end of the stream: reports skipped bytes and a frame cut short, and resets the decoder. */
  end(): DecodeResult[] {
    const results: DecodeResult[] = [];
    if (this.pending.length) this.skip(this.pending, 0, this.pending.length, 'the stream ended in the middle of a frame', results);
    this.endRun(results);
    this.pending = Buffer.alloc(0);
    return results;
  }

  private skip(data: Buffer, from: number, to: number, reason: string, results: DecodeResult[]): void {
    if (to <= from) return;
    if (!this.run) this.run = { bytes: 0, head: Buffer.alloc(0), reason };
    const run = this.run;
    if (run.head.length < EXCERPT_BYTES) {
      run.head = Buffer.concat([run.head, data.subarray(from, Math.min(to, from + EXCERPT_BYTES - run.head.length))]);
    }
    run.bytes += to - from;
    // Endless junk is reported every frame's worth of bytes, so that it keeps counting.
    if (run.bytes >= this.maxFrameBytes + HEADER_LENGTH + TRAILER_LENGTH) this.endRun(results);
  }

  private endRun(results: DecodeResult[]): void {
    const run = this.run;
    if (!run) return;
    this.run = undefined;
    const text = excerpt(run.head);
    results.push({
      ok: false,
      error: new SensegateError('SG_PROTOCOL_ERROR', `${run.reason}; ${run.bytes} bytes skipped`),
      excerpt: run.bytes > run.head.length ? `${text}... (${run.bytes} bytes)` : text,
    });
  }
}

function failure(message: string, raw: Buffer): DecodeResult {
  return { ok: false, error: new SensegateError('SG_PROTOCOL_ERROR', message), excerpt: excerpt(raw, EXCERPT_BYTES) };
}

function printable(text: string): string {
  return excerpt(Buffer.from(text, 'latin1'));
}
