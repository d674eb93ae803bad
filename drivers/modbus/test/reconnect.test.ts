// A pump station's PLC restarts: its connection drops, the driver fails reads fast and retryably
// while it is away, reconnects with backoff on its own, and values resume, with one log line per
// connection state change.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createTestContext, waitFor } from '@sensegate/sdk/testing';
import { loadProfile, startModbusSimulator, type ModbusSimulator } from '@sensegate/sim-modbus';
import modbus from '../src/index.js';
import { engineering, modbusDevice, poll, profilePoints, type ModbusDevice, type ModbusInstance } from './support/harness.js';

const EVERY_TYPE = fileURLToPath(new URL('./fixtures/every-type.yaml', import.meta.url));
const RETRYABLE_OUTAGE = new Set(['SG_CONNECTION_LOST', 'SG_NOT_CONNECTED', 'SG_CONNECT_REFUSED', 'SG_CONNECT_TIMEOUT']);

for (const framing of ['tcp', 'rtu-over-tcp'] as const) {
  describe(`a device that restarts (${framing})`, () => {
    let sim: ModbusSimulator;
    let instance: ModbusInstance;
    let device: ModbusDevice;
    const context = createTestContext({ driver: 'modbus' });
    const messages = () => context.logs.map((l) => `${l.level} ${l.message}`);

    before(async () => {
      sim = await startModbusSimulator({ port: 0, framing, units: [{ unitId: 1, profile: loadProfile(EVERY_TYPE) }] });
      instance = modbus.create(context);
      device = modbusDevice({
        id: 'plc',
        connection: { host: '127.0.0.1', port: sim.port, transport: framing },
        points: profilePoints(EVERY_TYPE),
        timeout: 1000,
        reconnect: { initialDelay: 40, maxDelay: 320 },
        log: context.log,
      });
      await instance.addDevice(device);
    });

    after(async () => {
      await instance.stop();
      await sim.close();
    });

    it('reads while the device is up', async () => {
      const result = await poll(instance, device);
      assert.equal(engineering(device, result)['setpoint'], 20);
    });

    it('fails reads fast with retryable errors while the device is away, and retries with growing delays', async () => {
      await sim.stop();
      const down = await waitFor('a poll that sees the outage', async () => {
        const r = await poll(instance, device);
        return r.points.every((p) => p.quality === 'bad') ? r : undefined;
      });
      for (const p of down.points) {
        assert.ok(RETRYABLE_OUTAGE.has(p.error!.code), `${p.id}: ${p.error!.code}`);
        assert.equal(p.error!.retryable, true);
      }
      assert.ok(messages().some((m) => /^warn connection to 127\.0\.0\.1:\d+ \(.+\) lost: .*; reconnecting in \d+ ms$/.test(m)), messages().join('\n'));
      // Reconnect attempts keep failing; their delays grow from the initial delay towards the maximum.
      const delays = await waitFor('four failed reconnect attempts', () => {
        const d = context.logs.filter((l) => /retrying in/.test(l.message)).map((l) => l.fields['retryIn'] as number);
        return d.length >= 4 ? d : undefined;
      });
      assert.ok(delays.every((d) => d <= 320), `delays ${delays.join(', ')} stay within maxDelay`);
      assert.ok(Math.max(...delays) > 40, `delays ${delays.join(', ')} grow beyond initialDelay`);
      const warnings = context.logs.filter((l) => l.level === 'warn');
      assert.equal(warnings.length, 1, 'one warning per outage (the loss); failed attempts after it are debug lines');
      const fast = await poll(instance, device);
      assert.ok(fast.points.every((p) => p.quality === 'bad' && RETRYABLE_OUTAGE.has(p.error!.code)));
    });

    it('reconnects on its own when the device is back, and values resume', async () => {
      sim.set(1, 'setpoint', 33);
      await sim.start();
      await waitFor('the driver to reconnect without being asked', () => messages().some((m) => /^info reconnected to .* after \d+ attempts?$/.test(m)));
      const result = await poll(instance, device);
      assert.equal(engineering(device, result)['setpoint'], 33);
      assert.ok(result.points.every((p) => p.quality === 'good'));
    });

    it('reconnects after the device drops the connection while it keeps listening', async () => {
      const lostBefore = messages().filter((m) => m.includes(' lost: ')).length;
      sim.faults.dropConnections();
      await waitFor('the loss to be noticed', () => messages().filter((m) => m.includes(' lost: ')).length > lostBefore);
      await waitFor('good readings again', async () => (await poll(instance, device)).points.every((p) => p.quality === 'good'));
    });

    it('logs state changes only, never per request', () => {
      const lines = context.logs.filter((l) => l.level !== 'debug');
      if (process.env['SHOW_LOGS']) console.log(context.logs.map((l) => `${l.level} ${l.message} ${JSON.stringify(l.fields)}`).join('\n'));
      assert.ok(lines.length <= 8, lines.map((l) => l.message).join('\n'));
      assert.ok(lines.every((l) => /connected to|lost:|retrying in|closed the connection/.test(l.message)), lines.map((l) => l.message).join('\n'));
    });
  });
}
