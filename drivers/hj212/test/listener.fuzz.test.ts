// Random and mutated HJ 212 input, for a time budget (a few seconds in `npm test`, longer in
// `npm run fuzz`): into the real listener over many short connections from several addresses while
// a well-behaved station stays connected, and straight into the frame decoder and the parsers.
// Whatever comes, the process stays up, its memory and event loop stay within bounds, the station
// loses no packet, the log stays within its limit, and no excerpt shows a password.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FrameDecoder, encodeFrame, parseCp, parseDataTime, parseSegment, readCpRecords, readReturnCode, type Packet } from '@sensegate/driver-hj212/protocol';
import { isSensegateError } from '@sensegate/sdk';
import { FuzzRandom, delay, fuzzBudget, fuzzFor, garbage, mutate, waitFor, watchProcess } from '@sensegate/sdk/testing';
import { AIR_MN, PW, RawClient, WATER_MN, frameOf, startDriver, upload, type DriverHarness } from './support/harness.js';

const ATTACKERS = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'];
/** Generous bounds: a loaded 2-core CI box must never be the reason this fails. */
const MAX_STALL_MS = 1000;
const MAX_RSS_GROWTH = 256 * 1024 * 1024;
const MAX_LOG_LINES_PER_MINUTE = 80;
const authBackoff = { initialDelay: '5ms', maxDelay: '20ms' };

/** Frames an attacker starts from: the air station's (it may guess its password), strangers', commands. */
function samples(random: FuzzRandom): Buffer[] {
  const cp = `DataTime=20240501100000;a34004-Rtd=${random.int(500)},a34004-Flag=N;a34002-Rtd=12.5`;
  return [
    frameOf(upload({ mn: AIR_MN, pw: String(100_000 + random.int(900_000)), cp })),
    frameOf(upload({ mn: 'STRANGER0000000000000001', cp })),
    frameOf(upload({ mn: AIR_MN, pw: PW, flag: 7, pnum: 3, pno: 1 + random.int(3), cp })),
    encodeFrame(`QN=20240501100000000;ST=22;CN=20${random.text(3)};PW=000000;MN=${AIR_MN};Flag=4;CP=&&${random.text(40)}&&`),
    Buffer.from(`##9999QN=1;ST=22;CN=2011;PW=${PW}`),
  ];
}

