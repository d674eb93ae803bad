// What anyone on the site network can try against the SL 651 port, and must not achieve: hold a
// connection open with one byte every few seconds, guess the 4-hex-digit password over
// reconnecting connections, take every slot from one address, fill memory with multi-packet
// messages that never complete, read a password in a log excerpt, or fill the disk with log
// lines over many short connections. The attacker connects from 127.0.0.2 (and neighbours).
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { END, encodeFrame, encodeKeepAlive, encodeReport, type StationTime } from '@sensegate/driver-sl651/protocol';
import { delay, shortConnections, waitFor } from '@sensegate/sdk/testing';
import { RawClient, startDriver, type DriverHarness } from './support/harness.js';

const STATION = '0000000101';
const PASSWORD = 'C3D4';
const ATTACKER = '127.0.0.2';
const ATTACKERS = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
const level = [{ id: 'level', element: 'waterLevel', unit: 'm' }];
const time: StationTime = { year: 2025, month: 6, day: 1, hour: 8, minute: 0, second: 0 };
const id = (password = PASSWORD) => ({ station: STATION, password, centre: 1 });
const report = (value: number, serial = 1, password = PASSWORD) =>
  encodeReport(id(password), 0x32, { serial, sendTime: time, category: 0x48, observed: time, elements: [{ id: '39', value }] })[0]!;
const keepAlive = (serial = 1) => encodeKeepAlive(id(), serial, time);

function brokenReport(serial: number): Buffer {
  const frame = report(1, serial);
  frame[frame.length - 1] ^= 0xff;
  return frame;
}

/** Packet `sequence` of a multi-packet message of `total` packets that carry `bytes` of body each. */
const packet = (functionCode: number, total: number, sequence: number, bytes: number) =>
  encodeFrame({ direction: 'up', ...id(), functionCode, body: Buffer.alloc(bytes, sequence), packet: { total, sequence }, end: sequence === total ? END.ETX : END.ETB });

const logText = (h: DriverHarness) => h.ctx.logs.map((l) => `${l.message} ${JSON.stringify(l.fields)}`);

