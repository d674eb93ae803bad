// What the centre answers, byte for byte: the standard's confirmation for each report (ESC or EOT),
// nothing for a keep-alive or in self-report mode, a repeated report confirmed again but published
// once, and a message sent in SYN packets acknowledged packet by packet and put back together.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { END, encodeKeepAlive, encodePackets, encodeReport, encodeReportBody, type StationTime } from '@sensegate/driver-sl651/protocol';
import { startSl651Station } from '@sensegate/sim-sl651';
import { waitFor } from '@sensegate/sdk/testing';
import { RawClient, startDriver, type DriverHarness } from './support/harness.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const time: StationTime = { year: 2025, month: 6, day: 1, hour: 9, minute: 5, second: 30 };
const observed: StationTime = { ...time, second: 0 };

describe('replies', () => {
  let driver: DriverHarness;

  before(async () => {
    driver = await startDriver([
      // the station of a published capture, to compare the confirmation with the published one
      { id: 'published', connection: { address: '0011223344', password: '03E8', centre: 5 }, points: [{ id: 'level', element: '39' }] },
      { id: 'hangs-up', connection: { address: '0000000201', password: '1111', reply: 'eot' }, points: [{ id: 'level', element: '39' }] },
      { id: 'self-report', connection: { address: '0000000202', password: '1111', reply: 'none' }, points: [{ id: 'level', element: '39' }] },
      {
        id: 'packets',
        connection: { address: '0000000203', password: '1111', maxMessageBytes: 200 },
        points: [
          { id: 'level', element: 'waterLevel' },
          { id: 'total', element: 'rain.total', function: ['32', 'add'] },
          { id: 'hourlyOnly', element: 'rain.total', function: 'hourly' },
        ],
      },
    ]);
  });

  after(() => driver.stop());

  it('confirms a timed report exactly as the published capture does, and publishes its values', async () => {
    const client = await RawClient.open(driver.port);
    try {
      client.send(hex('7E7E 05 0011223344 03E8 32 002B 02 0034 170718110016 F1F1 0011223344 48 F0F0 1707181100 2019000040 2619000040 392300010490 38121099 03 A421'));
      await waitFor('the reply bytes', () => Buffer.concat(client.raw).length >= 25);
      assert.deepEqual(Buffer.concat(client.raw), hex('7E7E 0011223344 05 03E8 32 8008 02 0034 170718110016 1B E5D4'));
      const [value] = driver.values('published', 'level');
      // 2017-07-18 11:00 in Beijing is 03:00 UTC
      assert.deepEqual(value, { value: 10.49, options: { quality: 'good', ts: Date.UTC(2017, 6, 18, 3, 0) } });
    } finally {
      client.close();
    }
  });

  it('answers EOT when configured to let the station hang up, nothing to a keep-alive or in self-report mode', async () => {
    const client = await RawClient.open(driver.port);
    try {
      const report = (station: string, serial: number) =>
        encodeReport({ station, password: '1111', centre: 1 }, 0x33, { serial, sendTime: time, category: 0x48, observed, elements: [{ id: '39', value: serial }] })[0]!;
      // One connection may carry several stations (a concentrator): the replies come back in order.
      client.send(encodeKeepAlive({ station: '0000000201', password: '1111', centre: 1 }, 40, time));
      client.send(report('0000000202', 41));
      client.send(report('0000000201', 42));
      const reply = await client.frame(1);
      assert.equal(reply.station, '0000000201');
      assert.equal(Buffer.from(reply.body).readUInt16BE(0), 42, 'the first reply is to the report, not to the keep-alive or the self-report');
      assert.equal(reply.end, END.EOT);
      assert.equal(reply.functionCode, 0x33);
      await waitFor('both reports published', () => driver.values('self-report', 'level').length === 1 && driver.values('hangs-up', 'level').length === 1);
    } finally {
      client.close();
    }
  });

  it('confirms a repeated report again but publishes it once', async () => {
    const client = await RawClient.open(driver.port);
    try {
      const frame = encodeReport({ station: '0011223344', password: '03E8', centre: 5 }, 0x32, { serial: 900, sendTime: time, category: 0x48, observed, elements: [{ id: '39', value: 1.23 }] })[0]!;
      client.send(frame);
      await client.frame(1);
      client.send(frame); // the station missed our confirmation and sends the report again
      await client.frame(2);
      assert.equal(driver.values('published', 'level').filter((v) => v.value === 1.23).length, 1);
      assert.equal(driver.instance.stats().duplicates, 1);
    } finally {
      client.close();
    }
  });

  it('acknowledges each SYN packet, confirms the whole message, and publishes it once', async () => {
    const station = startSl651Station({ port: driver.port, address: '0000000203', password: '1111', interval: 0, keepAlive: 0, hourly: false, addThreshold: 0, rainTotal: 321.5 });
    try {
      station.set('waterLevel', 5.432);
      const serial = station.sendTimedReport({ packetSize: 9 });
      await waitFor('the confirmation of the whole message', () => station.stats().confirmedSerials.includes(serial!));
      const frames = station.stats().framesOut;
      assert.ok(frames >= 5, `the report went out in ${frames} packets`);
      assert.equal(station.stats().acks, frames - 1, 'every packet but the last is acknowledged');
      assert.equal(driver.values('packets', 'level')[0]!.value, 5.432);
      assert.equal(driver.values('packets', 'total')[0]!.value, 321.5);
      assert.deepEqual(driver.values('packets', 'hourlyOnly'), [], 'a point filtered to hourly reports ignores the timed one');
    } finally {
      await station.stop();
    }
  });

  it('drops a multi-packet message larger than maxMessageBytes, and counts it', async () => {
    const client = await RawClient.open(driver.port);
    try {
      const dropped = driver.instance.stats().messagesDropped;
      const elements = Array.from({ length: 40 }, (_, i) => ({ id: '39', value: i }));
      const body = encodeReportBody({ serial: 77, sendTime: time, station: '0000000203', category: 0x48, observed, elements });
      for (const p of encodePackets({ station: '0000000203', password: '1111', centre: 1, direction: 'up', functionCode: 0x32, body }, 64)) client.send(p);
      await waitFor('the drop', () => driver.instance.stats().messagesDropped === dropped + 1);
      assert.ok(driver.ctx.logs.some((l) => /dropped a multi-packet timed report from station 0000000203: message exceeds maxMessageBytes \(200\)/.test(l.message)));
    } finally {
      client.close();
    }
    // the packets after the drop were ignored, not taken for a new message left incomplete
    await waitFor('the connection gone', () => driver.instance.stats().connections === 0);
    assert.equal(driver.instance.stats().messagesDropped, 1);
    assert.deepEqual(driver.values('packets', 'level').length, 1);
  });
});
