// Random and mutated SL 651 input, for a time budget (a few seconds in `npm test`, longer in
// `npm run fuzz`): into the real listener over many short connections from several addresses while
// a simulated station stays connected, and straight into the frame decoder, the body decoder and
// the reassembly of multi-packet messages. Whatever comes, the process stays up, its memory and
// event loop stay within bounds, the station loses no report, the log stays within its limit, no
// excerpt shows a password, and reassembly gives back all the memory it took.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { END, FrameDecoder, decodeBody, encodeFrame, encodeKeepAlive, encodeReport, type StationTime } from '@sensegate/driver-sl651/protocol';
import { MemoryBudget, isSensegateError } from '@sensegate/sdk';
import { FuzzRandom, delay, fuzzBudget, fuzzFor, garbage, mutate, waitFor, watchProcess } from '@sensegate/sdk/testing';
import { startSl651Station, type Sl651Station } from '@sensegate/sim-sl651';
import { Reassembly } from '../src/server/reassembly.js';
import { RawClient, startDriver, type DriverHarness } from './support/harness.js';

const ATTACKERS = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'];
const MAX_STALL_MS = 1000;
const MAX_RSS_GROWTH = 256 * 1024 * 1024;
const MAX_LOG_LINES_PER_MINUTE = 80;
const GOOD = { station: '0000000301', password: '5555', centre: 1 };
const TARGET = { station: '0000000302', password: '6666', centre: 1 };
const time: StationTime = { year: 2025, month: 6, day: 1, hour: 8, minute: 0, second: 0 };
const authBackoff = { initialDelay: '5ms', maxDelay: '20ms' };

/** Frames an attacker starts from: the target station's with guessed or right passwords, strangers', packets. */
function samples(random: FuzzRandom): Buffer[] {
  const guess = random.int(0x10000).toString(16).toUpperCase().padStart(4, '0');
  const report = (id: typeof TARGET) =>
    encodeReport(id, 0x30 + random.int(5), { serial: random.int(65_536), sendTime: time, category: 0x48, observed: time, elements: [{ id: '39', value: random.int(10_000) / 100 }] })[0]!;
  const total = 1 + random.int(8);
  return [
    report({ ...TARGET, password: guess === TARGET.password ? '0000' : guess }),
    report(TARGET),
    report({ ...TARGET, station: '0099999999' }),
    encodeKeepAlive(TARGET, random.int(65_536), time),
    encodeFrame({ direction: 'up', ...TARGET, functionCode: 0x36, body: random.bytes(random.int(3000)), packet: { total, sequence: 1 + random.int(total) }, end: END.ETB }),
  ];
}

