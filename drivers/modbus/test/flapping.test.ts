// A device that hangs up after every answer (some cheap TCP gateways do; so does a hostile device,
// as the response fuzz test found). The driver keeps reading it, reconnecting each time, and the
// log says once that the connection keeps dropping instead of writing two lines per request all
// day; the episode is summed up when it ends.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { SensegateError } from '@sensegate/sdk';
import { createTestContext, delay, waitFor } from '@sensegate/sdk/testing';
import modbus from '../src/index.js';
import { ConnectionLog } from '../src/transport/connection-log.js';
import { goodValues, modbusDevice, poll } from './support/harness.js';

describe('a device that hangs up after every answer', () => {
  const context = createTestContext({ driver: 'modbus' });
  const instance = modbus.create(context);
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.on('error', () => {});
    socket.once('data', (request: Buffer) => {
      // One FC3 answer of one register (42), then the connection is closed.
      const answer = Buffer.from([request[0]!, request[1]!, 0, 0, 0, 5, request[6]!, 3, 2, 0, 42]);
      socket.end(answer);
    });
  });
  after(async () => {
    await instance.stop();
    server.close();
  });

  it('is read again and again, and logged as flapping once, not at every reconnect', async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const device = modbusDevice({
      id: 'flaky-gateway',
      connection: { host: '127.0.0.1', port: (server.address() as { port: number }).port },
      points: [{ id: 'level', table: 'holding', address: 0, type: 'uint16' }],
      timeout: 1000,
      reconnect: { initialDelay: 10, maxDelay: 20 },
      log: context.log,
    });
    await instance.addDevice(device);
    let good = 0;
    for (let i = 0; i < 40; i++) {
      await waitFor('a poll that reaches the device', async () => {
        const result = await poll(instance, device);
        if (goodValues(result).level === 42) good++;
        return result.points[0]!.error?.code !== 'SG_NOT_CONNECTED';
      });
    }
    assert.ok(good >= 15, `${good} of 40 polls read the value`);
    assert.ok(connections >= 15, `${connections} connections`);
    const lines = context.logs.filter((l) => l.level !== 'debug');
    assert.ok(lines.length <= 5, `${lines.length} log lines above debug for ${connections} connections:\n${lines.map((l) => l.message).join('\n')}`);
    const flapping = lines.find((l) => /keeps dropping soon after it is made/.test(l.message));
    assert.ok(flapping, 'one line says the connection keeps dropping');
    assert.match(flapping.message, /^connection to 127\.0\.0\.1:\d+ \(tcp\) lost: closed by the device; reconnecting in \d+ ms\. The connection to 127\.0\.0\.1:\d+ \(tcp\) keeps dropping/);
    const before = context.logs.length;
    await instance.removeDevice(device.id);
    const summaries = context.logs.slice(before).filter((l) => l.level === 'info' && /was lost \d+ times/.test(l.message));
    assert.equal(summaries.length, 1, 'the episode is summed up when the device is removed');
    assert.match(summaries[0]!.message, /^the connection to 127\.0\.0\.1:\d+ \(tcp\) was lost \d+ times in \d+ m?s \(last: .*closed by the device\) was closed$/);
  });

  it('sums a flapping episode up when the connection holds again', async () => {
    const log = createTestContext();
    const connection = new ConnectionLog('plc:502 (tcp)', log.log, { stableMs: 100, summaryEveryMs: 60_000 });
    const lost = new SensegateError('SG_CONNECTION_LOST', 'connection to plc:502 (tcp) lost: closed by the device');
    connection.connected(1);
    for (let i = 0; i < 20; i++) {
      connection.lost(lost, 10);
      connection.connected(1);
    }
    await delay(150);
    assert.deepEqual(
      log.logs.map((l) => l.level),
      ['info', 'warn', 'info', 'warn', ...Array<string>(37).fill('debug'), 'info'],
    );
    assert.match(log.logs.at(-1)!.message, /^the connection to plc:502 \(tcp\) was lost 20 times in \d+ ms \(last: .*\) has held for 100 ms again$/);
  });
});
