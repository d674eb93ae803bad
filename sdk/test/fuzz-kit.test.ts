// The fuzzing kit: reproducible inputs, bounded mutations, failures that say how to replay them,
// and a watch that sees a blocked event loop and grown memory.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FuzzRandom, fuzzBudget, fuzzFor, fuzzSeed, garbage, mutate, watchProcess } from '@sensegate/sdk/testing';

describe('fuzzing kit', () => {
  it('gives the same inputs for the same seed, and others for another seed', () => {
    const sample = Buffer.from('##0101QN=20240101000000000;ST=22;CN=2011;PW=123456;MN=AIR0001;Flag=5;CP=&&a34004-Rtd=35&&1C80\r\n');
    const run = (seed: number) => {
      const random = new FuzzRandom(seed);
      return Array.from({ length: 50 }, () => mutate(random, sample).toString('hex')).join('|');
    };
    assert.equal(run(7), run(7));
    assert.notEqual(run(7), run(8));
  });

  it('mutates within the length bound and does change the input', () => {
    const random = new FuzzRandom(1);
    const sample = Buffer.alloc(300, 0x41);
    let changed = 0;
    for (let i = 0; i < 2000; i++) {
      const out = mutate(random, sample, 1024);
      assert.ok(out.length <= 1024, `mutation ${i} is ${out.length} bytes`);
      if (!out.equals(sample)) changed++;
      assert.ok(garbage(random, 64).length <= 64);
    }
    assert.ok(changed > 1900, `only ${changed} of 2000 mutations changed the input`);
  });

  it('reads budgets and seeds from the environment', () => {
    assert.equal(fuzzBudget(3, {}), 3000);
    assert.equal(fuzzBudget(3, { SENSEGATE_FUZZ_SECONDS: '120' }), 120_000);
    assert.equal(fuzzBudget(3, { SENSEGATE_FUZZ_SECONDS: 'soon' }), 3000);
    assert.equal(fuzzSeed({ SENSEGATE_FUZZ_SEED: '42' }), 42);
  });

  it('names the seed and the round of a failure, so it can be replayed', async () => {
    await assert.rejects(
      fuzzFor(
        5000,
        (random, index) => {
          if (index === 3) throw new Error(`parser choked on ${random.int(10)}`);
        },
        { seed: 99 },
      ),
      /fuzz round 3 failed \(replay with SENSEGATE_FUZZ_SEED=99\): parser choked on/,
    );
    assert.equal(await fuzzFor(5000, () => {}, { maxRounds: 10 }), 10);
  });

  it('sees a blocked event loop', async () => {
    const watch = watchProcess();
    await new Promise((r) => setTimeout(r, 30));
    const until = Date.now() + 300;
    while (Date.now() < until); // a parser stuck for 300 ms
    await new Promise((r) => setTimeout(r, 30));
    const seen = watch.stop();
    assert.ok(seen.maxStallMs >= 200, `a 300 ms block was seen as ${seen.maxStallMs} ms`);
    assert.ok(seen.peakRssBytes >= seen.startRssBytes);
  });
});
