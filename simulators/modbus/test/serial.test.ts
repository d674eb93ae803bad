// A data logger on an RS-485 line: the simulator serves RTU on a serial device (here one end of a
// pty pair), and a library client on the other end reads and writes it.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ModbusRTU } from './support/modbus-client.js';
import { hasSocat, loadProfile, startModbusSimulator, virtualSerialPair } from '../src/index.js';
import { waitFor } from '@sensegate/sdk/testing';

const EVERY_TYPE = fileURLToPath(new URL('./fixtures/every-type.yaml', import.meta.url));

describe('RTU on a serial line', { skip: hasSocat() ? false : 'socat is not installed (apt-get install socat)' }, () => {
  it('serves two units on one line, with faults, and survives a restart of the port', async (t) => {
    const pty = await virtualSerialPair();
    t.after(() => pty.close());
    const profile = loadProfile(EVERY_TYPE);
    const sim = await startModbusSimulator({ serialPath: pty.a, baudRate: 19200, units: [{ unitId: 1, profile }, { unitId: 2, profile }] });
    t.after(() => sim.close());
    assert.equal(sim.framing, 'rtu');
    assert.equal(sim.host, pty.a);

    const client = new ModbusRTU();
    t.after(() => new Promise<void>((r) => (client.isOpen ? client.close(() => r()) : r())));
    await client.connectRTUBuffered(pty.b, { baudRate: 19200 });
    client.setTimeout(3000);

    client.setID(1);
    assert.equal((await client.readInputRegisters(0, 1)).data[0], 0xff85);
    await client.writeRegisters(40, [30]);
    assert.equal(sim.value(1, 'setpoint'), 15);
    client.setID(2);
    assert.deepEqual((await client.readCoils(0, 1)).data.slice(0, 1), [true]);
    assert.equal(sim.value(2, 'setpoint'), 20, 'unit 2 kept its own value');
    await assert.rejects(client.readHoldingRegisters(41, 1), /exception 2/i);

    sim.faults.silence(2);
    client.setTimeout(300);
    await assert.rejects(client.readHoldingRegisters(0, 1), { errno: 'ETIMEDOUT' });
    sim.faults.clear();
    client.setTimeout(3000);
    assert.equal((await client.readHoldingRegisters(40, 1)).data[0], 40);

    await sim.stop();
    await sim.start();
    client.setID(1);
    await waitFor('the unit to answer after the port reopened', async () => (await client.readHoldingRegisters(40, 1)).data[0] === 30, { timeout: 20_000, interval: 200 });
    assert.ok(sim.stats().requests >= 6);
  });
});
