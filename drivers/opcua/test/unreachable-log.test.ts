// What a field engineer reads when the OPC UA server is not there: one line per attempt naming the
// endpoint once, why, and when the next attempt comes; the device offline with the same reason.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTestContext, freePort, testDevice, waitFor } from '@sensegate/sdk/testing';
import opcua from '../src/index.js';

test('an unreachable server: the endpoint is named once, with why and when the next attempt comes', async () => {
  const context = createTestContext({ driver: 'opcua' });
  const endpoint = `opc.tcp://127.0.0.1:${await freePort()}/UA/Nowhere`;
  const device = testDevice(opcua, {
    id: 'plant',
    timeout: 500,
    connection: { endpoint },
    points: [{ id: 'clock', nodeId: 'i=2258', mode: 'poll' }],
    reconnect: { initialDelay: 50, maxDelay: 200 },
    log: context.log,
  });
  const instance = opcua.create(context);
  try {
    await instance.addDevice(device);
    await instance.startDevice?.(device);
    const line = await waitFor('a reconnect warning', () => context.logs.find((l) => l.level === 'warn' && /reconnecting in \d+ ms$/.test(l.message)));
    assert.equal(line.message.split(endpoint).length - 1, 1, `the endpoint once: ${line.message}`);
    assert.match(line.message, /connection refused while connecting: is the server running\?; reconnecting in \d+ ms$/);
  } finally {
    await instance.removeDevice(device.id);
    await instance.stop();
  }
});
