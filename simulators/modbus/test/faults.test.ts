// Faults on demand: a slow device, exception answers, a unit that stops answering, dropped
// connections, and a device that restarts (same port, values kept).
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ModbusRTU } from './support/modbus-client.js';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '../src/index.js';
import { mbap, RawClient, readPdu } from './support/raw-client.js';
import { waitFor } from '@sensegate/sdk/testing';

const EVERY_TYPE = fileURLToPath(new URL('./fixtures/every-type.yaml', import.meta.url));

async function connect(port: number, timeout = 5000): Promise<ModbusRTU> {
  const client = new ModbusRTU();
  await client.connectTCP('127.0.0.1', { port });
  client.setTimeout(timeout);
  return client;
}

const closeClient = (c: ModbusRTU) => new Promise<void>((r) => (c.isOpen ? c.close(() => r()) : r()));

describe('faults', () => {
  let sim: ModbusSimulator;
  let client: ModbusRTU;

  before(async () => {
    const profile = loadProfile(EVERY_TYPE);
    sim = await startModbusSimulator({ port: 0, units: [1, 2, 3].map((unitId) => ({ unitId, profile })) });
    client = await connect(sim.port);
  });

  after(async () => {
    await closeClient(client);
    await sim.close();
  });

  it('latency delays the answers of one unit past a client timeout, and is removed', async () => {
    sim.faults.latency(3000, 2);
    const impatient = await connect(sim.port, 300);
    try {
      impatient.setID(2);
      await assert.rejects(impatient.readHoldingRegisters(0, 1), { errno: 'ETIMEDOUT' });
      impatient.setID(1);
      assert.equal((await impatient.readHoldingRegisters(40, 1)).data.length, 1, 'unit 1 answers on time');
      sim.faults.latency(0, 2);
      impatient.setID(2);
      assert.equal((await impatient.readHoldingRegisters(40, 1)).data.length, 1);
    } finally {
      await closeClient(impatient);
    }
  });

  it('a delayed answer still arrives, with its transaction id', async () => {
    sim.faults.latency(200);
    const raw = await RawClient.connect(sim.port);
    try {
      await raw.write(Buffer.concat([mbap(71, 1, readPdu(3, 0, 1)), mbap(72, 3, readPdu(3, 0, 1))]));
      const answers = [await raw.take(11), await raw.take(11)].map((a) => a.readUInt16BE(0)).sort();
      assert.deepEqual(answers, [71, 72]);
    } finally {
      raw.close();
      sim.faults.clear();
    }
  });

  it('an exception fault on a unit answers every request to it with that code', async () => {
    sim.faults.exception(4, { unitId: 1 });
    client.setID(1);
    await assert.rejects(client.readHoldingRegisters(0, 1), /exception 4/i);
    await assert.rejects(client.readCoils(0, 1), /exception 4/i);
    await assert.rejects(client.writeRegister(40, 1), /exception 4/i);
    client.setID(2);
    assert.equal((await client.readHoldingRegisters(0, 1)).data.length, 1, 'unit 2 is fine');
    sim.faults.clear();
    client.setID(1);
    assert.equal((await client.readHoldingRegisters(0, 1)).data.length, 1);
  });

  it('an exception fault on an address hits only the requests that cover it', async () => {
    sim.faults.exception(2, { unitId: 1, table: 'holding', address: 10 });
    client.setID(1);
    await assert.rejects(client.readHoldingRegisters(0, 12), /exception 2/i);
    await assert.rejects(client.readHoldingRegisters(10, 1), /exception 2/i);
    await assert.rejects(client.writeRegisters(9, [1, 2]), /exception 2/i);
    assert.equal((await client.readHoldingRegisters(0, 10)).data.length, 10, 'below it');
    assert.equal((await client.readHoldingRegisters(11, 5)).data.length, 5, 'above it');
    assert.equal((await client.readInputRegisters(10 - 10, 4)).data.length, 4, 'another table');
    sim.faults.exception(0, { unitId: 1, table: 'holding', address: 10 });
    assert.equal((await client.readHoldingRegisters(0, 12)).data.length, 12, 'removed with code 0');
  });

  it('a silent unit answers nothing until told to answer again', async () => {
    sim.faults.silence(3);
    const impatient = await connect(sim.port, 300);
    try {
      impatient.setID(3);
      await assert.rejects(impatient.readHoldingRegisters(0, 1), { errno: 'ETIMEDOUT' });
      impatient.setID(2);
      assert.equal((await impatient.readHoldingRegisters(0, 1)).data.length, 1);
      sim.faults.silence(3, false);
      impatient.setID(3);
      assert.equal((await impatient.readHoldingRegisters(0, 1)).data.length, 1);
    } finally {
      await closeClient(impatient);
    }
    assert.ok(sim.stats().unanswered >= 1);
  });

  it('drop closes every client connection, and clients may connect again', async () => {
    const raw = await RawClient.connect(sim.port);
    await waitFor('two clients', () => sim.stats().clients === 2);
    sim.faults.dropConnections();
    await waitFor('the raw client to see the close', () => raw.closed);
    await waitFor('the library client to see the close', () => !client.isOpen);
    await waitFor('no clients', () => sim.stats().clients === 0);
    client = await connect(sim.port);
    client.setID(1);
    assert.equal((await client.readHoldingRegisters(0, 1)).data.length, 1);
  });

  it('stop and start: the device goes away and comes back on the same port, with its values', async () => {
    const port = sim.port;
    client.setID(2);
    await client.writeRegister(40, 84);
    await sim.stop();
    assert.equal(sim.listening, false);
    await waitFor('the client to see the close', () => !client.isOpen);
    await assert.rejects(RawClient.connect(port), /ECONNREFUSED/);
    await sim.start();
    assert.equal(sim.port, port);
    client = await connect(port);
    client.setID(2);
    assert.deepEqual((await client.readHoldingRegisters(40, 1)).data, [84]);
    assert.equal(sim.value(2, 'setpoint'), 42);
  });
});
