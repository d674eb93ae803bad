/**
 * A Modbus TCP "port" for modbus-serial's client over a connected socket. It replaces
 * modbus-serial's TcpPort, whose framing trusts every header it reads: a length field of 65,535
 * makes it wait for 64 KiB that never come while every later answer is swallowed, an answer cut
 * off halfway glues itself to the next one and the stream stays out of step, and any protocol id
 * passes for Modbus. A device that sends one such frame would read nothing until its connection
 * dropped. Here:
 * - a header must carry protocol id 0 and a length of 2..254 (the unit id and a PDU of at most
 *   253 bytes); anything else means the byte stream is out of step;
 * - an answer left unfinished (no byte for half the timeout) when a request times out means the
 *   same, while one still arriving byte by byte is only slow;
 * - out of step, the port closes the socket with the reason: the endpoint then reconnects with
 *   backoff, which is how a Modbus TCP client gets back in step;
 * - at most one frame (260 bytes) is kept between reads.
 * Answers reach the client as modbus-serial expects them from a port: unit id, PDU and a CRC.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { crc16Modbus } from '@sensegate/sdk';

const HEADER = 6;
const MAX_LENGTH = 254;
/** modbus-serial keeps one transaction record per id and never deletes them: ids cycle through 256. */
const TRANSACTION_IDS = 256;

export class MbapFramePort extends EventEmitter {
  /** modbus-serial keys its transactions by these. */
  _transactionIdRead = 1;
  _transactionIdWrite = 1;

  private pending = Buffer.alloc(0);
  /** When the last byte of an unfinished frame arrived; undefined when none is buffered. */
  private lastByteAt: number | undefined;
  private opened = true;

  constructor(private readonly socket: Socket) {
    super();
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.once('close', () => {
      this.opened = false;
      this.emit('close');
    });
  }

  get isOpen(): boolean {
    return this.opened && !this.socket.destroyed;
  }

  /** The socket is connected by its owner before the port is made. */
  open(callback: (err?: Error) => void): void {
    callback();
  }

  close(callback?: (err?: Error) => void): void {
    this.socket.end();
    callback?.();
  }

  destroy(callback?: (err?: Error) => void): void {
    this.socket.destroy();
    callback?.();
  }

  /** A request from modbus-serial: unit id, PDU, CRC; sent as MBAP header, unit id, PDU. */
  write(frame: Buffer): void {
    const length = frame.length - 2;
    const out = Buffer.allocUnsafe(HEADER + length);
    out.writeUInt16BE(this._transactionIdWrite, 0);
    out.writeUInt16BE(0, 2);
    out.writeUInt16BE(length, 4);
    frame.copy(out, HEADER, 0, length);
    this._transactionIdWrite = (this._transactionIdWrite + 1) % TRANSACTION_IDS;
    this.socket.write(out);
  }

  /**
   * Called when a request timed out: an answer that stopped arriving halfway will never be
   * finished, and whatever comes next would be read as its rest. Closes the connection then.
   */
  requestTimedOut(timeout: number, now = performance.now()): void {
    if (this.lastByteAt !== undefined && now - this.lastByteAt >= timeout / 2) {
      this.outOfStep(`the device left an answer unfinished (${this.pending.length} bytes, then nothing)`);
    }
  }

  private receive(chunk: Buffer): void {
    let data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (data.length >= HEADER) {
      const protocol = data.readUInt16BE(2);
      const length = data.readUInt16BE(4);
      if (protocol !== 0 || length < 2 || length > MAX_LENGTH) {
        this.outOfStep(`the device sent a malformed Modbus TCP header (protocol id ${protocol}, length ${length})`);
        return;
      }
      if (data.length < HEADER + length) break;
      const answer = Buffer.allocUnsafe(length + 2);
      data.copy(answer, 0, HEADER, HEADER + length);
      answer.writeUInt16LE(crc16Modbus(answer, 0, length), length);
      this._transactionIdRead = data.readUInt16BE(0);
      data = data.subarray(HEADER + length);
      this.emit('data', answer);
      if (!this.isOpen) return;
    }
    // What is left is the start of one frame (at most 259 bytes): keep a copy, not the whole chunk.
    this.pending = Buffer.from(data);
    this.lastByteAt = data.length > 0 ? performance.now() : undefined;
  }

  private outOfStep(reason: string): void {
    this.pending = Buffer.alloc(0);
    this.lastByteAt = undefined;
    this.socket.destroy(new Error(`${reason}; reconnecting to get back in step`));
  }
}
