// A Modbus TCP device that once sends a broken answer, then answers right again: a header that
// announces far more bytes than follow, a header of another protocol, an answer cut off halfway.
// (The response fuzz test found these.) The driver reads the device again by itself within a few
// polls, as it would after a reboot, instead of waiting forever for bytes that never come while
// every later answer is swallowed.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { createTestContext, waitFor } from '@sensegate/sdk/testing';
import modbus from '../src/index.js';
import { goodValues, modbusDevice, poll } from './support/harness.js';

const value = (address: number) => (address * 7 + 3) & 0xffff;
const POINTS = [0, 1, 2].map((address) => ({ id: `r${address}`, table: 'holding', address, type: 'uint16' }));
const RIGHT = Object.fromEntries(POINTS.map((p) => [p.id, value(p.address)]));

/** The honest answer to an FC3 request frame (MBAP header included). */
function answer(request: Buffer): Buffer {
  const address = request.readUInt16BE(8);
  const count = request.readUInt16BE(10);
  const out = Buffer.alloc(9 + count * 2);
  request.copy(out, 0, 0, 4); // transaction and protocol id
  out.writeUInt16BE(3 + count * 2, 4);
  out[6] = request[6]!;
  out[7] = 3;
  out[8] = count * 2;
  for (let i = 0; i < count; i++) out.writeUInt16BE(value(address + i), 9 + i * 2);
  return out;
}

/** A device whose first answer is `broken(honest answer)`, and every later one honest. */
async function onceBroken(broken: (good: Buffer) => Buffer): Promise<{ server: Server; port: number; connections: () => number }> {
  let first = true;
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.on('error', () => {});
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 6 && pending.length >= 6 + pending.readUInt16BE(4)) {
        const request = pending.subarray(0, 6 + pending.readUInt16BE(4));
        pending = pending.subarray(request.length);
        const good = answer(request);
        socket.write(first ? broken(good) : good);
        first = false;
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port, connections: () => connections };
}

describe('Modbus TCP: one broken answer does not break the device for good', () => {
  const context = createTestContext({ driver: 'modbus' });
  const instance = modbus.create(context);
  after(() => instance.stop());

  const cases: Array<[string, (good: Buffer) => Buffer, RegExp]> = [
    [
      'a header announcing 65,535 bytes',
      (good) => {
        const bad = Buffer.from(good.subarray(0, 9));
        bad.writeUInt16BE(0xffff, 4);
        return bad;
      },
      /malformed Modbus TCP header .*length 65535/,
    ],
    [
      'a header of another protocol',
      (good) => {
        const bad = Buffer.from(good);
        bad.writeUInt16BE(0x1234, 2);
        return bad;
      },
      /malformed Modbus TCP header .*protocol id 4660/,
    ],
    ['an answer cut off halfway', (good) => good.subarray(0, 8), /no answer within 300 ms/],
  ];

  for (const [what, broken, reason] of cases) {
    it(`after ${what}, reads right again within a few polls`, async () => {
      const device = await onceBroken(broken);
      const d = modbusDevice({
        id: `plc-${what.replace(/\W+/g, '-')}`,
        connection: { host: '127.0.0.1', port: device.port },
        points: POINTS,
        timeout: 300,
        reconnect: { initialDelay: 50, maxDelay: 200 },
        log: context.log,
      });
      await instance.addDevice(d);
      try {
        const first = await poll(instance, d);
        assert.deepEqual(goodValues(first), {}, 'the broken answer gives no value');
        await waitFor(`${d.id} to read right again`, async () => isDeepStrictEqual(goodValues(await poll(instance, d)), RIGHT), { timeout: 5000 });
        // What went wrong was said, on the points of the broken poll.
        assert.match(first.points.map((p) => p.error?.message).join(' '), reason);
      } finally {
        await instance.removeDevice(d.id);
        device.server.close();
      }
    });
  }
});
