// A station that asks for acknowledgement (Flag=5) counts the platform's 9014s, and sends again,
// with the same QN, what the platform did not acknowledge, a bounded number of times.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '@sensegate/sdk/testing';
import { startHj212Station } from '../src/index.js';
import { TestPlatform } from './support/platform.js';

describe('acknowledged data (Flag=5)', () => {
  it('counts the 9014 acknowledgements of its data frames', async (t) => {
    const platform = await TestPlatform.start({ autoAck: true });
    t.after(() => platform.close());
    const station = await startHj212Station({ port: platform.port, mn: 'SGTESTACK000000000000001', realtimeInterval: '1s', timeScale: 5, ack: true });
    t.after(() => station.close());
    const frames = await platform.waitForFrames('2011', 3);
    for (const f of frames) assert.equal(f.packet.flag, 5);
    await waitFor('three acknowledgements', () => station.stats().acksReceived >= 3);
    const s = station.stats();
    assert.equal(s.resent, 0);
    assert.ok(s.awaitingAck <= 1, 'only the frame in flight waits');
  });

  it('sends unacknowledged frames again with the same QN, then gives up after its retries', async (t) => {
    const platform = await TestPlatform.start({ autoAck: false });
    t.after(() => platform.close());
    // One real-time frame per hour of station time: only the one sent on demand matters.
    const station = await startHj212Station({
      port: platform.port,
      mn: 'SGTESTACK000000000000002',
      realtimeInterval: '1h',
      ack: true,
      ackTimeout: '200ms',
      ackRetries: 2,
    });
    t.after(() => station.close());
    await waitFor('the connection', () => station.connected);
    const qn = station.sendNow('realtime')!;
    await waitFor('the frame and its two resends', () => platform.frames.filter((f) => f.packet.qn === qn).length === 3);
    await waitFor('the frame given up', () => station.stats().ackAbandoned === 1);
    const sent = platform.frames.filter((f) => f.packet.qn === qn);
    assert.deepEqual(new Set(sent.map((f) => f.packet.cp)).size, 1, 'the same data each time');
    const s = station.stats();
    assert.equal(s.resent, 2);
    assert.equal(s.awaitingAck, 0);
    assert.equal(s.acksReceived, 0);

    // Acknowledged after the first resend: no more resends.
    const second = station.sendNow('realtime')!;
    await waitFor('a resend of the second frame', () => platform.frames.filter((f) => f.packet.qn === second).length === 2);
    const connection = platform.open[0]!;
    platform.sendTo(connection, { qn: second, st: '91', cn: '9014', pw: '123456', mn: station.mn, flag: 4, cp: '' });
    await waitFor('the acknowledgement counted', () => station.stats().acksReceived === 1);
    assert.equal(station.stats().awaitingAck, 0);
  });
});