describe('HJ 212 listener fuzz', () => {
  let h: DriverHarness;
  const thrown: unknown[] = [];
  const onError = (err: unknown) => thrown.push(err);

  before(async () => {
    process.on('uncaughtException', onError);
    process.on('unhandledRejection', onError);
    h = await startDriver([
      // The station the attackers aim at: their guesses, mutations and split sets all claim it.
      // A short refusal after wrong passwords, so that most attacks reach the decoder instead of
      // being refused on arrival (the refusal itself is tested in hostile-peers).
      { id: 'air', connection: { mn: AIR_MN, password: PW, maxFrameBytes: 2048, authTimeout: '2s', maxReassemblyBytes: '256KiB', authBackoff }, points: [{ id: 'pm25', code: 'a34004' }] },
      // The well-behaved station, from its own address.
      { id: 'water', connection: { mn: WATER_MN, password: PW, allow: ['127.0.0.1'], authBackoff }, points: [{ id: 'cod', code: 'w01018' }] },
    ]);
  });
  after(async () => {
    await h.stop();
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  });

  it('stays up, bounded and quiet under random connections, while a good station loses nothing', async () => {
    const watch = watchProcess();
    const started = Date.now();
    const good = await RawClient.open(h.port);
    let sent = 0;
    const goodFrame = (n: number) => frameOf(upload({ mn: WATER_MN, qn: `2024050110${String(n).padStart(7, '0')}`, flag: 5, cp: `DataTime=20240501100000;w01018-Rtd=${n}` }));
    const open: RawClient[] = [];
    const rounds = await fuzzFor(fuzzBudget(3), async (random) => {
      good.send(goodFrame(++sent));
      // A new connection from a random attacker address, or more bytes on one already open.
      let c = open.length > 0 && random.chance(0.5) ? random.pick(open) : undefined;
      if (!c || c.closed) {
        c = await RawClient.open(h.port, { from: random.pick(ATTACKERS) });
        open.push(c);
      }
      const input = random.chance(0.3) ? garbage(random, 512) : random.chance(0.8) ? mutate(random, random.pick(samples(random)), 4096) : random.pick(samples(random));
      // Sometimes in pieces, sometimes whole.
      if (random.chance(0.3)) for (let at = 0; at < input.length; at += 1 + random.int(16)) c.send(input.subarray(at, at + 1 + random.int(16)));
      else c.send(input);
      if (random.chance(0.4)) c.close();
      for (let i = open.length - 1; i >= 0; i--) if (open[i]!.closed) open.splice(i, 1);
      while (open.length > 40) open.shift()!.close();
      await delay(2);
    });
    for (const c of open) c.close();
    const cod = await waitFor(`all ${sent} packets of the good station`, () => (h.values('water', 'cod').length >= sent ? h.values('water', 'cod') : undefined));
    assert.deepEqual(
      cod.map((v) => v.value),
      Array.from({ length: sent }, (_, i) => i + 1),
      'every packet of the good station, in order, once',
    );
    await waitFor('every acknowledgement', () => good.packets.filter((p) => p.cn === '9014').length === sent);
    assert.equal(good.closed, false);
    assert.deepEqual(h.states('water'), ['online']);
    const seen = watch.stop();
    assert.deepEqual(thrown, []);
    assert.ok(seen.maxStallMs < MAX_STALL_MS, `the event loop stalled ${seen.maxStallMs} ms`);
    assert.ok(seen.peakRssBytes - seen.startRssBytes < MAX_RSS_GROWTH, `RSS grew ${seen.peakRssBytes - seen.startRssBytes} bytes`);
    const minutes = Math.max(1, Math.ceil((Date.now() - started) / 60_000));
    assert.ok(h.ctx.logs.length <= MAX_LOG_LINES_PER_MINUTE * minutes, `${h.ctx.logs.length} log lines in ${minutes} min over ${rounds} rounds`);
    assert.ok(h.instance.stats().reassemblyBytes <= 256 * 1024);
    assert.deepEqual(h.ctx.logs.filter((l) => `${l.message} ${JSON.stringify(l.fields)}`.includes(`PW=${PW}`)), [], 'no password in any log line');
    assert.deepEqual(h.ctx.logs.filter((l) => String(l.fields.excerpt ?? '').includes(PW)), [], 'no password in any excerpt, damaged or not');
    good.close();
  });

  it('keeps the decoder and the parsers bounded and throwing only protocol errors', async () => {
    const watch = watchProcess();
    const decoder = new FrameDecoder({ maxFrameBytes: 1024 });
    const protocolErrorsOnly = (what: string, run: () => unknown) => {
      try {
        run();
      } catch (err) {
        if (!isSensegateError(err)) throw new Error(`${what} threw ${String(err)}`);
      }
    };
    await fuzzFor(fuzzBudget(3), (random) => {
      const sample = random.pick(samples(random));
      const input = random.chance(0.3) ? garbage(random, 2048) : mutate(random, sample, 8192);
      for (const result of decoder.push(input)) {
        if (!result.ok) {
          assert.ok(!result.excerpt.includes(`PW=${PW}`), `an excerpt shows the password: ${result.excerpt}`);
          continue;
        }
        let packet: Packet | undefined;
        protocolErrorsOnly('parseSegment', () => (packet = parseSegment(result.segment)));
        if (packet) {
          protocolErrorsOnly('readCpRecords', () => readCpRecords(packet!.cp));
          protocolErrorsOnly('readReturnCode', () => readReturnCode(packet!));
        }
      }
      assert.ok(decoder.buffered <= 1024 + 12, `the decoder holds ${decoder.buffered} bytes`);
      const text = input.toString('latin1');
      protocolErrorsOnly('parseSegment', () => parseSegment(text.slice(6)));
      protocolErrorsOnly('parseCp', () => parseCp(text));
      protocolErrorsOnly('readCpRecords', () => readCpRecords(text));
      protocolErrorsOnly('parseDataTime', () => parseDataTime(text.slice(0, 14 + random.int(4)), 'Asia/Shanghai'));
    });
    const seen = watch.stop();
    assert.ok(seen.maxStallMs < MAX_STALL_MS, `the event loop stalled ${seen.maxStallMs} ms`);
  });
});
