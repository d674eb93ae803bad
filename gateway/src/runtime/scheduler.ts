/**
 * Fixed-rate polling. Ticks fall at `origin + k * interval` on the monotonic clock, so a poll
 * that takes long, a late timer or a wall-clock step (NTP at boot on a box without an RTC) never
 * shifts the schedule: no drift over hours. A tick that arrives while the previous poll is still
 * running is skipped and counted as an overrun; polls never stack up behind a slow device.
 */
import { performance } from 'node:perf_hooks';

/** The monotonic clock and timers the scheduler runs on; tests drive a virtual one. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const monotonicClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class FixedRateTimer {
  private origin = 0;
  private timer: unknown;
  private running: Promise<void> | undefined;
  private stopped = true;
  /** Ticks skipped because the previous run had not finished, or because the process was late. */
  overruns = 0;
  runs = 0;

  constructor(
    readonly interval: number,
    /** Offset of the first tick, in ms: spreads many devices over the interval. */
    private readonly phase: number,
    private readonly run: () => Promise<void>,
    private readonly onOverrun: (skipped: number) => void = () => {},
    private readonly clock: Clock = monotonicClock,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.origin = this.clock.now() + this.phase;
    this.schedule(0);
  }

  private schedule(k: number): void {
    const delay = this.origin + k * this.interval - this.clock.now();
    this.timer = this.clock.setTimeout(() => this.tick(k), Math.max(0, delay));
  }

  private tick(k: number): void {
    if (this.stopped) return;
    const now = this.clock.now();
    // If the process was late by whole intervals, those ticks are gone: count them, do not replay them.
    const due = Math.floor((now - this.origin) / this.interval);
    const late = Math.max(0, due - k);
    if (this.running) {
      this.skip(1 + late);
    } else {
      if (late > 0) this.skip(late);
      this.runs++;
      const run = this.run().catch(() => {});
      this.running = run;
      void run.then(() => {
        if (this.running === run) this.running = undefined;
      });
    }
    this.schedule(Math.max(k, due) + 1);
  }

  private skip(n: number): void {
    this.overruns += n;
    this.onOverrun(n);
  }

  /** Stops ticking and waits for a poll in progress to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    await this.running;
  }
}

/** A stable phase in [0, interval) for a name, so devices spread out but keep their slot across restarts. */
export function phaseFor(name: string, interval: number): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return (h >>> 0) % Math.max(1, Math.min(interval, 60_000));
}
