/**
 * An RTU "port" for modbus-serial's client over any byte stream (a TCP socket to a serial server,
 * or a serial port). It replaces modbus-serial's buffered RTU ports because those take the first
 * bytes that look like the expected unit and function code as the answer, and keep stale bytes:
 * after a timeout, a late answer (or a fragment of one) can then be read as the next request's
 * answer, or break it with a CRC error. Here:
 * - bytes that arrive while no request is outstanding are dropped (the line is flushed);
 * - writing a request starts from an empty buffer;
 * - an answer is accepted only at an offset where unit id, function code, length and CRC all
 *   check, so another unit's late frame on the same line is skipped, not mistaken or fatal;
 * - `expectNothing()` after a timeout makes the rest of a late answer be dropped.
 * A late answer from the same unit with the same shape cannot be told apart by its bytes; the
 * request queue keeps that unit quiet for a while after a timeout (see request-queue.ts).
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { crc16Modbus } from '@sensegate/sdk';

const MAX_FRAME = 256;
const EXCEPTION_FRAME = 5;

/** The answer length of a request frame, from its function code; 0 when unknown. */
export function expectedAnswerLength(request: Uint8Array): number {
  switch (request[1]) {
    case 1:
    case 2:
      return 5 + ((((request[4]! << 8) | request[5]!) + 7) >> 3);
    case 3:
    case 4:
      return 5 + 2 * ((request[4]! << 8) | request[5]!);
    case 5:
    case 6:
    case 15:
    case 16:
      return 8;
    default:
      return 0;
  }
}

export class RtuFramePort extends EventEmitter {
  /** modbus-serial keys its (single) RTU transaction by these; they stay 1. */
  _transactionIdRead = 1;
  _transactionIdWrite = 1;

  private readonly buffer = Buffer.allocUnsafe(MAX_FRAME * 2);
  private length = 0;
  private unit = -1;
  private functionCode = -1;
  private answerLength = 0;
  private opened = true;

  constructor(private readonly stream: Duplex) {
    super();
    stream.on('data', (chunk: Buffer) => this.receive(chunk));
    stream.once('close', () => {
      this.opened = false;
      this.emit('close');
    });
  }

  get isOpen(): boolean {
    return this.opened && !this.stream.destroyed;
  }

  /** The stream is opened by its owner before the port is made. */
  open(callback: (err?: Error) => void): void {
    callback();
  }

  close(callback?: (err?: Error) => void): void {
    this.stream.end();
    callback?.();
  }

  destroy(callback?: (err?: Error) => void): void {
    this.stream.destroy();
    callback?.();
  }

  write(frame: Buffer): void {
    this.length = 0;
    this.unit = frame[0]!;
    this.functionCode = frame[1]!;
    this.answerLength = expectedAnswerLength(frame);
    this.stream.write(frame);
  }

  /** Stop waiting for an answer: whatever arrives now is stale and dropped. */
  expectNothing(): void {
    this.unit = -1;
    this.length = 0;
  }

  private receive(chunk: Buffer): void {
    if (this.unit < 0) return; // nothing asked: stale bytes
    // Keep the newest bytes if a noisy line overflows the buffer; a real answer is at most 256 bytes.
    if (chunk.length >= this.buffer.length) {
      chunk.copy(this.buffer, 0, chunk.length - this.buffer.length);
      this.length = this.buffer.length;
    } else {
      if (this.length + chunk.length > this.buffer.length) {
        const keep = this.buffer.length - chunk.length;
        this.buffer.copy(this.buffer, 0, this.length - keep, this.length);
        this.length = keep;
      }
      chunk.copy(this.buffer, this.length);
      this.length += chunk.length;
    }
    this.scan();
  }

  private scan(): void {
    const buf = this.buffer;
    const n = this.length;
    for (let i = 0; i + EXCEPTION_FRAME <= n; i++) {
      if (buf[i] !== this.unit) continue;
      const fc = buf[i + 1];
      let len = 0;
      if (fc === this.functionCode) len = this.answerLength;
      else if (fc === (this.functionCode | 0x80)) len = EXCEPTION_FRAME;
      if (len === 0 || i + len > n) continue;
      if (crc16Modbus(buf, i, i + len - 2) !== buf.readUInt16LE(i + len - 2)) continue;
      const frame = Buffer.allocUnsafe(len);
      buf.copy(frame, 0, i, i + len);
      this.expectNothing();
      this.emit('data', frame);
      return;
    }
  }
}
