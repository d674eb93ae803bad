import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FixedRateTimer, phaseFor, type Clock } from '../src/runtime/scheduler.js';

/** A virtual monotonic clock: timers fire in time order when the test advances it. */
class VirtualClock implements Clock {
  time = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;
  /** Extra delay added to every timer, as a loaded event loop would. */
  lateness: () => number = () => 0;

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms + this.lateness(), fn, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.time = Math.max(this.time, next.at);
      next.fn();
      // let promise continuations (the poll finishing) run before the next timer
      for (let i = 0; i < 5; i++) await Promise.resolve();
    }
    this.time = end;
  }
}

describe('fixed-rate scheduler', () => {
  it('polls exactly once per interval for an hour, on the original grid', async () => {
    const clock = new VirtualClock();
    const starts: number[] = [];
    const timer = new FixedRateTimer(1000, 250, async () => void starts.push(clock.now()), undefined, clock);
    timer.start();
    await clock.advance(3_600_000);
    await timer.stop();
    assert.equal(starts.length, 3600);
    assert.deepEqual(
      starts.filter((t, k) => t !== 250 + k * 1000),
      [],
      'every poll starts on origin + k * interval',
    );
    assert.equal(timer.overruns, 0);
  });

  it('does not drift when every timer fires late', async () => {
    const clock = new VirtualClock();
    let n = 0;
    clock.lateness = () => [3, 17, 40, 9][n++ % 4]!;
    const starts: number[] = [];
    const timer = new FixedRateTimer(1000, 0, async () => void starts.push(clock.now()), undefined, clock);
    timer.start();
    await clock.advance(6 * 3_600_000);
    await timer.stop();
    // Each start is late by at most one timer's lateness; the error never accumulates.
    const worst = Math.max(...starts.map((t, k) => t - k * 1000));
    assert.ok(worst <= 40, `worst lateness ${worst} ms after 6 h`);
    assert.ok(starts.length >= 6 * 3600 - 1);
  });

  it('skips and counts ticks while a slow poll is still running, never stacking polls', async () => {
    const clock = new VirtualClock();
    let running = 0;
    let maxRunning = 0;
    let polls = 0;
    const overrunEvents: number[] = [];
    const timer = new FixedRateTimer(
      1000,
      0,
      async () => {
        polls++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        await clock.sleep(2500); // a device that answers in 2.5 intervals
        running--;
      },
      (n) => overrunEvents.push(n),
      clock,
    );
    timer.start();
    await clock.advance(30_000);
    const stopped = timer.stop();
    await clock.advance(5000); // let the poll in progress finish
    await stopped;
    assert.equal(maxRunning, 1, 'polls never overlap');
    // ticks at 0,1,..: a poll runs at 0 (till 2500), next possible tick is 3000, ... so one in three ticks runs
    assert.ok(polls >= 11 && polls <= 13, `polls ${polls}`);
    assert.equal(timer.overruns, overrunEvents.reduce((a, b) => a + b, 0));
    assert.ok(timer.overruns >= 20, `overruns ${timer.overruns}`);
  });

  it('counts ticks lost to a stalled process instead of replaying them', async () => {
    const clock = new VirtualClock();
    let polls = 0;
    const timer = new FixedRateTimer(100, 0, async () => void polls++, undefined, clock);
    timer.start();
    await clock.advance(1000); // ticks 0..1000 -> 11 polls
    // the event loop is blocked for 950 ms: the next timer fires very late
    const before = polls;
    clock.time += 950;
    await clock.advance(0);
    await clock.advance(1000);
    await timer.stop();
    // ticks 11..19 were due during the stall: one poll runs late, the other 8 are counted as lost
    assert.equal(timer.overruns, 8);
    // then one late poll and the regular ticks 20..29: no burst of make-up polls
    assert.equal(polls - before, 11);
  });

  it('spreads devices over the interval with a stable phase', () => {
    const phases = new Set(Array.from({ length: 100 }, (_, i) => phaseFor(`device-${i}/1000`, 1000)));
    assert.ok(phases.size > 80, 'phases differ between devices');
    assert.equal(phaseFor('sonde-1/1000', 1000), phaseFor('sonde-1/1000', 1000));
    for (const p of phases) assert.ok(p >= 0 && p < 1000);
  });
});
