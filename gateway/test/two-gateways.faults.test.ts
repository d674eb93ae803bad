// Fault: two gateways started on one data folder (an init script that starts a second copy). The
// second is refused at once, naming the first; the first goes on; no sequence number ever reaches
// the platform with two different entries; and a gateway killed with kill -9 leaves no lock behind.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { delay, waitFor } from '@sensegate/sdk/testing';
import { startCli } from './support/cli.js';
import { checkFeed, faultScale, openFaultBench, replayFinished, reportFigures, seqCoverage, writeSiteConfig, type FaultBench } from './support/faults.js';

const GATEWAY = `fault-two-${process.pid}`;

describe('fault: two gateways on one data folder', () => {
  let bench: FaultBench;
  let config: string;
  let data: string;

  before(async () => {
    bench = await openFaultBench(GATEWAY);
    config = await writeSiteConfig(join(bench.dir, 'site.yaml'), { gateway: GATEWAY, site: bench.site, brokerUrl: bench.broker.url });
    data = join(bench.dir, 'data');
  });
  after(() => bench?.close());

  const start = () => bench.start(config, data);

  /** Starts a second gateway on the folder; it must exit with an error rather than run beside the first. */
  const refusedStart = async () => {
    const p = startCli(['run', '--config', config, '--data', data]);
    const code = await Promise.race([p.exited, delay(15_000).then(() => 'still running')]);
    if (code === 'still running') {
      await p.kill9();
      assert.fail(`a second gateway ran on the same data folder:\n${p.stdout().slice(0, 2000)}`);
    }
    assert.notEqual(code, 0, 'the second gateway exits with an error');
    return { code, stderr: p.stderr() };
  };

  it('refuses the second gateway, keeps the first, and never delivers two entries under one seq', async () => {
    const { consumer } = bench;
    const rounds = faultScale(1, 10);
    let refused = 0;
    let first = await start();
    for (let round = 0; round < rounds; round++) {
      // The init script starts a second copy while the first runs.
      const second = await refusedStart();
      assert.match(second.stderr, /SG_DATA_FOLDER_IN_USE/);
      assert.match(second.stderr, new RegExp(`in use by process ${first.child.pid} \\(gateway ${GATEWAY}`), second.stderr);
      assert.match(second.stderr, /Stop the other one first/);
      refused++;
      const before = consumer.seqs().length;
      await waitFor('the first gateway to keep delivering', () => consumer.seqs().length > before + 1000 || undefined, { timeout: 20_000 });
      // kill -9 the first: the lock dies with it, and the next one starts at once on the same folder.
      await delay(faultScale(500, 2000));
      assert.equal(await first.kill9(), 'SIGKILL');
      first = await start();
    }
    await delay(1000);
    await replayFinished(first); // a stop would leave the rest of its replay for a next start this case does not make
    await first.stop();

    await waitFor('every entry to arrive', () => (seqCoverage([...consumer.data, ...consumer.events]).missing === 0 ? true : undefined), { timeout: 30_000 }).catch(() => {});
    const check = checkFeed([...consumer.data, ...consumer.events]);
    reportFigures('two-gateways', {
      gatewaysRefused: refused,
      entries: check.distinct,
      lastSeq: check.last,
      collisions: check.collisions,
      missing: check.missing,
      doubled: check.doubled,
    });
    assert.equal(check.collisions, 0, `sequence numbers delivered with different entries: ${check.collisionSamples.join(', ')}`);
    assert.equal(check.missing, 0, `missing: ${check.missingRanges.join(', ')}${check.missing > 0 ? `\n${bench.explain(check)}` : ''}`);
  });
});
