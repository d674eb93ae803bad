// One timer for every station: members run when due, in order, a member woken earlier runs earlier,
// and a member that throws does not stop the others.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '@sensegate/sdk/testing';
import { Scheduler, type Scheduled } from '../src/time/scheduler.js';

/** A member with a list of real times to run at. */
class Member implements Scheduled {
  readonly ran: number[] = [];
  /** Real time at each run: never before the event (less the scheduler's 2 ms of coalescing). */
  readonly ranAt: number[] = [];
  constructor(
    readonly name: string,
    readonly due: number[],
    readonly log: string[],
    private readonly fail = false,
  ) {}
  nextDue(): number {
    return this.due[0] ?? Infinity;
  }
  run(now: number): void {
    while (this.due.length && this.due[0]! <= now) {
      this.ran.push(this.due.shift()!);
      this.ranAt.push(Date.now());
      this.log.push(this.name);
      if (this.fail) throw new Error(`${this.name} fails`);
    }
  }
}

describe('the shared scheduler', () => {
  it('runs each member when it is due, in time order, and only then', async () => {
    const errors: unknown[] = [];
    const scheduler = new Scheduler((err) => errors.push(err));
    const log: string[] = [];
    const t = Date.now();
    const a = new Member('a', [t + 60, t + 180], log);
    const b = new Member('b', [t + 120], log);
    const c = new Member('c', [t + 30], log, true);
    for (const m of [a, b, c]) scheduler.add(m);
    await waitFor('every event', () => a.due.length + b.due.length + c.due.length === 0);
    assert.deepEqual(log, ['c', 'a', 'b', 'a']);
    for (const m of [a, b, c]) m.ran.forEach((due, i) => assert.ok(m.ranAt[i]! >= due - 2, `${m.name} ran at ${m.ranAt[i]}, due ${due}`));
    assert.equal(errors.length, 1, 'the failing member was reported');

    // Moved earlier: a wake makes the scheduler notice.
    const late = new Member('late', [t + 60_000], log);
    scheduler.add(late);
    late.due[0] = Date.now() + 20;
    scheduler.wake(late);
    await waitFor('the earlier event', () => late.ran.length === 1);
    for (const m of [a, b, c, late]) scheduler.remove(m);
    assert.equal(scheduler.size, 0);
  });
});
