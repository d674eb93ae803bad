// One connection sends random bytes and broken frames while a real station keeps reporting on
// another: every report of the good station arrives and is confirmed, the noise is counted, and the
// noisy connection is closed once it is clearly not a station.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seededRandom } from '@sensegate/sdk/simulate';
import { encodeReport } from '@sensegate/driver-sl651/protocol';
import { startSl651Station, type Sl651Station } from '@sensegate/sim-sl651';
import { waitFor } from '@sensegate/sdk/testing';
import { RawClient, startDriver, type DriverHarness } from './support/harness.js';

const REPORTS = 40;

describe('fuzz', () => {
  let driver: DriverHarness;
  let station: Sl651Station;

  before(async () => {
    driver = await startDriver([{ id: 'good', connection: { address: '0000000301', password: '5555' }, points: [{ id: 'level', element: 'waterLevel' }] }]);
    station = startSl651Station({ port: driver.port, address: '0000000301', password: '5555', interval: 0, keepAlive: 0, hourly: false, addThreshold: 0 });
  });

  after(async () => {
    await station.stop();
    await driver.stop();
  });

  it('loses nothing of a good station while another connection sends noise', async () => {
    const random = seededRandom(651);
    const byte = () => Math.floor(random() * 256);
    const time = { year: 2025, month: 6, day: 1, hour: 8, minute: 0, second: 0 };
    const template = encodeReport({ station: '0000000301', password: '5555', centre: 1 }, 0x32, { serial: 1, sendTime: time, category: 0x48, observed: time, elements: [{ id: '39', value: 9.99 }] })[0]!;
    const noisy = await RawClient.open(driver.port);
    const serials: number[] = [];
    try {
      for (let i = 0; i < REPORTS; i++) {
        // noise: random bytes, false starts, and the good station's own frame with bytes flipped
        const chunk = Buffer.from(Array.from({ length: 20 + Math.floor(random() * 200) }, byte));
        if (random() < 0.5) chunk.fill(0x7e, 0, 2);
        const mangled = Buffer.from(template);
        mangled[2 + Math.floor(random() * (mangled.length - 2))] ^= 1 + Math.floor(random() * 255);
        if (!noisy.closed) noisy.send(Buffer.concat([chunk, mangled]));
        station.set('waterLevel', i / 10);
        serials.push(station.sendTimedReport()!);
        if (i % 8 === 0) await new Promise((r) => setImmediate(r));
      }
      await waitFor(`${REPORTS} confirmations`, () => serials.every((s) => station.stats().confirmedSerials.includes(s)));
      await waitFor(`${REPORTS} readings`, () => driver.values('good', 'level').length === REPORTS);
      assert.deepEqual(
        driver.values('good', 'level').map((v) => v.value),
        Array.from({ length: REPORTS }, (_, i) => i / 10),
        'every report, in order, and none of the mangled copies',
      );
      const stats = driver.instance.stats();
      assert.ok(stats.framesMalformed + stats.framesRefused > 0, 'the noise is counted');
      const warnings = driver.ctx.logs.filter((l) => l.fields.remote !== undefined && /^malformed data from/.test(l.message));
      assert.ok(warnings.length <= REPORTS, 'logged once per episode, not once per byte');
      assert.deepEqual(driver.ctx.healthChanges.map((h) => h.state), ['online']);
    } finally {
      noisy.close();
    }
  });
});
