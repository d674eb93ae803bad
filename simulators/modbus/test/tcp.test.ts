// A gateway reads a simulated device over Modbus TCP: every table and type reads back what the
// profile says, writes stick, bad requests get the exception a real device gives.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { compileDecoder } from '@sensegate/sdk';
import { ModbusRTU } from './support/modbus-client.js';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '../src/index.js';
import { mbap, RawClient, readPdu } from './support/raw-client.js';
import { waitFor } from '@sensegate/sdk/testing';

const EVERY_TYPE = fileURLToPath(new URL('./fixtures/every-type.yaml', import.meta.url));

/** The engineering value a gateway computes from the registers a client read. */
function engineering(buffer: Buffer, byteOffset: number, point: { type: string; byteOrder?: string; bit?: number; length?: number; scale: number; offset: number; decimals?: number }): unknown {
  const raw = compileDecoder(point as Parameters<typeof compileDecoder>[0])(buffer, byteOffset);
  if (typeof raw !== 'number') return raw;
  const v = raw * point.scale + point.offset;
  return point.decimals === undefined ? v : Math.round(v * 10 ** point.decimals) / 10 ** point.decimals;
}

describe('Modbus TCP', () => {
  let sim: ModbusSimulator;
  let client: ModbusRTU;
  const profile = loadProfile(EVERY_TYPE);

  before(async () => {
    sim = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile }, { unitId: 7, profile }] });
    client = new ModbusRTU();
    await client.connectTCP('127.0.0.1', { port: sim.port });
    client.setTimeout(5000);
    client.setID(1);
  });

  after(async () => {
    await new Promise<void>((r) => client.close(() => r()));
    await sim.close();
  });

  it('listens on the port it reports', () => {
    assert.ok(sim.port > 0);
    assert.equal(sim.host, '127.0.0.1');
  });

  it('serves every register point as the profile says, in one block read per table', async () => {
    const holding = (await client.readHoldingRegisters(0, 41)).buffer;
    const input = (await client.readInputRegisters(0, 4)).buffer;
    const expected: Record<string, unknown> = {
      temperature: -12.3,
      level: 2.5,
      pressure: 1.013,
      flow: 123.45,
      swapped: -100000,
      little: 3000000000,
      energy: 98765.4,
      big: -9007199254740991,
      ubig: '18446744073709551615',
      mode: 513,
      enabled: true,
      alarmA: false,
      alarmC: true,
      serial: 'SG-0042',
      tag: 'abc',
      setpoint: 20,
    };
    for (const point of profile.points.filter((p) => p.table === 'holding' || p.table === 'input')) {
      const registers = point.table === 'holding' ? holding : input;
      const got = engineering(registers, point.address * 2, point);
      assert.deepEqual(got, expected[point.id], `${point.id} read over the wire`);
      assert.deepEqual(sim.value(1, point.id), expected[point.id], `${point.id} from value()`);
    }
  });

  it('lays out byte orders on the wire as the sdk codecs say', async () => {
    const regs = (await client.readHoldingRegisters(10, 2)).buffer;
    const be = Buffer.alloc(4);
    be.writeFloatBE(123.45);
    assert.deepEqual([...regs], [be[2], be[3], be[0], be[1]], 'float32 CDAB is word-swapped');
    assert.deepEqual([...(await client.readHoldingRegisters(28, 1)).buffer], [0x01, 0x02], 'uint16 BADC 513 is byte-swapped');
    assert.deepEqual(sim.readRegisters(1, 'holding', 28, 1), Buffer.from([0x01, 0x02]));
  });

  it('serves coils and discrete inputs as packed bits, at any alignment', async () => {
    const coils = await client.readCoils(0, 10);
    assert.equal(coils.data[0], true, 'running');
    assert.equal(coils.data[9], false, 'valve');
    const discrete = await client.readDiscreteInputs(3, 10);
    assert.deepEqual(discrete.data.slice(0, 10), [true, false, false, false, false, false, false, false, false, true]);
    assert.equal(sim.value(1, 'door'), true);
    assert.deepEqual(sim.readRegisters(1, 'discrete', 3, 10), Buffer.from([0b0000_0001, 0b10]));
  });

  it('writes single and multiple registers and coils, and reads them back', async () => {
    await client.writeRegister(40, 90); // FC 6: raw 90 * scale 0.5
    assert.equal(sim.value(1, 'setpoint'), 45);
    assert.deepEqual((await client.readHoldingRegisters(40, 1)).data, [90]);

    await client.writeRegisters(10, [0x4120, 0x0000]); // FC 16: flow (CDAB) gets the word-swapped float
    assert.deepEqual((await client.readHoldingRegisters(10, 2)).data, [0x4120, 0x0000]);

    await client.writeCoil(9, true); // FC 5
    assert.equal(sim.value(1, 'valve'), true);
    await client.writeCoils(0, [false, true, true, false, false, false, false, false, false, false]); // FC 15
    assert.deepEqual((await client.readCoils(0, 10)).data.slice(0, 10), [false, true, true, false, false, false, false, false, false, false]);
    assert.equal(sim.value(1, 'running'), false);
    assert.equal(sim.value(1, 'valve'), false);
  });

  it('answers each unit from its own tables', async () => {
    client.setID(7);
    await client.writeRegister(40, 7);
    client.setID(1);
    assert.equal(sim.value(7, 'setpoint'), 3.5);
    assert.notEqual(sim.value(1, 'setpoint'), 3.5);
  });

  it('answers exception 1 for an unknown function, 2 outside the map, 3 for a bad quantity', async () => {
    const raw = await RawClient.connect(sim.port);
    try {
      await raw.write(mbap(1, 1, [0x2b, 0x0e, 0x01, 0x00]));
      assert.deepEqual([...(await raw.take(9))], [0, 1, 0, 0, 0, 3, 1, 0xab, 1]);
      await raw.write(mbap(2, 1, readPdu(3, 40, 2))); // holding ends at 40
      assert.deepEqual([...(await raw.take(9))], [0, 2, 0, 0, 0, 3, 1, 0x83, 2]);
      await raw.write(mbap(3, 1, readPdu(3, 0, 126)));
      assert.deepEqual([...(await raw.take(9))], [0, 3, 0, 0, 0, 3, 1, 0x83, 3]);
      await raw.write(mbap(4, 1, readPdu(1, 0, 2001)));
      assert.deepEqual([...(await raw.take(9))], [0, 4, 0, 0, 0, 3, 1, 0x81, 3]);
      await raw.write(mbap(5, 1, [5, 0, 0, 0x12, 0x34])); // a coil is 0xFF00 or 0x0000
      assert.deepEqual([...(await raw.take(9))], [0, 5, 0, 0, 0, 3, 1, 0x85, 3]);
      await raw.write(mbap(6, 1, [16, 0, 0, 0, 2, 3, 0, 0, 0])); // byte count does not match
      assert.deepEqual([...(await raw.take(9))], [0, 6, 0, 0, 0, 3, 1, 0x90, 3]);
      await raw.write(mbap(7, 1, readPdu(2, 16, 1))); // discrete inputs end at 13
      assert.deepEqual([...(await raw.take(9))], [0, 7, 0, 0, 0, 3, 1, 0x82, 2]);
    } finally {
      raw.close();
    }
    await assert.rejects(client.readHoldingRegisters(39, 5), /exception 2/i);
  });

  it('answers exception 0x0B for a unit that does not exist', async () => {
    const raw = await RawClient.connect(sim.port);
    try {
      await raw.write(mbap(9, 42, readPdu(3, 0, 1)));
      assert.deepEqual([...(await raw.take(9))], [0, 9, 0, 0, 0, 3, 42, 0x83, 0x0b]);
    } finally {
      raw.close();
    }
  });

  it('echoes diagnostics sub-function 0', async () => {
    const raw = await RawClient.connect(sim.port);
    try {
      await raw.write(mbap(11, 1, [8, 0, 0, 0xa5, 0x37]));
      assert.deepEqual([...(await raw.take(12))], [0, 11, 0, 0, 0, 6, 1, 8, 0, 0, 0xa5, 0x37]);
    } finally {
      raw.close();
    }
  });

  it('answers every pipelined request by its transaction id, however the bytes are split', async () => {
    const raw = await RawClient.connect(sim.port);
    try {
      const requests = Array.from({ length: 200 }, (_, i) => mbap(1000 + i, i % 2 ? 7 : 1, readPdu(3, i % 30, 1 + (i % 10))));
      const stream = Buffer.concat(requests);
      // One big write, then the same stream in odd-sized pieces.
      await raw.write(stream);
      for (let at = 0; at < stream.length; at += 37) await raw.write(stream.subarray(at, at + 37));
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 200; i++) {
          const count = 1 + (i % 10);
          const answer = await raw.take(9 + count * 2, `answer ${i} of round ${round}`);
          assert.equal(answer.readUInt16BE(0), 1000 + i, 'transaction id');
          assert.equal(answer[6], i % 2 ? 7 : 1, 'unit id');
          assert.equal(answer[7], 3);
          assert.equal(answer[8], count * 2);
          assert.deepEqual(answer.subarray(9), sim.readRegisters(i % 2 ? 7 : 1, 'holding', i % 30, count));
        }
      }
    } finally {
      raw.close();
    }
  });

  it('disconnects a client that sends an impossible MBAP length, and its answers go nowhere else', async () => {
    const bad = await RawClient.connect(sim.port);
    const good = await RawClient.connect(sim.port);
    try {
      const garbage = Buffer.from([0, 99, 0, 0, 0xff, 0xff, 1, 3, 0, 0]);
      await bad.write(Buffer.concat([mbap(98, 1, readPdu(3, 0, 1)), garbage]));
      await waitFor('the bad client to be disconnected', () => bad.closed);
      await good.write(mbap(99, 1, readPdu(3, 0, 1)));
      const answer = await good.take(11);
      assert.equal(answer.readUInt16BE(0), 99);
      await good.write(mbap(100, 1, readPdu(3, 0, 1)));
      assert.equal((await good.take(11)).readUInt16BE(0), 100, 'nothing else arrived in between');
    } finally {
      bad.close();
      good.close();
    }
  });

  it('counts what it served', async () => {
    await waitFor('the raw clients to be gone', () => sim.stats().clients === 1);
    const s = sim.stats();
    assert.ok(s.requests >= 400);
    assert.ok((s.byFunction['3'] ?? 0) >= 400);
    assert.ok(s.byFunction['16']! >= 1 && s.byFunction['15']! >= 1 && s.byFunction['5']! >= 1 && s.byFunction['6']! >= 1);
    assert.ok(s.exceptions >= 8);
    assert.equal(s.clients, 1, 'the library client is still connected');
    assert.ok(s.bytesIn > 0 && s.bytesOut > 0);
  });
});

describe('many clients', () => {
  it('serves 100 clients connected at once', async (t) => {
    const sim = await startModbusSimulator({ port: 0, units: [{ unitId: 1, profile: loadProfile(EVERY_TYPE) }] });
    const clients: ModbusRTU[] = [];
    t.after(async () => {
      await Promise.all(clients.map((c) => new Promise<void>((r) => c.close(() => r()))));
      await sim.close();
    });
    for (let i = 0; i < 100; i++) {
      const c = new ModbusRTU();
      c.setTimeout(10_000);
      clients.push(c);
    }
    await Promise.all(clients.map((c) => c.connectTCP('127.0.0.1', { port: sim.port })));
    await waitFor('100 clients connected', () => sim.stats().clients === 100);
    const rounds = await Promise.all(
      clients.map(async (c, i) => {
        c.setID(1);
        let good = 0;
        for (let r = 0; r < 10; r++) {
          const res = await c.readHoldingRegisters(0, 41);
          if (res.buffer.length === 82 && (await c.readInputRegisters(0, 1)).data[0] === 0xff85) good++;
          if (r === 5) await c.writeRegister(40, i); // every client writes, the last write wins
        }
        return good;
      }),
    );
    assert.deepEqual(rounds, Array(100).fill(10));
  });
});
