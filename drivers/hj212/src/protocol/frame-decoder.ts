/**
 * Cuts a TCP byte stream into HJ 212 frames. A frame may arrive in pieces or several in one
 * chunk. Bytes that are no frame (line noise, a modem banner, a false `##`, a frame whose length
 * digits lie) are skipped until the next `##` that starts a well-formed frame, and reported once
 * per run, so one corrupted stretch counts once. The decoder never throws and never holds more
 * than one maximum-size frame.
 */
import { SensegateError, crc16Hj212 } from '@sensegate/sdk';
import { formatCrc } from './crc.js';
import { excerpt } from './excerpt.js';
import { DEFAULT_MAX_SEGMENT, HEADER_LENGTH, MAX_LENGTH_FIELD, TRAILER_LENGTH } from './frame.js';

export type DecodeResult =
  | { ok: true; /** The data segment, between the length digits and the CRC. */ segment: string; /** The frame's bytes as received. */ raw: Buffer }
  | { ok: false; error: SensegateError; /** The offending bytes, printable, at most 64 of them. */ excerpt: string };

export interface FrameDecoderOptions {
  /** Largest data segment accepted, in bytes (the four length digits); default 4096. */
  maxFrameBytes?: number;
}

const HASH = 0x23;
const CR = 0x0d;
const LF = 0x0a;
const EXCERPT_BYTES = 64;
const EMPTY = Buffer.alloc(0);

/** A stretch of bytes that is no frame, reported once with the reason of its first bad byte. */
interface SkippedRun {
  bytes: number;
  head: Buffer;
  reason: string;
}

/** The value of an ASCII decimal digit, or -1. */
function digit(b: number): number {
  return b >= 0x30 && b <= 0x39 ? b - 0x30 : -1;
}

