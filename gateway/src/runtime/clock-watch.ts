/**
 * Tells a wall-clock step from time passing. The wall clock (`Date.now()`) is what timestamps
 * readings and events; it can jump: NTP steps it after a long power-off, a person sets it, an RTC
 * without a battery starts the board in 1970. The monotonic clock (`performance.now()`) only moves
 * forward at the rate time passes. Whenever the wall clock moves by more than `threshold` against
 * the monotonic one between two looks, that is a step: it is reported once to the listeners, who
 * keep durations (journal ages, windows) as if it had not happened.
 *
 * `now()` looks every time it is called, so whoever takes a timestamp through it hears of a step
 * before using a time from the new clock; a timer looks once a second so a step is reported even
 * when nothing asks. Drift and NTP's slewing, far below the threshold, are absorbed at each look.
 * A suspended machine (the monotonic clock stops while it sleeps) looks like a forward step.
 */
import { EventEmitter } from 'node:events';

/** Moves of the wall clock against the monotonic clock up to this size (ms) are not steps. */
export const STEP_THRESHOLD = 2000;
const CHECK_INTERVAL = 1000;

export interface ClockStep {
  /** Size of the step in ms: positive when the clock jumped forward, negative when it went back. */
  delta: number;
  /** What the wall clock would show now had it not stepped (the old clock, carried on). */
  from: number;
  /** What it shows now. */
  to: number;
}

export class ClockWatch extends EventEmitter<{ step: [ClockStep] }> {
  /** Wall minus monotonic at the last look. */
  private base: number;
  /** The steps seen by this process, in order. */
  private readonly seen: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private users = 0;

  constructor(
    private readonly wall: () => number = Date.now,
    private readonly mono: () => number = () => performance.now(),
    readonly threshold = STEP_THRESHOLD,
  ) {
    super();
    this.base = wall() - mono();
  }

  /** The wall clock, after checking it for a step (reported to the listeners before this returns). */
  now(): number {
    const w = this.wall();
    const expected = this.base + this.mono();
    const delta = w - expected;
    this.base += delta;
    if (delta > this.threshold || delta < -this.threshold) {
      this.seen.push(delta);
      this.emit('step', { delta: Math.round(delta), from: Math.round(expected), to: w });
    }
    return w;
  }

  /** Steps seen so far; pass it to `shiftSince` later to translate a time taken now. */
  get epoch(): number {
    return this.seen.length;
  }

  /** The sum of the steps seen since `epoch`: add it to a wall time taken then to put it on today's clock. */
  shiftSince(epoch: number): number {
    let sum = 0;
    for (let i = epoch; i < this.seen.length; i++) sum += this.seen[i]!;
    return sum;
  }

  /** Starts the once-a-second look (counted: each `start` needs its `stop`). */
  start(): void {
    this.users++;
    this.timer ??= setInterval(() => this.now(), CHECK_INTERVAL);
    this.timer.unref();
  }

  stop(): void {
    if (--this.users > 0) return;
    this.users = 0;
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** The process's clock watch: the gateway and its parts share it, as they share the wall clock. */
export const clockWatch = new ClockWatch();
