// A hostile Modbus device next to a good one. The hostile device is a server written here that
// answers the driver's real requests with random and mutated responses: wrong lengths, wrong
// transaction ids and units, exception codes, truncated and oversized headers, random bytes, slow
// drips, silence, closed connections. It is spoken to over Modbus TCP and, through the RTU frame
// port, as an RTU device behind a serial server. Meanwhile a well-behaved simulator on its own
// connection is polled through the same driver instance. However the hostile device answers, no
// error escapes the driver, the good device's readings stay good and correct, the process keeps
// its memory and its event loop, the log stays a few lines a minute, and the hostile device reads
// correctly again as soon as it behaves.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { crc16Modbus } from '@sensegate/sdk';
import { createTestContext, fuzzBudget, fuzzFor, fuzzSeed, FuzzRandom, garbage, mutate, waitFor, watchProcess } from '@sensegate/sdk/testing';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '@sensegate/sim-modbus';
import modbus from '../src/index.js';
import { engineering, goodValues, modbusDevice, poll, profilePoints, type ModbusDevice, type ModbusInstance } from './support/harness.js';

const EVERY_TYPE = fileURLToPath(new URL('./fixtures/every-type.yaml', import.meta.url));

/** What the hostile device holds when it answers honestly. */
const register = (address: number) => (address * 7 + 3) & 0xffff;
const bit = (address: number) => address % 3 === 0;

/** Its points: two merged holding reads, an input read and a coil read per poll. */
const HOSTILE_POINTS = [
  ...[0, 1, 2, 40, 41].map((address) => ({ id: `h${address}`, table: 'holding', address, type: 'uint16' })),
  { id: 'i5', table: 'input', address: 5, type: 'uint16' },
  ...[0, 1, 2, 3, 4].map((address) => ({ id: `c${address}`, table: 'coil', address, type: 'bool' })),
];
const HONEST = Object.fromEntries(
  HOSTILE_POINTS.map((p) => [p.id, p.table === 'coil' ? bit(p.address) : register(p.address)]),
);

interface Request {
  unit: number;
  fc: number;
  address: number;
  count: number;
}

/** The honest PDU answer (function code onwards) to a read. */
function answerPdu(r: Request): Buffer {
  if (r.fc === 1 || r.fc === 2) {
    const data = Buffer.alloc((r.count + 7) >> 3);
    for (let i = 0; i < r.count; i++) if (bit(r.address + i)) data[i >> 3]! |= 1 << (i & 7);
    return Buffer.concat([Buffer.from([r.fc, data.length]), data]);
  }
  const data = Buffer.alloc(r.count * 2);
  for (let i = 0; i < r.count; i++) data.writeUInt16BE(register(r.address + i), i * 2);
  return Buffer.concat([Buffer.from([r.fc, data.length]), data]);
}

type Framing = 'tcp' | 'rtu-over-tcp';

function mbap(tid: number, unit: number, pdu: Buffer, length = pdu.length + 1, protocol = 0): Buffer {
  const head = Buffer.alloc(7);
  head.writeUInt16BE(tid & 0xffff, 0);
  head.writeUInt16BE(protocol, 2);
  head.writeUInt16BE(length & 0xffff, 4);
  head[6] = unit;
  return Buffer.concat([head, pdu]);
}

function rtu(unit: number, pdu: Buffer): Buffer {
  const out = Buffer.alloc(pdu.length + 3);
  out[0] = unit;
  pdu.copy(out, 1);
  out.writeUInt16LE(crc16Modbus(out, 0, pdu.length + 1), pdu.length + 1);
  return out;
}

/**
 * The hostile device: parses each request as a real device would, then answers it one of many
 * wrong ways (or honestly), chosen by its own seeded random. `honest` makes every answer right.
 */
class HostileDevice {
  readonly server: Server;
  honest = false;
  requests = 0;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly framing: Framing,
    private readonly random: FuzzRandom,
  ) {
    this.server = createServer((socket) => this.serve(socket));
  }

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const size = this.framing === 'tcp' ? (pending.length >= 6 ? 6 + pending.readUInt16BE(4) : Infinity) : 8;
        if (pending.length < size) return;
        const frame = pending.subarray(0, size);
        pending = pending.subarray(size);
        const at = this.framing === 'tcp' ? 6 : 0;
        const request = { unit: frame[at]!, fc: frame[at + 1]!, address: frame.readUInt16BE(at + 2), count: frame.readUInt16BE(at + 4) };
        this.requests++;
        this.answer(socket, request, this.framing === 'tcp' ? frame.readUInt16BE(0) : 0);
      }
    });
  }

  private answer(socket: Socket, r: Request, tid: number): void {
    const random = this.random;
    const pdu = answerPdu(r);
    const frame = (p: Buffer, unit = r.unit, t = tid) => (this.framing === 'tcp' ? mbap(t, unit, p) : rtu(unit, p));
    const good = frame(pdu);
    const send = (bytes: Buffer) => socket.writable && socket.write(bytes);
    if (this.honest) return void send(good);
    switch (random.int(16)) {
      case 0:
      case 1:
      case 2:
        return void send(good);
      case 3:
        return void send(mutate(random, good, 512));
      case 4: // another transaction's answer, or another unit's, or another function's
        return void send(random.chance(0.5) ? frame(pdu, r.unit, tid + 1 + random.int(3)) : frame(Buffer.from([random.pick([r.fc ^ 1, 0x2b, 0x11]), ...pdu.subarray(1)]), random.chance(0.5) ? r.unit : (r.unit + 1) & 0xff));
      case 5: // an exception, of any code
        return void send(frame(Buffer.from([r.fc | 0x80, random.int(256)])));
      case 6: // cut short: part of a header, or part of the data
        return void send(good.subarray(0, random.int(good.length)));
      case 7: // a header announcing far more than comes
        return void send(this.framing === 'tcp' ? mbap(tid, r.unit, pdu.subarray(0, random.int(pdu.length)), 255 + random.int(65_281)) : Buffer.concat([good.subarray(0, 2), Buffer.from([255]), random.bytes(random.int(64))]));
      case 8: // a length field of nothing, or one that lies by a little
        return void send(this.framing === 'tcp' ? mbap(tid, r.unit, pdu, random.pick([0, 1, 2, pdu.length, pdu.length + 2])) : frame(Buffer.from([r.fc, pdu[1]! + 2, ...pdu.subarray(2)])));
      case 9: // random bytes
        return void send(garbage(random, 300));
      case 10: // the right answer a byte at a time
        return void this.drip(socket, good);
      case 11: // nothing at all
        return;
      case 12: // hang up
        return void socket.destroy();
      case 13: // the answer twice
        return void send(Buffer.concat([good, good]));
      case 14: // not Modbus's protocol id; on RTU, a stale fragment before the answer
        return void send(this.framing === 'tcp' ? mbap(tid, r.unit, pdu, pdu.length + 1, 1 + random.int(0xffff)) : Buffer.concat([random.bytes(1 + random.int(8)), good]));
      default: // a flood: 64 KiB of noise
        return void send(random.bytes(64 * 1024));
    }
  }

  private drip(socket: Socket, bytes: Buffer): void {
    let i = 0;
    const next = () => {
      if (i >= bytes.length || !socket.writable) return;
      socket.write(bytes.subarray(i, ++i));
      setTimeout(next, this.random.int(40)).unref();
    };
    next();
  }
}

