/**
 * A bare TCP client that sends exactly the bytes a test gives it and collects every byte back,
 * for what a library client cannot do: pipelining, split and concatenated frames, bad CRCs.
 */
import { connect, type Socket } from 'node:net';
import { crc16Modbus } from '@sensegate/sdk';
import { waitFor } from '@sensegate/sdk/testing';

export class RawClient {
  received = Buffer.alloc(0);
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => (this.received = Buffer.concat([this.received, d])));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      socket.once('connect', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  /** Waits until at least `n` bytes have arrived, and takes them. */
  async take(n: number, what = `${n} bytes`): Promise<Buffer> {
    await waitFor(what, () => this.received.length >= n);
    const out = this.received.subarray(0, n);
    this.received = this.received.subarray(n);
    return out;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A Modbus TCP request: MBAP header + PDU. */
export function mbap(transactionId: number, unitId: number, pdu: number[] | Buffer): Buffer {
  const body = Buffer.from(pdu);
  const head = Buffer.alloc(7);
  head.writeUInt16BE(transactionId, 0);
  head.writeUInt16BE(0, 2);
  head.writeUInt16BE(body.length + 1, 4);
  head[6] = unitId;
  return Buffer.concat([head, body]);
}

/** An RTU frame: unit id + PDU + CRC (low byte first). */
export function rtu(unitId: number, pdu: number[] | Buffer): Buffer {
  const body = Buffer.concat([Buffer.from([unitId]), Buffer.from(pdu)]);
  const crc = Buffer.alloc(2);
  crc.writeUInt16LE(crc16Modbus(body, 0, body.length), 0);
  return Buffer.concat([body, crc]);
}

/** PDU of a read (FC 1-4). */
export const readPdu = (fc: number, address: number, count: number): number[] => [fc, address >> 8, address & 0xff, count >> 8, count & 0xff];