/** The value of an ASCII hex digit in either case, or -1. */
function hexDigit(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const lower = b | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

/** The four length digits at `at` as a number, or -1 if they are not four decimal digits. */
function lengthAt(data: Buffer, at: number): number {
  const a = digit(data[at]!);
  const b = digit(data[at + 1]!);
  const c = digit(data[at + 2]!);
  const d = digit(data[at + 3]!);
  return a < 0 || b < 0 || c < 0 || d < 0 ? -1 : a * 1000 + b * 100 + c * 10 + d;
}

/** The four hex CRC digits at `at` as a number, or -1 if they are not four hex digits. */
function crcAt(data: Buffer, at: number): number {
  const a = hexDigit(data[at]!);
  const b = hexDigit(data[at + 1]!);
  const c = hexDigit(data[at + 2]!);
  const d = hexDigit(data[at + 3]!);
  return a < 0 || b < 0 || c < 0 || d < 0 ? -1 : (a << 12) | (b << 8) | (c << 4) | d;
}

export class FrameDecoder {
  private pending: Buffer = EMPTY;
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

  /**
   * The results are those of decoding the bytes held plus `chunk` as one buffer. The chunk is read
   * in place, not copied onto what is held: only a frame begun in an earlier chunk is put together,
   * from the held bytes and just the bytes of the chunk that complete it.
   */
  push(chunk: Uint8Array): DecodeResult[] {
    let data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const results: DecodeResult[] = [];
    if (this.pending.length) {
      const held = this.pending;
      this.pending = EMPTY;
      const rest = this.completes(held, data);
      if (rest < 0) data = Buffer.concat([held, data]);
      else {
        this.scan(Buffer.concat([held, data.subarray(0, rest)]), results);
        data = data.subarray(rest);
      }
    }
    const at = this.scan(data, results);
    // A copy: the caller may reuse its chunk, and a view would pin all of it.
    this.pending = at >= data.length ? EMPTY : Buffer.from(data.subarray(at));
    return results;
  }

  /**
   * If `held` is the start of a frame whose CR LF lies in `next`, the number of bytes of `next`
   * that complete it (decoding the two then consumes both exactly, as one buffer would); else -1,
   * and the two are decoded as one buffer.
   */
  private completes(held: Buffer, next: Buffer): number {
    if (held.length < HEADER_LENGTH || held[0] !== HASH || held[1] !== HASH) return -1;
    const length = lengthAt(held, 2);
    if (length < 0 || length > this.maxFrameBytes) return -1;
    const rest = HEADER_LENGTH + length + TRAILER_LENGTH - held.length;
    if (rest < 2 || rest > next.length || next[rest - 2] !== CR || next[rest - 1] !== LF) return -1;
    return rest;
  }

  /** Decodes what `data` holds from its start; returns where the unfinished rest begins. */
  private scan(data: Buffer, results: DecodeResult[]): number {
    let at = 0;
    for (;;) {
      const start = findHead(data, at);
      if (start < 0) {
        // A trailing `#` may be the first half of the next `##`.
        const end = data.length > at && data[data.length - 1] === HASH ? data.length - 1 : data.length;
        this.skip(data, at, end, 'bytes outside a frame (no `##` before them)', results);
        return end;
      }
      this.skip(data, at, start, 'bytes outside a frame (no `##` before them)', results);
      at = start;
      if (data.length - at < HEADER_LENGTH) return at;
      const length = lengthAt(data, at + 2);
      if (length < 0) {
        // `###0101...`: the frame may start at the next byte, so resync one byte on.
        const digits = data.toString('latin1', at + 2, at + HEADER_LENGTH);
        this.skip(data, at, at + 1, `\`##\` followed by "${printable(digits)}" instead of four length digits`, results);
        at += 1;
        continue;
      }
      if (length > this.maxFrameBytes) {
        // Do not wait for it: its bytes count as skipped until the next `##`.
        this.skip(data, at, at + 2, `frame of ${length} bytes refused: the limit is ${this.maxFrameBytes}`, results);
        at += 2;
        continue;
      }
      const total = HEADER_LENGTH + length + TRAILER_LENGTH;
      if (data.length - at < total) return at;
      const end = at + total;
      if (data[end - 2] !== CR || data[end - 1] !== LF) {
        // The length digits lie (or the frame was cut short and another began): resync inside it.
        this.skip(data, at, at + 1, `frame announced ${length} bytes but does not end with CR LF there`, results);
        at += 1;
        continue;
      }
      this.endRun(results);
      const segmentEnd = at + HEADER_LENGTH + length;
      const sent = crcAt(data, segmentEnd);
      const computed = sent < 0 ? -1 : crc16Hj212(data, at + HEADER_LENGTH, segmentEnd);
      if (sent >= 0 && sent === computed) {
        results.push({ ok: true, segment: data.toString('utf8', at + HEADER_LENGTH, segmentEnd), raw: Buffer.from(data.subarray(at, end)) });
      } else {
        const raw = data.subarray(at, end);
        const text = data.toString('latin1', segmentEnd, segmentEnd + 4);
        const reason = sent < 0 ? `CRC "${printable(text)}" is not four hex digits` : `CRC mismatch: the frame says ${text}, its data segment gives ${formatCrc(computed)}`;
        results.push(failure(reason, raw));
      }
      at = end;
    }
  }

  /** The end of the stream: reports skipped bytes and a frame cut short, and resets the decoder. */
  end(): DecodeResult[] {
    const results: DecodeResult[] = [];
    if (this.pending.length) this.skip(this.pending, 0, this.pending.length, 'the stream ended in the middle of a frame', results);
    this.endRun(results);
    this.pending = EMPTY;
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

/** The first `##` at or after `from`, or -1. */
function findHead(data: Buffer, from: number): number {
  for (let at = data.indexOf(HASH, from); at >= 0; at = data.indexOf(HASH, at + 1)) if (data[at + 1] === HASH) return at;
  return -1;
}

function failure(message: string, raw: Buffer): DecodeResult {
  return { ok: false, error: new SensegateError('SG_PROTOCOL_ERROR', message), excerpt: excerpt(raw, EXCERPT_BYTES) };
}

function printable(text: string): string {
  return excerpt(Buffer.from(text, 'latin1'));
}
