/**
 * `SnapshotSchedule`: one camera's pictures at a fixed rate. Ticks keep to the rate of the start
 * time and skip rather than pile up when a take outlasts the period. A camera that stays offline
 * gives two log lines, one when failures start (and again if their cause changes) and one when
 * pictures come back, not one per tick.
 */
import { silentLogger, type Logger } from '@sensegate/sdk';
import type { SnapshotRef } from './store.js';

export interface SnapshotScheduleOptions {
  /** Milliseconds between pictures; the first is taken one period after the start. */
  every: number;
  /** The reason stored with each picture (default `schedule`). */
  reason?: string;
  /** Called with each picture stored, e.g. to announce it. */
  onSnapshot?: (ref: SnapshotRef) => void;
  log?: Logger;
}

export class SnapshotSchedule {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly started = performance.now();
  private ticks = 0;
  /** The failure episode in progress: since when, how many, and the code logged last. */
  private episode: { since: number; failures: number; code: string } | undefined;
  private readonly stopListeners: Array<() => void> = [];
  private readonly log: Logger;

  constructor(
    readonly device: string,
    private readonly take: (reason: string) => Promise<SnapshotRef>,
    private readonly options: SnapshotScheduleOptions,
  ) {
    if (!(options.every > 0)) throw new RangeError(`snapshot schedule of "${device}": every must be a positive number of ms, got ${String(options.every)}`);
    this.log = options.log ?? silentLogger;
    this.arm();
  }

  /** Whether a failure episode is in progress. */
  get failing(): boolean {
    return this.episode !== undefined;
  }

  /** Stops the schedule; resolves once a take in flight has finished. */
  stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      clearTimeout(this.timer);
      for (const listener of this.stopListeners.splice(0)) listener();
    }
    return this.running ?? Promise.resolve();
  }

  /** @internal the snapshotter forgets a stopped schedule. */
  onStop(listener: () => void): void {
    if (this.stopped) listener();
    else this.stopListeners.push(listener);
  }

  private arm(): void {
    if (this.stopped) return;
    const period = this.options.every;
    // The next tick on the grid of the start time that is still ahead (skips ticks a slow take overran).
    this.ticks = Math.max(this.ticks + 1, Math.floor((performance.now() - this.started) / period) + 1);
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
        this.arm();
      });
    }, this.started + this.ticks * period - performance.now());
  }

  private async tick(): Promise<void> {
    try {
      const ref = await this.take(this.options.reason ?? 'schedule');
      if (this.episode) {
        const seconds = Math.round((performance.now() - this.episode.since) / 1000);
        this.log.info({ device: this.device, failures: this.episode.failures, seconds }, `camera "${this.device}": scheduled snapshots work again after ${this.episode.failures} failed over ${seconds}s`);
        this.episode = undefined;
      }
      this.options.onSnapshot?.(ref);
    } catch (err) {
      if (this.stopped) return;
      const code = (err as { code?: unknown }).code;
      const key = typeof code === 'string' ? code : 'error';
      const message = err instanceof Error ? err.message : String(err);
      if (!this.episode || this.episode.code !== key) {
        this.log.warn({ device: this.device, code: key }, `camera "${this.device}": scheduled snapshot failed: ${message} (logged once; a line follows when snapshots work again)`);
        this.episode = { since: this.episode?.since ?? performance.now(), failures: (this.episode?.failures ?? 0) + 1, code: key };
      } else {
        this.episode.failures++;
        this.log.debug({ device: this.device, code: key }, `camera "${this.device}": scheduled snapshot failed again: ${message}`);
      }
    }
  }
}
