// The RTU framing on a noisy line: the answer to the request on the wire is found wherever it
// starts, however the bytes are chunked, and nothing else is taken for it: not stale bytes, not
// another unit's frame, not a frame with a bad CRC.
import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { describe, it } from 'node:test';
import { crc16Modbus } from '@sensegate/sdk';
import { expectedAnswerLength, RtuFramePort } from '../src/transport/rtu-frame-port.js';

/** The far end of a serial line: records what the port sends, delivers bytes the test chooses. */
class Line extends Duplex {
  readonly sent: Buffer[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.sent.push(chunk);
    done();
  }
  override _read(): void {}
  deliver(bytes: Buffer): void {
    this.push(bytes);
  }
}

function frame(...bytes: number[]): Buffer {
  const out = Buffer.alloc(bytes.length + 2);
  Buffer.from(bytes).copy(out);
  out.writeUInt16LE(crc16Modbus(out, 0, bytes.length), bytes.length);
  return out;
}

const readHolding = (unit: number, address: number, count: number) => frame(unit, 3, address >> 8, address & 0xff, count >> 8, count & 0xff);

async function answers(port: RtuFramePort, line: Line, chunks: Buffer[]): Promise<Buffer[]> {
  const got: Buffer[] = [];
  port.on('data', (f: Buffer) => got.push(f));
  for (const c of chunks) {
    line.deliver(c);
    await new Promise((r) => setImmediate(r));
  }
  return got;
}

describe('RTU framing', () => {
  it('knows the answer length of each function code', () => {
    assert.equal(expectedAnswerLength(readHolding(1, 0, 10)), 25);
    assert.equal(expectedAnswerLength(frame(1, 1, 0, 0, 0, 9)), 7);
    assert.equal(expectedAnswerLength(frame(1, 6, 0, 0, 0, 9)), 8);
  });

  it('assembles an answer that arrives one byte at a time', async () => {
    const line = new Line();
    const port = new RtuFramePort(line);
    port.write(readHolding(1, 0, 2));
    const answer = frame(1, 3, 4, 0, 7, 0, 9);
    const got = await answers(port, line, [...answer].map((b) => Buffer.from([b])));
    assert.deepEqual(got, [answer]);
    assert.deepEqual(line.sent, [readHolding(1, 0, 2)]);
  });

  it('skips stale bytes, another unit\'s frame and a corrupted copy before the real answer', async () => {
    const line = new Line();
    const port = new RtuFramePort(line);
    port.write(readHolding(1, 0, 2));
    const other = frame(2, 3, 4, 1, 3, 0, 0); // contains 01 03, like the start of unit 1's answer
    const corrupted = frame(1, 3, 4, 0, 7, 0, 9);
    corrupted[4] ^= 0xff;
    const answer = frame(1, 3, 4, 0, 8, 0, 9);
    const got = await answers(port, line, [Buffer.from([0x55, 0x01]), Buffer.concat([other, corrupted, answer.subarray(0, 3)]), answer.subarray(3)]);
    assert.deepEqual(got, [answer]);
  });

  it('takes an exception answer to the request on the wire', async () => {
    const line = new Line();
    const port = new RtuFramePort(line);
    port.write(readHolding(7, 100, 1));
    const exception = frame(7, 0x83, 2);
    assert.deepEqual(await answers(port, line, [exception]), [exception]);
  });

  it('drops what arrives while nothing is asked, and after the request was given up', async () => {
    const line = new Line();
    const port = new RtuFramePort(line);
    const late = frame(1, 3, 2, 0, 1);
    assert.deepEqual(await answers(port, line, [late]), [], 'no request on the wire');
    port.write(readHolding(1, 0, 1));
    port.expectNothing();
    assert.deepEqual(await answers(port, line, [late]), [], 'request timed out');
    port.write(readHolding(1, 0, 1));
    const fresh = frame(1, 3, 2, 0, 2);
    assert.deepEqual(await answers(port, line, [fresh, late]), [fresh], 'one answer per request');
  });

  it('does not let a flood of noise grow its buffer, and still finds the answer after it', async () => {
    const line = new Line();
    const port = new RtuFramePort(line);
    port.write(readHolding(1, 0, 1));
    const answer = frame(1, 3, 2, 0, 2);
    assert.deepEqual(await answers(port, line, [Buffer.alloc(5000, 0x11), Buffer.alloc(300, 0x22), answer]), [answer]);
  });
});
