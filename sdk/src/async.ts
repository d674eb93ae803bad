/**
 * Small promise helpers every driver needs and none should write again: waiting that a shutdown can
 * cut short, a deadline on a library call that has none, and giving up on a call when a signal fires.
 */
import { SensegateError } from './errors.js';

/** Resolves after `ms`, or at once when `signal` aborts (never rejects: the caller checks the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/**
 * The promise, or a rejection after `ms`: SG_REQUEST_TIMEOUT saying `what` did not finish, or the
 * error `timeoutError` makes. The work itself is not cancelled; callers close what it opened.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string, timeoutError?: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(timeoutError ? timeoutError() : new SensegateError('SG_REQUEST_TIMEOUT', `${what}: no answer within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The promise, or a rejection with the signal's reason as soon as it aborts. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
