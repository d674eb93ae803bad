// Fault: the uplink flaps. The broker is killed and started again every 3-5 s while the gateway
// reads 10,000 readings/s. Nothing may be lost or collide, and once the broker stays up the backlog
// drains: the figure is how long after the last restart the platform holds every entry.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { delay, waitFor } from '@sensegate/sdk/testing';
import { checkFeed, faultScale, openFaultBench, reportFigures, seqCoverage, writeSiteConfig, type FaultBench } from './support/faults.js';

const GATEWAY = `fault-flap-${process.pid}`;

describe('fault: a broker flapping every 3-5 s', () => {
  let bench: FaultBench;
  before(async () => {
    bench = await openFaultBench(GATEWAY, { persistent: true });
  });
  after(() => bench?.close());

  it('loses nothing and drains the backlog once the broker stays up', async () => {
    const { dir, site, broker, consumer } = bench;
    const config = await writeSiteConfig(join(dir, 'site.yaml'), { gateway: GATEWAY, site, brokerUrl: broker.url });
    const gateway = await bench.start(config, join(dir, 'data'));
    const seconds = faultScale(15, 180);
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const started = Date.now();
    let flaps = 0;
    while (Date.now() - started < seconds * 1000) {
      await delay(3000 + random() * 2000);
      await broker.stop();
      await delay(500 + random() * 1500);
      await broker.start();
      flaps++;
    }
    const upAgain = Date.now();
    // Every entry the gateway had committed when the broker came back for good, and what follows.
    const target = seqCoverage([...consumer.data, ...consumer.events]).last + 10_000;
    const drained = await waitFor(
      'the backlog to drain',
      () => {
        const c = seqCoverage([...consumer.data, ...consumer.events]);
        return c.last >= target && c.missing === 0 && c.first === 1 ? Date.now() : undefined;
      },
      { timeout: 120_000, interval: 200 },
    ).catch(() => undefined);
    await gateway.stop();
    await delay(500);
    const check = checkFeed([...consumer.data, ...consumer.events]);
    reportFigures('broker-flapping', {
      seconds,
      flaps,
      entries: check.distinct,
      missing: check.missing,
      collisions: check.collisions,
      doubled: check.doubled,
      drainedSeconds: drained === undefined ? 'never' : (drained - upAgain) / 1000,
    });
    assert.equal(check.first, 1);
    assert.equal(check.missing, 0, `missing: ${check.missingRanges.join(', ')}${check.missing > 0 ? `\n${bench.explain(check)}` : ''}`);
    assert.equal(check.collisions, 0);
    assert.ok(drained !== undefined, 'the backlog drained after the broker stayed up');
  });
});