describe('hostile peers on the SL 651 port', () => {
  let h: DriverHarness;
  const clients: RawClient[] = [];
  const open = async (from?: string) => {
    const c = await RawClient.open(h.port, from ? { from } : {});
    clients.push(c);
    return c;
  };
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await h.stop();
  });

  it('does not let one byte every 100 ms hold a connection that never authenticated', async () => {
    h = await startDriver([{ id: 'gauge', connection: { address: STATION, password: PASSWORD, idleTimeout: '400ms' }, points: level }]);
    const c = await open(ATTACKER);
    const drip = setInterval(() => c.send(Buffer.of(0)), 100);
    try {
      await c.waitClosed('the dripping connection closed', 5000);
    } finally {
      clearInterval(drip);
    }
    assert.equal(h.ctx.metric('sensegate_listener_connections_closed_total', { reason: 'auth-timeout' }), 1);
    assert.ok(h.ctx.logs.some((l) => /no accepted frame within 400 ms of connecting/.test(l.message)));
  });

  it('does not let stray bytes keep a station\'s connection past idleTimeout', async () => {
    h = await startDriver([{ id: 'gauge', connection: { address: STATION, password: PASSWORD, idleTimeout: '400ms' }, points: level }]);
    const c = await open();
    c.send(keepAlive());
    await waitFor('online', () => h.ctx.healthChanges.some((x) => x.state === 'online'));
    const drip = setInterval(() => c.send(Buffer.of(0)), 100);
    try {
      await c.waitClosed('the idle connection closed although bytes keep arriving', 5000);
    } finally {
      clearInterval(drip);
    }
    const offline = await waitFor('offline', () => h.ctx.healthChanges.find((x) => x.state === 'offline'));
    assert.match(String((offline.reason as Error).message), /no accepted frame for 400 ms \(idleTimeout\)/);
  });

  it('closes a connection at its first wrong password and refuses the address for a while', async () => {
    h = await startDriver([{ id: 'gauge', connection: { address: STATION, password: PASSWORD }, points: level }]);
    const c = await open(ATTACKER);
    c.send(report(1, 1, '0000'));
    await c.waitClosed('the connection closed after the wrong password', 5000);
    const again = await open(ATTACKER);
    await again.waitClosed('the address\'s next connection refused on arrival', 5000);
    assert.equal(h.ctx.metric('sensegate_listener_auth_failures_total'), 1);
    assert.equal(h.ctx.metric('sensegate_listener_connections_refused_total', { reason: 'backoff' }), 1);
    const station = await open();
    station.send(report(2.5));
    await waitFor('the station\'s report from its own address', () => h.values('gauge', 'level')[0]);
  });

  it('meets password guessing over reconnects with refusal: two guesses in 1.5 s, and the station carries on', async () => {
    h = await startDriver([{ id: 'gauge', connection: { address: STATION, password: PASSWORD }, points: level }]);
    const station = await open();
    station.send(report(1.0, 1));
    await waitFor('the station online', () => h.values('gauge', 'level')[0]);
    const until = Date.now() + 1500;
    let sent = 0;
    while (Date.now() < until) {
      const c = await RawClient.open(h.port, { from: ATTACKER });
      while (!c.closed && Date.now() < until) {
        c.send(report(9, 100 + sent, (sent++ % 0x10000).toString(16).toUpperCase().padStart(4, '0').replace(PASSWORD, '0000')));
        await delay(10);
      }
      c.close();
    }
    const checked = h.instance.stats().framesRefused;
    assert.ok(checked >= 1 && checked <= 2, `${checked} of ${sent} guesses reached the password check`);
    assert.equal(h.ctx.metric('sensegate_listener_auth_failures_total'), checked);
    station.send(report(1.1, 2));
    await waitFor('the station\'s next report', () => h.values('gauge', 'level').length === 2);
    assert.equal(station.closed, false);
  });

  it('lets one address take only its share of the connection slots', async () => {
    h = await startDriver([{ id: 'gauge', connection: { address: STATION, password: PASSWORD, maxConnections: 40 }, points: level }]);
    const attackers: RawClient[] = [];
    for (let i = 0; i < 40; i++) attackers.push(await open(ATTACKER));
    await waitFor('the attacker held to 16 connections', () => attackers.filter((c) => !c.closed).length === 16, { timeout: 5000 });
    const station = await open();
    station.send(report(3.5));
    await waitFor('the station\'s report', () => h.values('gauge', 'level')[0]);
    assert.equal(h.ctx.metric('sensegate_listener_connections_refused_total', { reason: 'address-limit' }), 24);
  });

  it('refuses on arrival an address no station allows, and a station\'s frames from an address its list does not name', async () => {
    h = await startDriver([
      { id: 'gauge', connection: { address: STATION, password: PASSWORD, allow: ['127.0.0.1', '10.0.0.0/8'] }, points: level },
      { id: 'weir', connection: { address: '0000000102', password: '0102', allow: ['127.0.0.0/30'] }, points: level },
    ]);
    const outsider = await open('127.0.0.9');
    await outsider.waitClosed('the outsider refused on arrival', 5000);
    assert.equal(h.ctx.metric('sensegate_listener_connections_refused_total', { reason: 'not-allowed' }), 1);
    const neighbour = await open(ATTACKER); // in the weir's list, not the gauge's
    neighbour.send(report(4.5));
    await neighbour.waitClosed('the gauge\'s frame from the weir\'s address refused', 5000);
    assert.ok(h.ctx.logs.some((l) => /station 0000000101 \(device gauge\) may not connect from 127\.0\.0\.2/.test(l.message)));
    assert.deepEqual(h.values('gauge', 'level'), []);
    const station = await open();
    station.send(report(4.6));
    await waitFor('the gauge from its own address', () => h.values('gauge', 'level')[0]);
  });

  it('bounds the memory of multi-packet messages that never complete, across many connections', async () => {
    h = await startDriver([{ id: 'gauge', connection: { address: STATION, password: PASSWORD, maxMessageBytes: 65_536, maxReassemblyBytes: 262_144 }, points: level }]);
    const hoarders: RawClient[] = [];
    for (let i = 0; i < 12; i++) hoarders.push(await open());
    // Each connection starts four messages of 16 packets of 4000 bytes and sends all but the last packet.
    for (const c of hoarders) {
      c.send(keepAlive());
      for (const fc of [0x30, 0x31, 0x32, 0x33]) for (let s = 1; s < 16; s++) c.send(packet(fc, 16, s, 4000));
    }
    await waitFor('every packet taken in', () => h.instance.stats().framesAccepted === 12 * (1 + 4 * 15));
    const held = h.instance.stats().reassemblyBytes;
    assert.ok(held <= 262_144, `${held} bytes held for partial messages`);
    assert.ok(held >= 200_000, `${held} bytes held: the budget is used, not left idle`);
    assert.ok(h.instance.stats().messagesDropped >= 1);
    assert.ok(h.ctx.metric('sensegate_listener_reassembly_dropped_total') >= 1);
    assert.equal(h.ctx.metric('sensegate_listener_reassembly_bytes'), held);
    const drops = h.ctx.logs.filter((l) => /maxReassemblyBytes/.test(l.message));
    assert.ok(drops.length >= 1 && drops.length <= 5, `${drops.length} lines about the full reassembly memory`);
    for (const c of hoarders) c.close();
    await waitFor('the memory given back', () => h.instance.stats().reassemblyBytes === 0);
    const station = await open();
    for (let s = 1; s <= 3; s++) station.send(packet(0x36, 3, s, 1000));
    await waitFor('a multi-packet message completed once there is room', () => station.frames.length === 3);
  });

  it('keeps the station\'s password out of the excerpt of a broken frame', async () => {
    h = await startDriver([{ id: 'gauge', connection: { address: STATION, password: PASSWORD }, points: level }]);
    const c = await open();
    c.send(brokenReport(1));
    c.send(report(5.5, 2));
    await waitFor('the good report', () => h.values('gauge', 'level')[0]);
    const warning = h.ctx.logs.find((l) => /CRC/.test(l.message))!;
    assert.match(String(warning.fields.excerpt), /^7E 7E 01 00 00 00 01 01 \*\* \*\* 32/);
    // A frame that lost its first byte on the line: no 7E 7E says where the password is.
    const damaged = await open(ATTACKER);
    damaged.send(report(5.6, 3).subarray(1));
    await waitFor('the damaged frame counted', () => h.ctx.metric('sensegate_listener_frames_malformed_total') === 2);
    assert.ok(logText(h).some((t) => t.includes('7E 01 00 00 00 01 01 ** ** 32')), 'its excerpt hides the password too');
    assert.deepEqual(logText(h).filter((t) => /C3 ?D4/i.test(t)), []);
  });

  it('writes a bounded number of log lines for 1,500 short connections of junk', async () => {
    h = await startDriver([{ id: 'gauge', connection: { address: STATION, password: PASSWORD }, points: level }]);
    const junk = (i: number) => Buffer.concat([Buffer.from(`junk ${i} \x7e\x7e`), brokenReport(i)]);
    await shortConnections(h.port, 1500, { from: ATTACKERS, bytes: junk });
    await waitFor('every connection closed', () => h.instance.stats().connections === 0 && h.instance.stats().connectionsAccepted === 1500);
    assert.ok(h.instance.stats().framesMalformed >= 1500, `${h.instance.stats().framesMalformed} malformed frames counted`);
    assert.ok(h.ctx.logs.length <= 20, `${h.ctx.logs.length} log lines`);
    assert.ok(h.ctx.metric('sensegate_listener_frames_malformed_total') >= 1500);
  });
});
