/**
 * Waiting in tests. A test machine under load (CI, a laptop on battery, a parallel test run) can be
 * many times slower than a developer's, so a test that sleeps and then asserts is flaky. Poll for
 * the condition instead, with a deadline generous enough never to be the reason a test fails.
 */

export interface WaitOptions {
  /** Give up after this many milliseconds (default 20,000). */
  timeout?: number;
  /** Check again after this many milliseconds (default 20). */
  interval?: number;
}

/**
 * Resolves with the first value of `check` other than `undefined` or `false`, so it can both wait
 * and return what it waited for:
 *
 *   const offline = await waitFor('an offline event', () => events.find((e) => e.state === 'offline'));
 *
 * A `check` that throws counts as "not yet" (a device that is still starting may refuse the first
 * requests); the last error is quoted if the deadline passes. `what` names the condition in the
 * timeout message, so a failure says what never happened.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  { timeout = 20_000, interval = 20 }: WaitOptions = {},
): Promise<T> {
  // Monotonic: a test that steps the wall clock must not move its own deadlines.
  const deadline = performance.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (performance.now() > deadline) {
      const reason = last === undefined ? '' : `: ${last instanceof Error ? last.message : String(last)}`;
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${reason}`);
    }
    await delay(interval);
  }
}

/**
 * Resolves after `ms` milliseconds. For letting time pass on purpose (a device stays silent for a
 * while, an outage lasts a few seconds), not for waiting for something: use `waitFor` for that.
 */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
