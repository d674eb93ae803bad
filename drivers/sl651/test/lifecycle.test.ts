// The server's life (the conformance kit runs in conformance.test.ts): addDevice checking without binding and startDevice
// binding, stations sharing a port, limits on connections, idle stations going offline and coming
// back, a port that is taken at start, removal and shutdown releasing everything.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { startSl651Station } from '@sensegate/sim-sl651';
import { createTestContext, freePort, testDevice, waitFor } from '@sensegate/sdk/testing';
import sl651, { type Sl651Instance } from '../src/index.js';
import { RawClient, startDriver } from './support/harness.js';

const level = [{ id: 'level', element: 'waterLevel' }];

/** Resolves true if something accepts a connection on the port, false if it is refused. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('server lifecycle', () => {
  it('checks devices in addDevice without binding their port, and binds it in startDevice', async () => {
    const port = await freePort();
    const ctx = createTestContext({ driver: 'sl651' });
    const instance = sl651.create(ctx) as Sl651Instance;
    const device = (id: string, address: string) => testDevice(sl651, { id, connection: { host: '127.0.0.1', port, address, password: '1111' }, points: level });
    try {
      await instance.addDevice(device('a', '0000000461'));
      await assert.rejects(instance.addDevice(device('b', '0000000461')), { code: 'SG_CONFIG_INVALID', message: /devices a and b both use station address 0000000461/ });
      assert.deepEqual(instance.endpoints(), [{ host: '127.0.0.1', port, boundPort: undefined, stations: ['0000000461'] }]);
      assert.equal(await accepts(port), false, 'addDevice leaves the port closed (dry runs such as sensegate validate call it)');
      await instance.startDevice(device('a', '0000000461'));
      assert.equal(instance.portOf('a'), port);
      assert.ok(await accepts(port));
    } finally {
      await instance.stop();
    }
    assert.equal(await accepts(port), false, 'stop closes what startDevice opened');
  });

  it('serves stations with the same listen address from one server, and refuses a station address used twice', async () => {
    const driver = await startDriver([
      { id: 'a', connection: { address: '0000000401', password: '1111' }, points: level },
      { id: 'b', connection: { address: '0000000402', password: '2222' }, points: level },
    ]);
    try {
      assert.deepEqual(driver.instance.endpoints(), [{ host: '127.0.0.1', port: 0, boundPort: driver.port, stations: ['0000000401', '0000000402'] }]);
      await assert.rejects(
        driver.instance.addDevice(testDevice(sl651, { id: 'c', connection: { host: '127.0.0.1', port: 0, address: '0000000401', password: '3333' }, points: level })),
        (err: Error & { code?: string }) => err.code === 'SG_CONFIG_INVALID' && /devices a and c both use station address 0000000401/.test(err.message),
      );
    } finally {
      await driver.stop();
    }
  });

  it('closes connections beyond maxConnections on arrival, counted and logged once', async () => {
    const driver = await startDriver([{ id: 'a', connection: { address: '0000000411', password: '1111', maxConnections: 1 }, points: level }]);
    const first = await RawClient.open(driver.port);
    try {
      const extra = await Promise.all([RawClient.open(driver.port), RawClient.open(driver.port)]);
      await waitFor('the extra connections closed', () => extra.every((c) => c.closed));
      assert.equal(driver.instance.stats().connectionsRefused, 2);
      assert.equal(driver.ctx.logs.filter((l) => /connections are open \(maxConnections\)/.test(l.message)).length, 1);
      assert.ok(!first.closed);
    } finally {
      first.close();
      await driver.stop();
    }
  });

  it('marks a station offline when its connection idles out, and online when it reports again', async () => {
    const driver = await startDriver([{ id: 'quiet', connection: { address: '0000000421', password: '1111', idleTimeout: '300ms' }, points: level }]);
    const station = startSl651Station({ port: driver.port, address: '0000000421', password: '1111', interval: 0, keepAlive: 0, hourly: false, addThreshold: 0, reconnect: { initialDelay: 20, maxDelay: 100 } });
    try {
      station.sendKeepAlive();
      await waitFor('online', () => driver.ctx.healthChanges.at(-1)?.state === 'online');
      const offline = await waitFor('offline after the idle timeout', () => driver.ctx.healthChanges.find((h) => h.state === 'offline'));
      assert.match(String((offline.reason as Error).message), /connection from 127\.0\.0\.1:\d+ was closed: no accepted frame for 300 ms \(idleTimeout\)/);
      station.sendKeepAlive();
      await waitFor('online again', () => driver.ctx.healthChanges.filter((h) => h.state === 'online').length === 2);
    } finally {
      await station.stop();
      await driver.stop();
    }
  });

  it('retries a port that is taken, and serves once it is free', async () => {
    const first = await startDriver([{ id: 'holder', connection: { address: '0000000431', password: '1111' }, points: level }]);
    const port = first.port;
    const ctx = createTestContext({ driver: 'sl651' });
    const second = sl651.create(ctx) as Sl651Instance;
    try {
      const late = testDevice(sl651, { id: 'late', connection: { host: '127.0.0.1', port, address: '0000000432', password: '1111' }, points: level, reconnect: { initialDelay: 20, maxDelay: 100 } });
      await second.addDevice(late);
      assert.equal(ctx.healthChanges.length, 0, 'adding does not try the port');
      await second.startDevice(late);
      const down = ctx.healthChanges.find((h) => h.device === 'late');
      assert.equal(down?.state, 'offline');
      assert.equal((down?.reason as { code?: string }).code, 'SG_CONNECT_REFUSED');
      assert.match((down?.reason as Error).message, /cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE.*; another program is using the port: stop it, or give the device another port; retrying in \d+ ms/);
      assert.equal(second.portOf('late'), undefined);
      await first.stop();
      await waitFor('the second instance listening', () => second.portOf('late') === port);
      assert.ok(ctx.logs.some((l) => /listening for SL 651 stations on 127\.0\.0\.1:\d+ after \d+ failed attempts/.test(l.message)));
      assert.equal(ctx.logs.filter((l) => /cannot listen on/.test(l.message)).length, 1, 'the failure is logged once, not once per retry');
    } finally {
      await first.stop();
      await second.stop();
    }
  });

  it('closes the server when its last device is removed, and on stop', async () => {
    const driver = await startDriver([
      { id: 'a', connection: { address: '0000000441', password: '1111' }, points: level },
      { id: 'b', connection: { address: '0000000442', password: '1111' }, points: level },
    ]);
    const client = await RawClient.open(driver.port);
    await driver.instance.removeDevice('a');
    assert.ok(await accepts(driver.port), 'b still served');
    await driver.instance.removeDevice('b');
    assert.equal(await accepts(driver.port), false);
    await waitFor('the open connection closed', () => client.closed);
    assert.deepEqual(driver.instance.endpoints(), []);
    assert.deepEqual(driver.ctx.healthChanges, [], 'removal is not an outage');
    await driver.stop();
  });
});
