/**
 * Reads under the contract's deadline: the kit aborts `batch.signal` when the device's timeout
 * elapses and stops waiting a grace period later. The gateway itself aborts only at shutdown and at a
 * safety net far later (max(timeout × 10, interval × 5, 10 s)); the kit is stricter so that a driver
 * which neither ends its requests at the timeout nor honours the signal is caught here. A read that
 * has not settled by then would hold its poll group in a gateway.
 */
import type { DeviceRef, DriverInstance, PointRef } from '../../driver.js';
import { SensegateError } from '../../errors.js';
import { pollOnce, type PollResult } from '../poll.js';

/** How long after the abort a read may take to settle. Generous: a loaded test machine is slow. */
export const ABORT_GRACE = 1500;

export interface TimedPoll {
  /** The outcome, when the read settled in time. */
  result?: PollResult;
  /** The kit aborted the signal before the read settled. */
  aborted: boolean;
  /** The read settled neither before the deadline nor within the grace after the abort. */
  hung: boolean;
}

/** One poll whose signal aborts at the device's timeout; gives up `ABORT_GRACE` ms after that. */
export async function timedPoll<C, P>(instance: DriverInstance<C, P>, device: DeviceRef<C, P>, points: readonly PointRef<P>[]): Promise<TimedPoll> {
  const abort = new AbortController();
  let aborted = false;
  const timers: NodeJS.Timeout[] = [];
  const giveUp = new Promise<undefined>((resolve) => {
    timers.push(
      setTimeout(() => {
        aborted = true;
        abort.abort(new SensegateError('SG_REQUEST_TIMEOUT', `the read did not finish within ${device.timeout} ms`, { device: device.id }));
        timers.push(setTimeout(() => resolve(undefined), ABORT_GRACE));
      }, device.timeout),
    );
  });
  try {
    const result = await Promise.race([pollOnce(instance, device, points, instance.planRead?.(device, points), abort.signal), giveUp]);
    return { ...(result ? { result } : {}), aborted, hung: result === undefined };
  } finally {
    for (const t of timers) clearTimeout(t);
  }
}

/** The promise's outcome, or `timedOut` once `ms` pass; never waits longer. */
export async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<{ value?: T; error?: unknown; timedOut: boolean }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  try {
    const outcome = await Promise.race([
      promise.then(
        (value) => ({ value, timedOut: false }),
        (error: unknown) => ({ error, timedOut: false }),
      ),
      late,
    ]);
    return outcome === 'late' ? { timedOut: true } : outcome;
  } finally {
    clearTimeout(timer);
  }
}
