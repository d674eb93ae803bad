// A serial-to-Ethernet converter in front of an RS-485 bus: RTU frames over TCP, several units on
// one bus. Frames arrive split or glued together; a bad CRC or an absent unit gets silence.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ModbusRTU } from './support/modbus-client.js';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '../src/index.js';
import { RawClient, readPdu, rtu } from './support/raw-client.js';
import { waitFor } from '@sensegate/sdk/testing';

// A generous frame gap: a loaded machine may pause between the pieces of one frame.
const EVERY_TYPE = fileURLToPath(new URL('./fixtures/every-type.yaml', import.meta.url));

describe('RTU over TCP', () => {
  let sim: ModbusSimulator;
  let raw: RawClient;

  before(async () => {
    const profile = loadProfile(EVERY_TYPE);
    sim = await startModbusSimulator({ port: 0, framing: 'rtu-over-tcp', rtuFrameGap: 1000, units: [1, 2, 3].map((unitId) => ({ unitId, profile })) });
    raw = await RawClient.connect(sim.port);
  });

  after(async () => {
    raw.close();
    await sim.close();
  });

  const answerTo = (unit: number, count: number) => rtu(unit, [3, count * 2, ...sim.readRegisters(unit, 'holding', 0, count)]);

  // modbus-serial's RTU-over-TCP client is `connectTelnet`; its `connectTcpRTUBuffered` sends MBAP frames.
  it('serves a library RTU client, unit by unit', async (t) => {
    const client = new ModbusRTU();
    t.after(() => new Promise<void>((r) => client.close(() => r())));
    await client.connectTelnet('127.0.0.1', { port: sim.port });
    client.setTimeout(5000);
    for (const unit of [1, 2, 3]) {
      client.setID(unit);
      await client.writeRegister(40, unit * 10);
      assert.equal(sim.value(unit, 'setpoint'), unit * 5);
      assert.equal((await client.readInputRegisters(0, 1)).data[0], 0xff85); // -123 raw
      assert.equal((await client.readCoils(0, 1)).data[0], true);
    }
  });

  it('answers a frame that arrives one byte at a time', async () => {
    const frame = rtu(2, readPdu(3, 0, 4));
    for (const byte of frame) await raw.write(Buffer.from([byte]));
    assert.deepEqual(await raw.take(13), answerTo(2, 4));
  });

  it('answers every frame of a chunk that holds several, in order', async () => {
    await raw.write(Buffer.concat([rtu(1, readPdu(3, 0, 2)), rtu(3, readPdu(3, 0, 3)), rtu(2, readPdu(3, 0, 1))]));
    assert.deepEqual(await raw.take(9), answerTo(1, 2));
    assert.deepEqual(await raw.take(11), answerTo(3, 3));
    assert.deepEqual(await raw.take(7), answerTo(2, 1));
  });

  it('finds frames split across chunks at any point, write frames too', async () => {
    const write = rtu(1, [16, 0, 40, 0, 1, 2, 0, 66]);
    const stream = Buffer.concat([write, rtu(1, readPdu(3, 40, 1)), write]);
    await raw.write(stream.subarray(0, 5));
    await raw.write(stream.subarray(5, 14));
    await raw.write(stream.subarray(14));
    assert.deepEqual(await raw.take(8), rtu(1, [16, 0, 40, 0, 1]));
    assert.deepEqual(await raw.take(7), rtu(1, [3, 2, 0, 66]));
    assert.deepEqual(await raw.take(8), rtu(1, [16, 0, 40, 0, 1]));
  });

  it('ignores a frame with a bad CRC, counts it, and answers the next one', async () => {
    const before = sim.stats().badCrc;
    const bad = rtu(1, readPdu(3, 0, 2));
    bad[bad.length - 1]! ^= 0xff;
    await raw.write(Buffer.concat([bad, rtu(2, readPdu(3, 0, 2))]));
    assert.deepEqual(await raw.take(9), answerTo(2, 2), 'only the good frame is answered');
    assert.equal(sim.stats().badCrc, before + 1);
  });

  it('stays silent for a unit that is not on the bus, like a real bus', async () => {
    const unanswered = sim.stats().unanswered;
    await raw.write(Buffer.concat([rtu(9, readPdu(3, 0, 1)), rtu(1, readPdu(3, 0, 1))]));
    assert.deepEqual(await raw.take(7), answerTo(1, 1), 'the next answer is unit 1\'s');
    assert.equal(sim.stats().unanswered, unanswered + 1);
  });

  it('answers exceptions with a correct CRC, also for a function code it does not know', async () => {
    await raw.write(rtu(3, [0x11]));
    assert.deepEqual(await raw.take(5), rtu(3, [0x91, 1]));
    await raw.write(rtu(3, readPdu(4, 100, 1)));
    assert.deepEqual(await raw.take(5), rtu(3, [0x84, 2]));
  });

  it('executes a broadcast write on every unit and answers none', async () => {
    await raw.write(rtu(0, [6, 0, 40, 0, 200]));
    await waitFor('every unit to take the broadcast', () => [1, 2, 3].every((u) => sim.value(u, 'setpoint') === 100));
    await raw.write(rtu(1, readPdu(3, 40, 1)));
    assert.deepEqual(await raw.take(7), rtu(1, [3, 2, 0, 200]), 'no answer came for the broadcast');
  });

  it('drops the bytes of a broken frame after a silence, and answers the next frame', async () => {
    await raw.write(Buffer.from([1, 3, 0])); // a request cut short
    const bad = sim.stats().badFrames;
    await new Promise((r) => setTimeout(r, 1500)); // a silence longer than the 1000 ms frame gap
    await raw.write(rtu(1, readPdu(3, 0, 1)));
    assert.deepEqual(await raw.take(7), answerTo(1, 1));
    assert.equal(sim.stats().badFrames, bad + 1);
  });
});
