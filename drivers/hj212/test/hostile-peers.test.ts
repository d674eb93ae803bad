// What anyone on the site network can try against the HJ 212 port, and must not achieve: take
// every connection slot from one address, hold a slot without a password, keep a connection alive
// with frames that are not accepted, guess a station's password at speed, split a log line with a
// newline, read a password in the logs, or fill the disk with log lines over many short
// connections. The attacker connects from 127.0.0.2 (and neighbours), the station from 127.0.0.1.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { encodeFrame } from '@sensegate/driver-hj212/protocol';
import { delay, shortConnections, waitFor } from '@sensegate/sdk/testing';
import { AIR_MN, PW, RawClient, frameOf, startDriver, upload, type DriverHarness } from './support/harness.js';

const points = [{ id: 'pm25', code: 'a34004' }];
const ATTACKER = '127.0.0.2';
const ATTACKERS = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
const good = (n: number, extra: Partial<Parameters<typeof upload>[0]> = {}) => upload({ cp: `DataTime=20240501100000;a34004-Rtd=${n}`, ...extra });

/** A frame whose CRC is wrong, as line noise or a careless tool sends it. */
function broken(n: number, pw = PW): Buffer {
  const frame = frameOf(good(n, { pw }));
  frame[frame.length - 3] = frame[frame.length - 3] === 0x30 ? 0x31 : 0x30;
  return frame;
}

/** Every log line as a reader sees it: the message and its fields. */
const logText = (h: DriverHarness) => h.ctx.logs.map((l) => `${l.message} ${JSON.stringify(l.fields)}`);

/** Reconnects and sends one guess after another on each connection until `ms` have passed. */
async function guessPasswords(port: number, ms: number, frameFor: (guess: number) => Buffer): Promise<number> {
  const until = Date.now() + ms;
  let sent = 0;
  while (Date.now() < until) {
    const c = await RawClient.open(port, { from: ATTACKER });
    while (!c.closed && Date.now() < until) {
      c.send(frameFor(sent++));
      await delay(10);
    }
    c.close();
  }
  return sent;
}

