import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { delay, waitFor } from '@sensegate/sdk/testing';
import { encodeFrame } from '@sensegate/driver-hj212/protocol';
import { AIR_MN, PW, RawClient, WATER_MN, frameOf, startDriver, upload, type DriverHarness } from './support/harness.js';
import { random } from './support/random.js';

const SEED = Number(process.env.HJ212_FUZZ_SEED ?? 212);
const DURATION = 3000;

describe(`fuzz (seed ${SEED})`, () => {
  let h: DriverHarness;
  const thrown: unknown[] = [];
  const onError = (err: unknown) => thrown.push(err);

  before(async () => {
    process.on('uncaughtException', onError);
    process.on('unhandledRejection', onError);
    h = await startDriver([
      { id: 'air', connection: { mn: AIR_MN, password: PW, maxFrameBytes: 1024 }, points: [{ id: 'pm25', code: 'a34004' }] },
      { id: 'water', connection: { mn: WATER_MN, password: PW }, points: [{ id: 'cod', code: 'w01018' }] },
    ]);
  });
  after(async () => {
    await h.stop();
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  });

  it('loses nothing of a good station while another connection sends garbage, broken and oversized frames', async () => {
    const rnd = random(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
    const good = await RawClient.open(h.port);
    let noisy = await RawClient.open(h.port);
    const goodFrame = (n: number) => frameOf(upload({ mn: WATER_MN, qn: `2024050110${String(n).padStart(7, '0')}`, flag: 5, cp: `DataTime=20240501100000;w01018-Rtd=${n}` }));
    const noise: Array<() => Buffer> = [
      () => Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256))),
      () => frameOf(upload({ cp: `a34004-Rtd=${rnd()}` })).subarray(0, Math.floor(rnd() * 60)), // truncated
      () => encodeFrame(`ST=22;CN=2011;PW=${PW};MN=${AIR_MN};CP=&&${'x'.repeat(1100 + Math.floor(rnd() * 3000))}&&`), // oversized
      () => Buffer.from(`##${String(Math.floor(rnd() * 10000)).padStart(4, '0')}QN=1;ST=2`), // lying length
      () => {
        const f = frameOf(upload({ cp: `a34004-Rtd=${Math.floor(rnd() * 100)}` }));
        f[6 + Math.floor(rnd() * (f.length - 8))] ^= 1 << Math.floor(rnd() * 8); // one bit flipped
        return f;
      },
      () => frameOf(upload({ mn: WATER_MN, pw: '000000', cp: 'w01018-Rtd=-1' })), // the good station's MN, wrong password
      () => frameOf(upload({ mn: 'NOBODY000000000000000000', cp: 'a34004-Rtd=1' })), // unknown MN: closes the connection
      () => Buffer.from('##0000\r\n##abcd'),
      () => frameOf(upload({ cp: 'DataTime=99999999999999;a34004-Rtd=1' })), // impossible DataTime
      () => frameOf(upload({ cp: 'a34004-Rtd=1', pnum: 3, pno: 1, flag: 7 })), // a split set never completed
    ];
    let sent = 0;
    const deadline = Date.now() + DURATION;
    while (Date.now() < deadline) {
      good.send(goodFrame(++sent));
      for (let i = 0; i < 5; i++) {
        if (noisy.closed) {
          noisy = await RawClient.open(h.port);
        }
        const bytes = pick(noise)();
        // Sometimes in pieces, sometimes whole.
        if (rnd() < 0.3) for (let at = 0; at < bytes.length; at += 7) noisy.send(bytes.subarray(at, at + 7));
        else noisy.send(bytes);
      }
      await delay(5);
    }
    const cod = await waitFor(`all ${sent} values of the good station`, () => (h.values('water', 'cod').length >= sent ? h.values('water', 'cod') : undefined));
    assert.deepEqual(
      cod.map((v) => v.value),
      Array.from({ length: sent }, (_, i) => i + 1),
    );
    await waitFor('every acknowledgement', () => good.packets.filter((p) => p.cn === '9014').length === sent);
    assert.equal(good.closed, false);
    assert.deepEqual(h.states('water'), ['online']);
    assert.deepEqual(thrown, []);
    const stats = h.instance.stats();
    assert.ok(stats.framesMalformed > 0 && stats.framesRefused > 0, JSON.stringify(stats));
    assert.equal(h.instance.stats('water').framesRefused > 0, true, 'wrong-password packets are charged to the station they claim');
    noisy.close();
    good.close();
  });
});
