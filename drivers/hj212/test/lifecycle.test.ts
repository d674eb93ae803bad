// The driver contract's obligations particular to a shared listener: addDevice checks without
// binding and startDevice binds, a port in use shows the station offline instead of failing,
// removeDevice and stop settle and release the port, a listener is shared and torn down with its
// last device. (The SDK's conformance kit, including its check that addDevice opens no port, runs
// in conformance.test.ts; checkDefinition in docs.test.ts.)
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { createTestContext, freePort, testDevice, waitFor } from '@sensegate/sdk/testing';
import hj212, { type Hj212Instance } from '../src/index.js';
import { AIR_MN, PW, RawClient, WATER_MN, upload } from './support/harness.js';

const device = (id: string, mn: string, port = 0) =>
  testDevice(hj212, { id, connection: { host: '127.0.0.1', port, mn, password: PW }, points: [{ id: 'pm25', code: 'a34004' }], reconnect: { initialDelay: 50, maxDelay: 200 } });


/** Whether the port can be bound on 127.0.0.1 right now (it is, and stays, free). */
async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  const bound = await new Promise<boolean>((resolve) => server.once('error', () => resolve(false)).listen(port, '127.0.0.1', () => resolve(true)));
  if (bound) await new Promise<void>((resolve) => server.close(() => resolve()));
  return bound;
}

describe('lifecycle', () => {
  it('checks devices in addDevice without binding their port, and binds it in startDevice', async () => {
    const port = await freePort();
    const ctx = createTestContext({ driver: 'hj212' });
    const instance = hj212.create(ctx) as Hj212Instance;
    try {
      const a = device('a', AIR_MN, port);
      await instance.addDevice(a);
      await assert.rejects(instance.addDevice(device('c', AIR_MN, port)), { code: 'SG_CONFIG_INVALID', message: /devices a and c both use MN/ });
      assert.deepEqual(instance.endpoints(), [{ host: '127.0.0.1', port, boundPort: undefined, stations: [AIR_MN] }]);
      assert.ok(await isFree(port), 'addDevice leaves the port free (dry runs such as sensegate validate call it)');
      await instance.startDevice(a);
      assert.equal(instance.portOf('a'), port);
      assert.equal(await isFree(port), false);
    } finally {
      await instance.stop();
    }
    assert.ok(await isFree(port), 'stop frees the port startDevice bound');
  });

  it('shares one server between stations of one port, closes it with the last, and frees the port on stop', async () => {
    const port = await freePort();
    const ctx = createTestContext({ driver: 'hj212' });
    const instance = hj212.create(ctx) as Hj212Instance;
    try {
      await instance.addDevice(device('a', AIR_MN, port));
      await instance.addDevice(device('b', WATER_MN, port));
      await instance.startDevice(device('a', AIR_MN, port));
      await instance.startDevice(device('b', WATER_MN, port));
      assert.deepEqual(instance.endpoints(), [{ host: '127.0.0.1', port, boundPort: port, stations: [AIR_MN, WATER_MN] }]);
      await assert.rejects(instance.addDevice(device('c', AIR_MN, port)), /devices a and c both use MN/);
      await assert.rejects(instance.addDevice(device('a', 'OTHER1', port)), /added twice/);
      // A removed station's packets are refused like any unknown MN.
      const c = await RawClient.open(port);
      await instance.removeDevice('b');
      c.sendPacket(upload({ mn: WATER_MN, cp: 'w01018-Rtd=1' }));
      await c.waitClosed();
      await instance.removeDevice('a');
      assert.deepEqual(instance.endpoints(), []);
    } finally {
      await instance.stop();
    }
    assert.ok(await isFree(port), 'the port is free again');
  });

  it('starts a device whose port is taken, shows it offline saying what to do, and binds when the port frees', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const ctx = createTestContext({ driver: 'hj212' });
    const instance = hj212.create(ctx) as Hj212Instance;
    try {
      await instance.addDevice(device('a', AIR_MN, port));
      assert.equal(ctx.healthChanges.length, 0, 'adding does not try the port');
      await instance.startDevice(device('a', AIR_MN, port));
      const offline = await waitFor('offline', () => ctx.healthChanges.find((x) => x.state === 'offline'));
      assert.equal((offline.reason as { code?: string }).code, 'SG_CONNECT_REFUSED');
      assert.match((offline.reason as Error).message, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.*another program is using the port: stop it, or give the device another port`));
      assert.equal(ctx.logs.filter((l) => l.level === 'error' && l.message.includes('cannot listen')).length, 1);
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
      await waitFor('the port bound', () => instance.portOf('a') === port);
      const c = await RawClient.open(port);
      c.sendPacket(upload({ cp: 'a34004-Rtd=3' }));
      await waitFor('the value', () => ctx.published.length === 1);
      c.close();
    } finally {
      blocker.close(() => {});
      await instance.stop();
    }
  });

  it('stops with stations connected and a command waiting: the command fails, nothing is left running', async () => {
    const ctx = createTestContext({ driver: 'hj212' });
    const instance = hj212.create(ctx) as Hj212Instance;
    await instance.addDevice(device('a', AIR_MN));
    await instance.startDevice(device('a', AIR_MN));
    const c = await RawClient.open(instance.portOf('a')!);
    c.sendPacket(upload({ cp: 'a34004-Rtd=3' }));
    await waitFor('online', () => ctx.healthChanges.some((x) => x.state === 'online'));
    const pending = instance.sendCommand('a', 'set-time', null, 60_000);
    await c.packet('the request', (p) => p.cn === '1012');
    await instance.stop();
    await assert.rejects(pending, { code: 'SG_NOT_CONNECTED' });
    await c.waitClosed();
  });
});