describe('hostile peers on the HJ 212 port', () => {
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

  it('lets one address take only its share of the connection slots', async () => {
    h = await startDriver([{ id: 'air', connection: { mn: AIR_MN, password: PW, maxConnections: 40 }, points }]);
    const attackers: RawClient[] = [];
    for (let i = 0; i < 40; i++) attackers.push(await open(ATTACKER));
    await waitFor('the attacker held to 16 connections', () => attackers.filter((c) => !c.closed).length === 16, { timeout: 5000 });
    const station = await open();
    station.sendPacket(good(1));
    await waitFor('the station\'s value', () => h.values('air', 'pm25')[0]);
    assert.equal(station.closed, false);
    assert.equal(h.ctx.metric('sensegate_listener_connections_refused_total', { reason: 'address-limit' }), 24);
    const refused = h.ctx.logs.filter((l) => /maxConnectionsPerAddress/.test(l.message));
    assert.ok(refused.length >= 1 && refused.length <= 5, `${refused.length} lines about the per-address limit`);
    assert.match(refused[0]!.message, /127\.0\.0\.2 already has 16 connections open/);
  });

  it('closes a connection at its first wrong password and refuses the address for a while, not the station', async () => {
    h = await startDriver([{ id: 'air', connection: { mn: AIR_MN, password: PW }, points }]);
    const c = await open(ATTACKER);
    c.sendPacket(good(1, { pw: '999999' }));
    await c.waitClosed('the connection closed after the wrong password', 5000);
    assert.equal(h.instance.stats('air').framesRefused, 1);
    assert.equal(h.ctx.metric('sensegate_listener_auth_failures_total'), 1);
    const again = await open(ATTACKER);
    await again.waitClosed('the address\'s next connection refused on arrival', 5000);
    assert.equal(h.ctx.metric('sensegate_listener_connections_refused_total', { reason: 'backoff' }), 1);
    const warning = h.ctx.logs.find((l) => l.fields.status === 'hj212:wrong-password')!;
    assert.match(warning.message, /wrong password for station .* at 127\.0\.0\.2:\d+; connection closed, new connections from 127\.0\.0\.2 refused for 2000 ms/);
    const station = await open();
    station.sendPacket(good(2));
    await waitFor('the station\'s value from its own address', () => h.values('air', 'pm25')[0]);
  });

  it('closes a connection that presents no accepted frame within authTimeout', async () => {
    h = await startDriver([{ id: 'air', connection: { mn: AIR_MN, password: PW, authTimeout: '300ms' }, points }]);
    const silent = await open(ATTACKER);
    await silent.waitClosed('the silent connection closed', 5000);
    assert.equal(h.ctx.metric('sensegate_listener_connections_closed_total', { reason: 'auth-timeout' }), 1);
    assert.ok(h.ctx.logs.some((l) => /no accepted frame within 300 ms of connecting \(authTimeout\)/.test(l.message)));
  });

  it('does not let frames it refuses keep a connection open past idleTimeout', async () => {
    h = await startDriver([{ id: 'air', connection: { mn: AIR_MN, password: PW, idleTimeout: '500ms' }, points }]);
    const c = await open();
    c.sendPacket(good(1));
    await waitFor('online', () => h.states('air').includes('online'));
    // Frames for a station this gateway does not serve keep coming, four times per idleTimeout.
    const keepAlive = setInterval(() => c.sendPacket(good(2, { mn: 'STRANGER0000000000000001' })), 120);
    try {
      await c.waitClosed('the idle connection closed although frames keep arriving', 5000);
    } finally {
      clearInterval(keepAlive);
    }
    const offline = h.ctx.healthChanges.filter((x) => x.device === 'air').at(-1)!;
    assert.match(String((offline.reason as Error).message), /no accepted frame for 500 ms \(idleTimeout\)/);
  });

  it('meets password guessing over reconnects with refusal: two guesses in 1.5 s, and the station carries on', async () => {
    h = await startDriver([{ id: 'air', connection: { mn: AIR_MN, password: PW }, points }]);
    const station = await open();
    station.sendPacket(good(1));
    await waitFor('the station online', () => h.values('air', 'pm25')[0]);
    const sent = await guessPasswords(h.port, 1500, (i) => frameOf(good(100 + i, { pw: String(100_000 + i) })));
    const checked = h.instance.stats('air').framesRefused;
    assert.ok(checked >= 1 && checked <= 2, `${checked} of ${sent} guesses reached the password check`);
    assert.ok(h.ctx.metric('sensegate_listener_connections_refused_total', { reason: 'backoff' }) >= 1);
    station.sendPacket(good(2));
    await waitFor('the station\'s next value', () => h.values('air', 'pm25').length === 2);
    assert.equal(station.closed, false);
  });

  it('doubles the refusal with every wrong password, up to authBackoff.maxDelay', async () => {
    h = await startDriver([{ id: 'air', connection: { mn: AIR_MN, password: PW, authBackoff: { initialDelay: '100ms', maxDelay: '400ms' } }, points }]);
    const sent = await guessPasswords(h.port, 3000, (i) => frameOf(good(i, { pw: String(200_000 + i) })));
    // Refused for 100, 200, 400, 400, ... ms: about 9 guesses in 3 s, not the 30 of a fixed 100 ms.
    const checked = h.instance.stats('air').framesRefused;
    assert.ok(checked >= 3 && checked <= 12, `${checked} of ${sent} guesses reached the password check`);
    assert.equal(h.ctx.metric('sensegate_listener_auth_failures_total'), checked);
  });

  it('keeps the station\'s password out of every log line, excerpts included', async () => {
    h = await startDriver([{ id: 'air', connection: { mn: AIR_MN, password: 'k9Secret' }, points }]);
    const c = await open();
    c.send(broken(1, 'k9Secret'));
    c.sendPacket(good(2, { pw: 'k9Secret' }));
    await waitFor('the good frame after the broken one', () => h.values('air', 'pm25')[0]);
    const guess = await open(ATTACKER);
    guess.sendPacket(good(3, { pw: 'guess77' }));
    await guess.waitClosed();
    // A frame whose `PW=` was damaged on the line: no field name says where the password is.
    const damaged = await open('127.0.0.3');
    damaged.send(encodeFrame(`QN=20240501100000000;ST=22;CN=2011;PX=k9Secret;MN=${AIR_MN};Flag=4;CP=&&a34004-Rtd=1&&`));
    await waitFor('the damaged frame counted', () => h.instance.stats().framesMalformed === 2);
    assert.ok(logText(h).some((t) => t.includes('PX=***;MN=')), 'its excerpt hides the password too');
    assert.deepEqual(logText(h).filter((t) => t.includes('k9Secret') || t.includes('guess77')), []);
    assert.ok(logText(h).some((t) => t.includes('CRC mismatch') && t.includes('PW=***;MN=')), 'the excerpt shows where the password was');
  });

  it('does not let a CN holding a newline start a new log line', async () => {
    h = await startDriver([{ id: 'air', connection: { mn: AIR_MN, password: PW }, points }]);
    const c = await open(ATTACKER);
    c.send(encodeFrame(`QN=20240501100000000;ST=22;CN=20\n11\r\n2024-05-01 INFO forged;PW=000000;MN=${AIR_MN};Flag=4;CP=&&a34004-Rtd=1&&`));
    await waitFor('the frame refused', () => h.instance.stats().framesMalformed === 1);
    const lines = h.ctx.logs.filter((l) => l.message.includes('CN='));
    assert.equal(lines.length, 1);
    assert.ok(lines[0]!.message.includes('CN=20\\n11\\r\\n2024-05-01 INFO forged'), lines[0]!.message);
    for (const l of h.ctx.logs) {
      assert.doesNotMatch(l.message, /[\r\n]/);
      for (const value of Object.values(l.fields)) if (typeof value === 'string') assert.doesNotMatch(value, /[\r\n]/);
    }
  });

  it('writes a bounded number of log lines for 1,500 short connections of junk', async () => {
    h = await startDriver([{ id: 'air', connection: { mn: AIR_MN, password: PW }, points }]);
    const junk = (i: number) => Buffer.concat([Buffer.from(`junk ${i} \x00\xff`), broken(i)]);
    await shortConnections(h.port, 1500, { from: ATTACKERS, bytes: junk });
    await waitFor('every connection closed', () => h.instance.stats().connections === 0 && h.instance.stats().connectionsAccepted === 1500);
    assert.ok(h.instance.stats().framesMalformed >= 1500, `${h.instance.stats().framesMalformed} malformed frames counted`);
    assert.ok(h.ctx.logs.length <= 20, `${h.ctx.logs.length} log lines`);
    assert.ok(h.ctx.metric('sensegate_listener_frames_malformed_total') >= 1500);
  });

  it('sums up what it did not log in one line per interval, with the addresses, and counts it', async () => {
    h = await startDriver([{ id: 'air', connection: { mn: AIR_MN, password: PW, logLimit: { lines: 2, interval: '300ms' } }, points }]);
    await shortConnections(h.port, 200, { from: ATTACKERS.slice(0, 3), bytes: (i) => broken(i) });
    await waitFor('every connection closed', () => h.instance.stats().connections === 0 && h.instance.stats().connectionsAccepted === 200);
    const suppressed = () => h.ctx.metric('sensegate_listener_log_lines_suppressed_total');
    const summaries = () => h.ctx.logs.filter((l) => /^suppressed \d+ log lines/.test(l.message));
    await waitFor('summaries that account for every line left out', () => {
      const total = summaries().reduce((sum, l) => sum + (l.fields.suppressed as number), 0);
      return suppressed() > 0 && total === suppressed();
    });
    const first = summaries()[0]!;
    assert.match(first.message, /^suppressed \d+ log lines on 127\.0\.0\.1:\d+ in the last 300 ms: \d+ malformed data from 3 addresses/);
    const malformedLines = h.ctx.logs.filter((l) => /^malformed data/.test(l.message)).length;
    assert.ok(malformedLines + suppressed() >= 200, 'each malformed frame was either logged or counted as left out');
    assert.ok(malformedLines <= 2 * (summaries().length + 1), `${malformedLines} malformed-data lines for ${summaries().length} intervals`);
  });
});