describe('SL 651 listener fuzz', () => {
  let h: DriverHarness;
  let station: Sl651Station;
  const thrown: unknown[] = [];
  const onError = (err: unknown) => thrown.push(err);

  before(async () => {
    process.on('uncaughtException', onError);
    process.on('unhandledRejection', onError);
    h = await startDriver([
      { id: 'good', connection: { address: GOOD.station, password: GOOD.password, allow: ['127.0.0.1'], authBackoff }, points: [{ id: 'level', element: 'waterLevel' }] },
      // The station the attackers aim at: guesses, mutations and multi-packet messages claim it.
      { id: 'target', connection: { address: TARGET.station, password: TARGET.password, authTimeout: '2s', maxMessageBytes: 65_536, maxReassemblyBytes: '256KiB', authBackoff }, points: [{ id: 'level', element: 'waterLevel' }] },
    ]);
    station = startSl651Station({ port: h.port, address: GOOD.station, password: GOOD.password, interval: 0, keepAlive: 0, hourly: false, addThreshold: 0 });
  });
  after(async () => {
    await station.stop();
    await h.stop();
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  });

  it('stays up, bounded and quiet under random connections, while a good station loses nothing', async () => {
    const watch = watchProcess();
    const started = Date.now();
    const serials: number[] = [];
    const open: RawClient[] = [];
    const rounds = await fuzzFor(fuzzBudget(3), async (random, index) => {
      station.set('waterLevel', index / 100);
      serials.push(station.sendTimedReport()!);
      let c = open.length > 0 && random.chance(0.5) ? random.pick(open) : undefined;
      if (!c || c.closed) {
        c = await RawClient.open(h.port, { from: random.pick(ATTACKERS) });
        open.push(c);
      }
      const input = random.chance(0.3) ? garbage(random, 512) : random.chance(0.8) ? mutate(random, random.pick(samples(random)), 8192) : random.pick(samples(random));
      if (random.chance(0.3)) for (let at = 0; at < input.length; at += 1 + random.int(16)) c.send(input.subarray(at, at + 1 + random.int(16)));
      else c.send(input);
      if (random.chance(0.4)) c.close();
      for (let i = open.length - 1; i >= 0; i--) if (open[i]!.closed) open.splice(i, 1);
      while (open.length > 40) open.shift()!.close();
      await delay(2);
    });
    for (const c of open) c.close();
    await waitFor(`${serials.length} confirmations`, () => station.stats().confirmed === serials.length);
    await waitFor(`${serials.length} readings`, () => h.values('good', 'level').length >= serials.length);
    assert.deepEqual(
      h.values('good', 'level').map((v) => v.value),
      serials.map((_, i) => i / 100),
      'every report of the good station, in order, once',
    );
    assert.deepEqual(h.ctx.healthChanges.filter((x) => x.device === 'good').map((x) => x.state), ['online']);
    const seen = watch.stop();
    assert.deepEqual(thrown, []);
    assert.ok(seen.maxStallMs < MAX_STALL_MS, `the event loop stalled ${seen.maxStallMs} ms`);
    assert.ok(seen.peakRssBytes - seen.startRssBytes < MAX_RSS_GROWTH, `RSS grew ${seen.peakRssBytes - seen.startRssBytes} bytes`);
    const minutes = Math.max(1, Math.ceil((Date.now() - started) / 60_000));
    assert.ok(h.ctx.logs.length <= MAX_LOG_LINES_PER_MINUTE * minutes, `${h.ctx.logs.length} log lines in ${minutes} min over ${rounds} rounds`);
    assert.ok(h.instance.stats().reassemblyBytes <= 256 * 1024);
    assert.deepEqual(h.ctx.logs.filter((l) => /66 66|55 55/.test(JSON.stringify(l.fields))), [], 'no password in any excerpt');
  });

  it('keeps the decoders bounded and throwing only protocol errors, and reassembly gives back its memory', async () => {
    const watch = watchProcess();
    const decoder = new FrameDecoder();
    const budget = new MemoryBudget(64 * 1024);
    const reassembly = new Reassembly(budget);
    const protocolErrorsOnly = (what: string, run: () => unknown) => {
      try {
        run();
      } catch (err) {
        if (!isSensegateError(err) && !(err instanceof RangeError)) throw new Error(`${what} threw ${String(err)}`);
      }
    };
    await fuzzFor(fuzzBudget(3), (random) => {
      const input = random.chance(0.3) ? garbage(random, 2048) : mutate(random, random.pick(samples(random)), 8192);
      for (const result of decoder.push(input)) {
        if (!result.ok) {
          assert.doesNotMatch(result.excerpt, /^7E 7E (.. ){6}66 66/, `an excerpt shows the password: ${result.excerpt}`);
          continue;
        }
        const { frame } = result;
        if (frame.packet) {
          for (const outcome of reassembly.add({ ...frame, packet: frame.packet }, 16 * 1024)) {
            if (outcome.kind === 'complete') protocolErrorsOnly('decodeBody', () => decodeBody(frame.functionCode, outcome.body));
          }
        } else protocolErrorsOnly('decodeBody', () => decodeBody(frame.functionCode, frame.body));
      }
      assert.ok(decoder.buffered <= 14 + 4095 + 3, `the decoder holds ${decoder.buffered} bytes`);
      assert.ok(budget.used <= budget.limit);
      protocolErrorsOnly('decodeBody', () => decodeBody(0x30 + random.int(0x20), input));
    });
    reassembly.dispose();
    assert.equal(budget.used, 0, 'every byte reserved was given back');
    const seen = watch.stop();
    assert.ok(seen.maxStallMs < MAX_STALL_MS, `the event loop stalled ${seen.maxStallMs} ms`);
  });
});
