import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { delay, waitFor } from '@sensegate/sdk/testing';
import { AIR_MN, PW, RawClient, frameOf, startDriver, upload, type DriverHarness } from './support/harness.js';

const points = [{ id: 'pm25', code: 'a34004' }];
const good = (n: number, mn = AIR_MN) => upload({ mn, cp: `DataTime=20240501100000;a34004-Rtd=${n},a34004-Flag=N` });

describe('what is refused', () => {
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

  it('refuses a frame with a wrong CRC, counts and logs it once, and takes the station\'s next good frame', async () => {
    h = await startDriver([{ id: 'air', connection: { mn: AIR_MN, password: PW }, points }]);
    const c = await open();
    c.sendPacket(good(1));
    await waitFor('the first value', () => h.values('air', 'pm25').length === 1);
    for (const n of [2, 3]) {
      const broken = frameOf(good(n));
      broken[broken.length - 3] = broken[broken.length - 3] === 0x30 ? 0x31 : 0x30; // last CRC digit
      c.send(broken);
    }
    c.sendPacket(good(4));
    await waitFor('the value after the bad frames', () => h.values('air', 'pm25').length === 2);
    assert.deepEqual(h.values('air', 'pm25').map((v) => v.value), [1, 4]);
    assert.equal(h.instance.stats('air').framesMalformed, 2);
    const logs = h.ctx.logs.filter((l) => l.level === 'warn' && l.message.includes('malformed data'));
    assert.equal(logs.length, 1, 'logged once per episode');
    assert.match(logs[0]!.message, new RegExp(`station ${AIR_MN}.*CRC mismatch.*bytes: ##`));
    assert.equal(c.closed, false);
  });

  it('closes the connection at a wrong password, refuses its address for authBackoff, and takes the station once the password is right', async () => {
    h = await startDriver([{ id: 'air', connection: { mn: AIR_MN, password: PW, authBackoff: { initialDelay: '100ms', maxDelay: '100ms' } }, points }]);
    const c = await open();
    c.sendPacket(upload({ pw: '999999', cp: 'DataTime=20240501100000;a34004-Rtd=7' }));
    c.sendPacket(upload({ pw: '999999', cp: 'DataTime=20240501100000;a34004-Rtd=8' }));
    await c.waitClosed('the connection closed at the first wrong password');
    assert.equal(h.instance.stats('air').framesRefused, 1, 'nothing after the wrong password was read');
    const refused = h.ctx.healthChanges.find((x) => x.device === 'air');
    assert.equal(refused?.state, 'offline');
    assert.equal((refused?.reason as { code?: string }).code, 'SG_STATION_REFUSED');
    const warn = h.ctx.logs.filter((l) => l.message.includes('wrong password'));
    assert.equal(warn.length, 1);
    assert.match(warn[0]!.message, /at 127\.0\.0\.1:\d+; connection closed, new connections from 127\.0\.0\.1 refused for 100 ms/);
    assert.equal(warn[0]!.fields.mn, AIR_MN);
    await delay(150); // the address's refusal is over
    const fixed = await open();
    fixed.sendPacket(good(9));
    await waitFor('the good value', () => h.values('air', 'pm25')[0]);
    assert.deepEqual(h.values('air', 'pm25').map((v) => v.value), [9]);
    assert.equal(h.states('air').at(-1), 'online');
    assert.ok(h.ctx.logs.some((l) => l.message.includes('accepted again after 1 refused packet(s)')));
  });

  it('refuses an unknown MN and closes its connection; other stations carry on', async () => {
    h = await startDriver([{ id: 'air', connection: { mn: AIR_MN, password: PW }, points }]);
    const stranger = await open();
    const station = await open();
    station.sendPacket(good(1));
    stranger.sendPacket(good(2, 'UNKNOWN00000000000000001'));
    await stranger.waitClosed();
    station.sendPacket(good(3));
    await waitFor('both values of the known station', () => h.values('air', 'pm25').length === 2);
    assert.equal(h.instance.stats().framesRefused, 1);
    assert.ok(h.ctx.logs.some((l) => l.level === 'warn' && l.message.includes('unknown MN UNKNOWN00000000000000001') && l.message.includes('connection closed')));
    assert.equal(station.closed, false);
  });

  it('refuses a station connecting from an address its allow-list does not name', async () => {
    h = await startDriver([
      { id: 'air', connection: { mn: AIR_MN, password: PW, allow: ['10.0.0.0/8'] }, points },
      { id: 'open', connection: { mn: 'OPEN0000000000000000001', password: PW }, points },
    ]);
    const c = await open();
    c.sendPacket(good(1));
    await c.waitClosed();
    assert.equal(h.instance.stats('air').framesRefused, 1);
    assert.equal(h.values('air', 'pm25').length, 0);
    assert.ok(h.ctx.logs.some((l) => l.message.includes(`station ${AIR_MN} (device air) may not connect from 127.0.0.1`)));
    // A station without a list is taken from anywhere.
    const other = await open();
    other.sendPacket(good(2, 'OPEN0000000000000000001'));
    await waitFor('the open station\'s value', () => h.values('open', 'pm25')[0]);
  });

  it('closes a connection on arrival when no station allows its address', async () => {
    h = await startDriver([{ id: 'air', connection: { mn: AIR_MN, password: PW, allow: ['192.168.1.0/24', '::1'] }, points }]);
    const c = await open();
    await c.waitClosed();
    assert.equal(h.instance.stats().connectionsRefused, 1);
    assert.ok(h.ctx.logs.some((l) => l.message.includes('no station on') && l.message.includes('allows that address')));
  });

  it('takes a station from an allowed address', async () => {
    h = await startDriver([{ id: 'air', connection: { mn: AIR_MN, password: PW, allow: ['127.0.0.0/8'] }, points }]);
    const c = await open();
    c.sendPacket(good(5));
    await waitFor('the value', () => h.values('air', 'pm25')[0]);
  });
});
