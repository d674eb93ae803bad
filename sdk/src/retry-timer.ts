/**
 * The reconnect loop that every part holding a connection or a port would otherwise write again:
 * after a failure, wait as the backoff says, then try again; after a success, start the backoff
 * over; on close, drop the attempt that is waiting. The delays are exactly `Backoff`'s (the
 * configured `reconnect` settings, with jitter); this only owns the timer.
 *
 *   const retry = new RetryTimer(device.reconnect);
 *   onFailure: const delay = retry.schedule(() => connect());   // log "reconnecting in {delay} ms"
 *   onConnected: retry.succeeded();
 *   onClose: retry.cancel();
 *
 * A loop that awaits (connect, serve until it breaks, wait, again) uses `wait` instead:
 *
 *   const { delay, passed } = retry.wait(stopping);   // log "reconnecting in {delay} ms"
 *   await passed;                                     // resolves early when `stopping` aborts
 */
import { Backoff } from './backoff.js';
import type { BackoffSettings } from './schema.js';

export interface RetryTimerOptions {
  /** Random numbers in [0, 1) for the jitter (tests pass a fixed sequence). */
  random?: () => number;
  /** Let the process exit while an attempt waits (a background retry that must not keep a CLI alive). */
  unref?: boolean;
}

export class RetryTimer {
  private backoff: Backoff;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    settings: Readonly<BackoffSettings>,
    private readonly options: RetryTimerOptions = {},
  ) {
    this.backoff = new Backoff(settings, options.random);
  }

  /** Failures since the last success (or since the settings changed). */
  get attempts(): number {
    return this.backoff.attempts;
  }

  /** Whether an attempt is waiting for its time. */
  get pending(): boolean {
    return this.timer !== undefined;
  }

  /**
   * A failure: runs `attempt` after the backoff's next delay, in place of any attempt already
   * waiting, and returns that delay (for the log line and the health message).
   */
  schedule(attempt: () => void): number {
    this.cancel();
    const delay = this.backoff.next();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      attempt();
    }, delay);
    if (this.options.unref) this.timer.unref();
    return delay;
  }

  /**
   * A failure, in a loop that awaits rather than schedules: the backoff's next delay (the same as
   * `schedule` gives), and a promise that resolves once it has passed, or at once when `signal`
   * aborts. It never rejects: the loop checks its own state after it.
   */
  wait(signal?: AbortSignal): { delay: number; passed: Promise<void> } {
    let done!: () => void;
    const passed = new Promise<void>((resolve) => (done = resolve));
    const onAbort = () => {
      this.cancel();
      done();
    };
    const delay = this.schedule(() => {
      signal?.removeEventListener('abort', onAbort);
      done();
    });
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    return { delay, passed };
  }

  /** A success: the next failure waits the initial delay again. */
  succeeded(): void {
    this.backoff.reset();
  }

  /** Drops the waiting attempt, if any (closing, or the device removed). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** New settings (devices sharing the connection changed): from the first delay again. */
  configure(settings: Readonly<BackoffSettings>): void {
    this.backoff = new Backoff(settings, this.options.random);
  }
}
