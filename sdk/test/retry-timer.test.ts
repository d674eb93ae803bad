// The one reconnect loop: attempts wait as the backoff says, a success starts it over, a close
// drops the waiting attempt, and a background retry can let the process exit.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Backoff, RetryTimer } from '../src/index.js';

const SETTINGS = { initialDelay: 20, maxDelay: 80 };
const half = () => 0.5;

describe('RetryTimer', () => {
  it('waits exactly the delays Backoff gives, doubling to the cap, and from the start after a success', async () => {
    const retry = new RetryTimer(SETTINGS, { random: half });
    const backoff = new Backoff(SETTINGS, half);
    const delays: number[] = [];
    for (let n = 0; n < 4; n++) {
      let ran = false;
      delays.push(retry.schedule(() => (ran = true)));
      assert.ok(retry.pending);
      await new Promise((resolve) => setTimeout(resolve, delays.at(-1)! + 30));
      assert.ok(ran, `attempt ${n + 1} ran`);
      assert.ok(!retry.pending);
    }
    assert.deepEqual(delays, [backoff.next(), backoff.next(), backoff.next(), backoff.next()]);
    assert.deepEqual(delays, [15, 30, 60, 60]);
    assert.equal(retry.attempts, 4);
    retry.succeeded();
    assert.equal(retry.attempts, 0);
    assert.equal(retry.schedule(() => {}), 15);
    retry.cancel();
  });

  it('drops the waiting attempt on cancel, and keeps one attempt when scheduled twice', async () => {
    const retry = new RetryTimer(SETTINGS, { random: half });
    let runs = 0;
    retry.schedule(() => runs++);
    retry.cancel();
    assert.ok(!retry.pending);
    retry.schedule(() => runs++);
    retry.schedule(() => runs++);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(runs, 1);
  });

  it('waits in an awaiting loop as schedule would, and stops waiting when the loop is stopped', async () => {
    const retry = new RetryTimer(SETTINGS, { random: half });
    const first = retry.wait();
    assert.equal(first.delay, 15);
    await first.passed;
    assert.ok(!retry.pending);
    assert.equal(retry.wait().delay, 30, 'a second failure waits longer');
    const stopping = new AbortController();
    const long = new RetryTimer({ initialDelay: 60_000, maxDelay: 60_000 }, { random: half });
    const waiting = long.wait(stopping.signal);
    assert.ok(long.pending);
    // Against a minute's delay, a second is "at once".
    const settled = (p: Promise<void>) => Promise.race([p.then(() => 'passed'), new Promise((r) => setTimeout(() => r('still waiting'), 1000))]);
    stopping.abort();
    assert.equal(await settled(waiting.passed), 'passed');
    assert.ok(!long.pending, 'the waiting attempt is dropped');
    assert.equal(await settled(long.wait(stopping.signal).passed), 'passed', 'already stopped: no wait at all');
    assert.ok(!long.pending);
    retry.cancel();
  });

  it('starts from the first delay after new settings', () => {
    const retry = new RetryTimer(SETTINGS, { random: half });
    retry.schedule(() => {});
    retry.schedule(() => {});
    retry.configure({ initialDelay: 100, maxDelay: 1000 });
    assert.equal(retry.schedule(() => {}), 75);
    retry.cancel();
  });

  it('lets the process exit while an unref\'d attempt waits', () => {
    const source = fileURLToPath(new URL('../src/retry-timer.ts', import.meta.url));
    const script = `import { RetryTimer } from ${JSON.stringify(source)}; new RetryTimer({ initialDelay: 60000, maxDelay: 60000 }, { unref: true }).schedule(() => {});`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 30_000 });
    assert.equal(child.status, 0, String(child.stderr));
  });
});
