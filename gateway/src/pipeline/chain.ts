/**
 * One point's steps, run in order. A reading goes in, each step passes it on, changes it, holds
 * it (a window) or drops it; what comes out of the last step goes to the chain's output. Events a
 * step raises go out after the readings of the same call, so the feed shows the value before the
 * alarm it caused.
 */
import type { ClockStep, DeviceEvent, Reading, Step, StepContext, StepPoint, StepResult } from '@sensegate/sdk';

/** A step as configured on a point: which step, and its validated options. */
export interface ConfiguredStep {
  step: Step;
  options: unknown;
}

/** Counters of one step instance; the gateway binds them to its metrics. */
export interface StepCounters {
  in: { value: number };
  out: { value: number };
  dropped: { value: number };
}

export interface ChainOutput {
  reading(reading: Reading): void;
  event(event: DeviceEvent): void;
}

/**
 * A step on this point: its context (what the step's functions get) with the step, its state and
 * its counters on the same object, so a reading touches one object per step, not three.
 */
interface StepInstance extends StepContext {
  readonly step: Step;
  state: unknown;
  readonly counters: StepCounters;
}

const noCounters = (): StepCounters => ({ in: { value: 0 }, out: { value: 0 }, dropped: { value: 0 } });

export class PointChain {
  private readonly steps: StepInstance[];
  private readonly events: DeviceEvent[] = [];
  private readonly tickable: boolean;
  /**
   * How far this point's timestamps lag behind their arrival (a station replaying its backlog, a
   * logger whose clock is an hour slow), from its latest reading; undefined until it has spoken
   * since the start. Ticks run on the point's own clock, so a window is never closed early just
   * because the point's time is behind the gateway's. Saved with the states.
   */
  lag: number | undefined;
  /**
   * Whether this point's latest reading carried the device's own timestamp (`received` set). Until
   * it has spoken in this run, a saved lag of 0 stands for a gateway-stamped point.
   */
  private deviceStamped: boolean | undefined;
  /** Set when a step ran since the states were last saved; cleared by whoever saves them. */
  dirty = false;

  constructor(
    readonly point: StepPoint,
    configured: readonly ConfiguredStep[],
    private readonly output: ChainOutput,
    options: {
      states?: ReadonlyArray<unknown | undefined>;
      /** States saved under other options: each step may close what they left open (see `Step.retire`). */
      retired?: ReadonlyArray<unknown | undefined>;
      lag?: number;
      counters?: (step: Step, index: number) => StepCounters;
    } = {},
  ) {
    this.lag = options.lag;
    const factor = point.decimals === undefined ? undefined : 10 ** point.decimals;
    const round = factor === undefined ? (v: number) => v : (v: number) => Math.round(v * factor) / factor;
    const event = (e: DeviceEvent) => {
      this.events.push(e);
    };
    this.steps = configured.map((c, i) => {
      const instance: StepInstance = {
        options: c.options,
        point,
        event,
        round,
        step: c.step,
        state: undefined,
        counters: options.counters?.(c.step, i) ?? noCounters(),
      };
      const restored = options.states?.[i];
      instance.state = restored === undefined ? c.step.init(instance) : restored;
      return instance;
    });
    this.tickable = this.steps.some((s) => s.step.tick !== undefined);
    this.steps.forEach((s, i) => {
      const old = options.retired?.[i];
      if (old !== undefined) s.step.retire?.(old, s);
    });
    if (this.events.length > 0) {
      this.dirty = true;
      this.flushEvents();
    }
  }

  get length(): number {
    return this.steps.length;
  }

  push(reading: Reading): void {
    this.dirty = true;
    this.deviceStamped = reading.received !== undefined;
    this.lag = reading.received === undefined ? 0 : reading.received - reading.ts;
    this.run(0, reading);
    if (this.events.length > 0) this.flushEvents();
  }

  /**
   * Lets time-driven steps act: windows close, delayed alarms are confirmed. `now` is the gateway's
   * clock; the steps get it on the point's own clock. A point that has never spoken does not tick
   * (it has nothing open).
   */
  tick(now: number): void {
    if (!this.tickable || this.lag === undefined) return;
    const pointNow = now - this.lag;
    for (let i = 0; i < this.steps.length; i++) {
      const s = this.steps[i]!;
      if (!s.step.tick) continue;
      const result = s.step.tick(s.state, pointNow, s);
      if (result !== undefined) {
        this.dirty = true;
        this.forward(i, s, result);
      }
    }
    if (this.events.length > 0) this.flushEvents();
  }

  /**
   * The gateway's wall clock stepped. Readings the gateway stamps jump with it: the steps hear of
   * it (a window marks or closes what is open). Readings with the device's own timestamps do not
   * jump, so only the lag moves, and ticks go on as before on the point's clock.
   */
  clockStepped(step: ClockStep): void {
    if (this.lag === undefined) return;
    if (this.deviceStamped ?? this.lag !== 0) {
      this.lag += step.to - step.from;
      this.dirty = true;
      return;
    }
    for (let i = 0; i < this.steps.length; i++) {
      const s = this.steps[i]!;
      if (!s.step.clockStep) continue;
      this.dirty = true;
      this.forward(i, s, s.step.clockStep(s.state, step, s));
    }
    if (this.events.length > 0) this.flushEvents();
  }

  stepName(index: number): string {
    return this.steps[index]!.step.name;
  }

  /** The state of every step, in order, for saving. */
  states(): unknown[] {
    return this.steps.map((s) => s.state);
  }

  /** What each step's state means, for the gateway's status (active alarms, open windows). */
  describe(): Array<{ step: string; state: Record<string, unknown> }> {
    const out: Array<{ step: string; state: Record<string, unknown> }> = [];
    for (const s of this.steps) {
      const d = s.step.describe?.(s.state, s);
      if (d) out.push({ step: s.step.name, state: d });
    }
    return out;
  }

  private run(from: number, reading: Reading): void {
    const steps = this.steps;
    let r = reading;
    for (let i = from; i < steps.length; i++) {
      const s = steps[i]!;
      s.counters.in.value++;
      const result = s.step.process(s.state, r, s);
      if (result === undefined) {
        s.counters.dropped.value++;
        return;
      }
      if (Array.isArray(result)) return this.forward(i, s, result);
      s.counters.out.value++;
      r = result as Reading;
    }
    this.output.reading(r);
  }

  /** Sends what step `i` produced on to the steps after it. */
  private forward(i: number, s: StepInstance, result: StepResult): void {
    if (result === undefined) return;
    if (!Array.isArray(result)) {
      s.counters.out.value++;
      return this.run(i + 1, result as Reading);
    }
    s.counters.out.value += result.length;
    for (const r of result as readonly Reading[]) this.run(i + 1, r);
  }

  private flushEvents(): void {
    const events = this.events.splice(0);
    for (const e of events) this.output.event(e);
  }
}
