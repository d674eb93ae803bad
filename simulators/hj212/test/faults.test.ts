// Faults on demand, each observed on the wire by a platform that decodes with the driver's codec:
// bad CRCs are rejected, a wrong password arrives, split, joined and byte-by-byte frames still
// decode, garbage is skipped, and the station reconnects after drops and storms.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@sensegate/sdk/testing';
import { startHj212Station, wrongPassword, type Hj212Station } from '../src/index.js';
import { TestPlatform, type Connection } from './support/platform.js';

const countFrames = (chunk: Buffer) => chunk.toString('latin1').split('##').length - 1;

describe('faults on demand', () => {
  let platform: TestPlatform;
  let station: Hj212Station;

  before(async () => {
    platform = await TestPlatform.start();
    // A real-time frame every 100 ms of real time; reconnect quickly.
    station = await startHj212Station({
      port: platform.port,
      mn: 'SGTESTFAULT0000000000001',
      realtimeInterval: '1s',
      timeScale: 10,
      reconnect: { initialDelay: 50, maxDelay: 200 },
    });
    await platform.waitForFrames('2011', 1);
  });

  after(async () => {
    await station.close();
    await platform.close();
  });

  /** The current connection and how many chunks it had received so far. */
  const mark = (): { connection: Connection; chunks: number; frames: number; failures: number } => {
    const connection = platform.open.at(-1)!;
    return { connection, chunks: connection.chunks.length, frames: platform.framesOf('2011').length, failures: platform.failures.length };
  };

  it('bad CRC: the next frames fail the CRC check, the ones after them decode', async () => {
    const m = mark();
    station.faults.badCrc(2);
    await waitFor('two CRC failures', () => platform.failures.length - m.failures >= 2);
    await platform.waitForFrames('2011', 2, { from: m.frames });
    const failures = platform.failures.slice(m.failures);
    assert.equal(failures.length, 2);
    for (const f of failures) assert.match(f.message, /CRC mismatch/);
  });

  it('wrong password: the next frame carries another PW with a valid CRC', async () => {
    const m = mark();
    station.faults.wrongPassword(1);
    const [bad, good] = await platform.waitForFrames('2011', 2, { from: m.frames });
    assert.equal(bad!.packet.pw, wrongPassword('123456'));
    assert.notEqual(bad!.packet.pw, '123456');
    assert.equal(good!.packet.pw, '123456');
    assert.equal(platform.failures.length, m.failures);
  });

  it('split: frames arrive in pieces and still decode', async () => {
    const m = mark();
    station.faults.split(3);
    await platform.waitForFrames('2011', 4, { from: m.frames });
    const chunks = m.connection.chunks.slice(m.chunks);
    assert.ok(
      chunks.some((c) => !c.toString('latin1').endsWith('\r\n')),
      'a chunk ends in the middle of a frame',
    );
    assert.equal(platform.failures.length, m.failures);
  });

  it('concatenated: three frames in one write decode as three', async () => {
    const m = mark();
    station.faults.concatenate(1, 3);
    await platform.waitForFrames('2011', 4, { from: m.frames });
    const chunks = m.connection.chunks.slice(m.chunks);
    assert.ok(chunks.some((c) => countFrames(c) >= 3), `a chunk with three frames (frames per chunk: ${chunks.map(countFrames).join(',')})`);
    assert.equal(platform.failures.length, m.failures);
  });

  it('garbage between frames is skipped, the frames decode', async () => {
    const m = mark();
    station.faults.garbage(2, 24);
    await waitFor('two stretches of skipped bytes', () => platform.failures.length - m.failures >= 2);
    const frames = await platform.waitForFrames('2011', 3, { from: m.frames });
    assert.equal(frames.length, 3);
    for (const f of platform.failures.slice(m.failures)) assert.match(f.message, /outside a frame.*24 bytes skipped/);
  });

  it('one byte at a time: the frame trickles in and decodes', async () => {
    const m = mark();
    station.faults.oneByteAtATime(1);
    await platform.waitForFrames('2011', 2, { from: m.frames });
    const singles = m.connection.chunks.slice(m.chunks).filter((c) => c.length === 1).length;
    assert.ok(singles >= 10, `many one-byte chunks (${singles})`);
    assert.equal(platform.failures.length, m.failures);
    assert.ok(station.stats().writes > station.stats().framesSent);
  });

  it('silence: connected but sending nothing, then sending again', async () => {
    station.faults.silence(true);
    try {
      const dropped = station.stats().framesDropped;
      assert.equal(station.sendNow('realtime'), undefined);
      // The sample asked for, and any that fell due meanwhile, are lost.
      assert.ok(station.stats().framesDropped > dropped);
      assert.equal(station.connected, true);
    } finally {
      station.faults.silence(false);
    }
    const from = platform.framesOf('2011').length;
    await platform.waitForFrames('2011', 1, { from });
  });

  it('reconnects with backoff when the platform drops the connection', async () => {
    const before = station.stats();
    const connections = platform.connections.length;
    platform.dropAll();
    await waitFor('a new connection', () => platform.open.length === 1 && platform.connections.length === connections + 1);
    const from = platform.framesOf('2011').length;
    const [next] = await platform.waitForFrames('2011', 1, { from });
    assert.equal(next!.connection, connections + 1);
    const after = station.stats();
    assert.equal(after.disconnects, before.disconnects + 1);
    assert.equal(after.reconnects, before.reconnects + 1);
  });

  it('reconnect storm: connects and disconnects N times, then stays', async () => {
    const connections = platform.connections.length;
    const connects = station.stats().connects;
    station.faults.reconnectStorm(4);
    await waitFor('four throwaway connections and a lasting one', () => platform.connections.length === connections + 5 && station.connected);
    assert.equal(station.stats().connects, connects + 5);
    const from = platform.framesOf('2011').length;
    const [next] = await platform.waitForFrames('2011', 1, { from });
    assert.equal(next!.connection, connections + 5);
  });

  it('junk from the platform is counted and skipped; a command after it is answered', async () => {
    const bad = station.stats().badFramesIn;
    platform.sendRaw('garbage\r\n##0010oops!!!!!!1234\r\n');
    await waitFor('the junk counted', () => station.stats().badFramesIn > bad);
    const qn = platform.command('1061', [], { mn: station.mn, password: '123456' });
    const replies = await platform.replies(qn);
    assert.equal(replies.at(-1)!.fields.get('ExeRtn'), '1');
  });
});
