import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { waitFor } from '@sensegate/sdk/testing';
import { MAX_BAD_IN_A_ROW } from '../src/index.js';
import { AIR_MN, PW, RawClient, WATER_MN, startDriver, upload, type DriverHarness } from './support/harness.js';

const points = [{ id: 'pm25', code: 'a34004' }];
const value = (mn = AIR_MN) => upload({ mn, cp: 'DataTime=20240501100000;a34004-Rtd=1' });

describe('limits', () => {
  let h: DriverHarness;
  const clients: RawClient[] = [];
  const open = async () => {
    const c = await RawClient.open(h.port);
    clients.push(c);
    return c;
  };
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await h.stop();
  });

  it('closes connections beyond maxConnections on arrival, and accepts again when one closes', async () => {
    h = await startDriver([{ id: 'air', connection: { mn: AIR_MN, password: PW, maxConnections: 2 }, points }]);
    const a = await open();
    const b = await open();
    const c = await open();
    await c.waitClosed();
    assert.equal(a.closed || b.closed, false);
    assert.equal(h.instance.stats().connectionsRefused, 1);
    assert.ok(h.ctx.logs.some((l) => l.message.includes('2 connections are open (maxConnections)')));
    a.close();
    await waitFor('the server to see the close', () => h.instance.stats().connections === 1);
    const d = await open();
    d.sendPacket(value());
    await waitFor('a value on the new connection', () => h.values('air', 'pm25')[0]);
  });

  it('closes a silent connection after idleTimeout and reports the station offline', async () => {
    h = await startDriver([{ id: 'air', connection: { mn: AIR_MN, password: PW, idleTimeout: 300 }, points }]);
    const c = await open();
    c.sendPacket(value());
    await waitFor('online', () => h.states('air').includes('online'));
    await c.waitClosed('the idle connection to be closed');
    await waitFor('offline', () => h.states('air').at(-1) === 'offline');
    const offline = h.ctx.healthChanges.filter((x) => x.device === 'air').at(-1)!;
    assert.equal((offline.reason as { code?: string }).code, 'SG_CONNECTION_LOST');
    assert.match(String((offline.reason as Error).message), /idleTimeout/);
    assert.equal(h.instance.stats().connectionsIdle, 1);
    // It comes back with its next connection.
    const again = await open();
    again.sendPacket(value());
    await waitFor('online again', () => h.states('air').at(-1) === 'online');
  });

  it('keeps a station online while another of its connections is open', async () => {
    h = await startDriver([{ id: 'air', connection: { mn: AIR_MN, password: PW }, points }]);
    const old = await open();
    old.sendPacket(value());
    await waitFor('online', () => h.states('air').includes('online'));
    const fresh = await open();
    fresh.sendPacket(value());
    await waitFor('two values', () => h.values('air', 'pm25').length === 2);
    old.close();
    await waitFor('the server to see the close', () => h.instance.stats().connections === 1);
    assert.deepEqual(h.states('air'), ['online']);
    fresh.close();
    await waitFor('offline', () => h.states('air').at(-1) === 'offline');
  });

  it(`closes a connection after ${MAX_BAD_IN_A_ROW} malformed frames in a row, without touching another station`, async () => {
    h = await startDriver([
      { id: 'air', connection: { mn: AIR_MN, password: PW }, points },
      { id: 'water', connection: { mn: WATER_MN, password: PW }, points: [{ id: 'cod', code: 'w01018' }] },
    ]);
    const noisy = await open();
    const water = await open();
    water.sendPacket(upload({ mn: WATER_MN, cp: 'w01018-Rtd=10' }));
    noisy.sendPacket(value());
    for (let i = 0; i < MAX_BAD_IN_A_ROW; i++) noisy.send(Buffer.from(`##0010${'x'.repeat(10)}0000\r\n`));
    await noisy.waitClosed();
    assert.equal(h.instance.stats('air').framesMalformed, MAX_BAD_IN_A_ROW);
    water.sendPacket(upload({ mn: WATER_MN, cp: 'w01018-Rtd=11' }));
    await waitFor('the water station\'s second value', () => h.values('water', 'cod').length === 2);
    assert.equal(water.closed, false);
    assert.deepEqual(h.states('water'), ['online']);
  });
});