describe('Modbus responses from a hostile device', () => {
  let sim: ModbusSimulator;
  let instance: ModbusInstance;
  let good: ModbusDevice;
  const context = createTestContext({ driver: 'modbus' });
  const seed = fuzzSeed();

  before(async () => {
    sim = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile: loadProfile(EVERY_TYPE) }] });
    instance = modbus.create(context);
    good = modbusDevice({ id: 'good', connection: { host: '127.0.0.1', port: sim.port }, points: profilePoints(EVERY_TYPE), timeout: 2000, log: context.log.child({ device: 'good' }) });
    await instance.addDevice(good);
  });

  after(async () => {
    await instance.stop();
    await sim.close();
  });

  for (const framing of ['tcp', 'rtu-over-tcp'] as const) {
    it(`over ${framing}: nothing escapes, the good device stays right, the process stays well, the hostile one recovers`, async () => {
      const hostileDevice = new HostileDevice(framing, new FuzzRandom(seed + (framing === 'tcp' ? 1 : 2)));
      const port = await hostileDevice.listen();
      const hostile = modbusDevice({
        id: `hostile-${framing}`,
        connection: { host: '127.0.0.1', port, transport: framing },
        points: HOSTILE_POINTS,
        timeout: 200,
        reconnect: { initialDelay: 200, maxDelay: 2000 },
        log: context.log.child({ device: `hostile-${framing}` }),
      });
      await instance.addDevice(hostile);
      const expected = Object.fromEntries(good.points.map((p) => [p.id, sim.value(1, p.id)]));
      const logsBefore = context.logs.length;
      const started = Date.now();
      const watch = watchProcess();
      try {
        const rounds = await fuzzFor(
          fuzzBudget(3),
          async () => {
            const [bad, ok] = await Promise.all([poll(instance, hostile), poll(instance, good)]);
            // Every point of the hostile device has an outcome: a value, or an error saying what went wrong.
            for (const p of bad.points) assert.ok(p.quality === 'good' || (p.quality === 'bad' && p.error?.message), `point ${p.id}: ${p.quality}`);
            assert.deepEqual(engineering(good, ok), expected);
          },
          { seed },
        );
        const seen = watch.read();
        const minutes = (Date.now() - started) / 60_000;
        // Lines a gateway writes at its default level (info): debug lines are not kept.
        const lines = context.logs.slice(logsBefore).filter((l) => l.level !== 'debug' && l.level !== 'trace').length;
        assert.ok(rounds > 5, `only ${rounds} rounds ran`);
        assert.ok(hostileDevice.requests >= 10, `the hostile device was asked ${hostileDevice.requests} times`);
        assert.ok(seen.maxStallMs < 1000, `the event loop stalled for ${seen.maxStallMs} ms`);
        assert.ok(seen.peakRssBytes - seen.startRssBytes < 256 * 1024 * 1024, `RSS grew by ${Math.round((seen.peakRssBytes - seen.startRssBytes) / 2 ** 20)} MiB`);
        // The hostile device drops and is reconnected all the time; its log stays a few lines, plus a summary now and then.
        assert.ok(lines <= 10 + 20 * minutes, `${lines} log lines in ${Math.round(minutes * 60)} s (replay with SENSEGATE_FUZZ_SEED=${seed})`);

        // Once it behaves, it reads right again without anyone touching the gateway.
        hostileDevice.honest = true;
        await waitFor(`the hostile device read right again (SENSEGATE_FUZZ_SEED=${seed})`, async () => {
          const result = await poll(instance, hostile);
          return isDeepStrictEqual(goodValues(result), HONEST);
        }, { timeout: 10_000 });
      } finally {
        watch.stop();
        await instance.removeDevice(hostile.id);
        await hostileDevice.close();
      }
    });
  }
});
