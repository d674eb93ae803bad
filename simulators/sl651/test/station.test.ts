// The simulated station as a library: what it sends on its own and on demand, how it follows the
// centre's replies, and that nothing is lost while the centre is away.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { END, decodeBody, type Frame } from '@sensegate/driver-sl651/protocol';
import { waitFor } from '@sensegate/sdk/testing';
import { startSl651Station } from '../src/index.js';
import { FakeCentre } from './support/fake-centre.js';

const quiet = { interval: 0, keepAlive: 0, hourly: false, addThreshold: 0, reconnect: { initialDelay: 20, maxDelay: 200 } };
const value = (frame: Frame, id: string) => decodeBody(frame.functionCode, frame.body).elements.find((e) => e.id === id)?.samples;

describe('the simulated station', () => {
  it('keeps the link alive and reports on schedule', async (t) => {
    const centre = await FakeCentre.start();
    t.after(() => centre.stop());
    const station = startSl651Station({ ...quiet, port: centre.port, address: '0000000501', keepAlive: 50, interval: 80 });
    t.after(() => station.stop());
    await waitFor('two keep-alives and two timed reports', () => {
      const fns = centre.frames.map((f) => f.functionCode);
      return fns.filter((f) => f === 0x2f).length >= 2 && fns.filter((f) => f === 0x32).length >= 2;
    });
    const serials = centre.frames.map((f) => Buffer.from(f.body).readUInt16BE(0));
    assert.deepEqual(serials, serials.map((_, i) => i + 1), 'serial numbers count up from 1');
    assert.ok(centre.frames.every((f) => f.station === '0000000501' && f.password === '1234' && f.centre === 1 && f.direction === 'up'));
  });

  it('encodes a level below the datum with its sign, and a hourly report with 12-sample series', async (t) => {
    const centre = await FakeCentre.start();
    t.after(() => centre.stop());
    const station = startSl651Station({ ...quiet, port: centre.port, address: '0000000502', values: { waterLevel: { kind: 'constant', value: -0.5 } } });
    t.after(() => station.stop());
    station.sendTimedReport();
    station.sendHourlyReport();
    const [timed, hourly] = await waitFor('both reports', () => centre.frames.length === 2 && centre.frames);
    assert.deepEqual(value(timed!, '39'), [{ offsetMinutes: 0, value: { kind: 'value', value: -0.5 } }]);
    assert.equal(value(hourly!, 'F4')!.length, 12);
    assert.equal(value(hourly!, 'F5')!.length, 12);
    // a negative level has no place in the unsigned 5-minute series: sent as no data
    assert.deepEqual(value(hourly!, 'F5')!.at(-1)!.value, { kind: 'no-data' });
  });

  it('sends a report as SYN packets, acknowledged one by one', async (t) => {
    const centre = await FakeCentre.start();
    t.after(() => centre.stop());
    const station = startSl651Station({ ...quiet, port: centre.port, address: '0000000503' });
    t.after(() => station.stop());
    const serial = station.sendTimedReport({ packetSize: 10 });
    await waitFor('the whole message confirmed', () => station.stats().confirmedSerials.includes(serial!));
    const packets = centre.frames;
    const total = packets.length;
    assert.ok(total >= 4);
    assert.deepEqual(packets.map((p) => p.packet), packets.map((_, i) => ({ total, sequence: i + 1 })));
    assert.deepEqual(packets.map((p) => p.end), [...Array(total - 1).fill(END.ETB), END.ETX]);
    assert.equal(station.stats().acks, total - 1);
    const body = Buffer.concat(packets.map((p) => p.body));
    assert.equal(decodeBody(0x32, body).station, '0000000503');
  });

  it('hangs up when the centre says EOT, and dials again for the next report', async (t) => {
    const centre = await FakeCentre.start();
    t.after(() => centre.stop());
    centre.end = END.EOT;
    const station = startSl651Station({ ...quiet, port: centre.port, address: '0000000504' });
    t.after(() => station.stop());
    station.sendTimedReport();
    await waitFor('the hang-up', () => station.stats().hangUps === 1 && centre.closed === 1);
    station.sendAddReport();
    await waitFor('the add report on a new connection', () => centre.received.some((r) => r.connection === 2 && r.result.ok && r.result.frame.functionCode === 0x33));
  });

  it('keeps reports while the centre is away and delivers them in order when it is back', async (t) => {
    const probe = await FakeCentre.start();
    const port = probe.port;
    await probe.stop();
    const station = startSl651Station({ ...quiet, port, address: '0000000505' });
    t.after(() => station.stop());
    const serials = [station.sendTimedReport(), station.sendAddReport(), station.sendKeepAlive()];
    await waitFor('three frames queued', () => station.stats().queued === 3);
    const centre = await FakeCentre.start(port);
    t.after(() => centre.stop());
    await waitFor('all three delivered', () => centre.frames.length === 3);
    assert.deepEqual(centre.frames.map((f) => Buffer.from(f.body).readUInt16BE(0)), serials);
    await waitFor('both reports confirmed', () => station.stats().confirmed === 2);
  });
});
