/**
 * `window`: condenses a point's readings into one value per clock-aligned period, such as the
 * minute and hourly averages (Avg/Min/Max) of HJ 212-2017, or a pump's duty cycle.
 *
 * Windows tumble (`size` alone) or slide (`every`: each `every`, the aggregate of the last `size`).
 * Either way the state is a row of panes of length `every` (or `size`), each a partial aggregate:
 * a sample updates the open pane in place, and only a pane closing allocates. A reading belongs to
 * the pane of its own timestamp; one older than the open pane is late (its window is out already)
 * and dropped, one at or past the pane's end closes it, and `tick` closes it once the clock is
 * `lateness` past its end. The reading out carries the window's end as `ts`, its start as `start`
 * and the number of valid samples as `count`.
 *
 * A step of the gateway's wall clock (for points the gateway stamps) is explicit: the windows it
 * cuts (open at the step, or begun by it) are `uncertain` and say so; a step back before the open
 * pane closes it at once and starts the panes over on the new clock, rather than dropping every
 * reading as late until the clock is back where it was.
 */
import { defineStep, duration, worstQuality, type ClockStep, type Reading, type StepContext, type StepResult } from '@sensegate/sdk';
import { z } from 'zod';
import { boundaryBefore, isTimeZone, MAX_INSTANT, nextBoundary, windowStart, zoneOf, type Zone } from './window-clock.js';
import { addSample, emptyPane, hasSamples, WINDOW_FUNCTIONS, type Pane } from './window-pane.js';
import { windowReading, type Hold, type ResultSettings } from './window-result.js';

const DAY = 86_400_000;
/** Longer windows are not what this step is for, and would bring boundaries near the end of Date's range. */
const MAX_SIZE = 366 * DAY;
/** A sliding window of more panes would make a state too large to save with every journal commit. */
const MAX_PANES = 10_000;

const wholePositive = (ms: number) => Number.isInteger(ms) && ms > 0;

const options = z
  .object({
    size: duration('Length of a window. Windows are aligned to the clock of `timeZone`: 1m windows start on the minute, 1h on the hour, 1d at local midnight.')
      .refine(wholePositive, 'size must be a whole number of milliseconds greater than 0')
      .refine((ms) => ms <= MAX_SIZE, 'size must be at most 366d'),
    every: duration('Slide the window: every this long (on the clock), emit the aggregate of the last `size`. `size` must be a multiple of it. Without it windows tumble: one value per `size`.')
      .refine(wholePositive, 'every must be a whole number of milliseconds greater than 0')
      .optional(),
    function: z
      .enum(WINDOW_FUNCTIONS)
      .default('avg')
      .describe('What the window computes: `avg`, `twa` (time-weighted average, each value holding until the next sample), `min`, `max`, `sum`, `count` (valid samples), `first`, `last` (by timestamp) or `stddev` (sample standard deviation). Booleans count as 1 and 0; text is valid only for first, last and count.'),
    minCount: z
      .number()
      .int()
      .min(0)
      .default(1)
      .describe('A window with fewer valid samples than this has bad quality (its value is still computed from the samples it has).'),
    lateness: duration('How long after a window\'s end the clock must be before the window closes without a newer reading, so that a reading stamped just before the end can still arrive. A reading at or after the end closes the window at once.').default(2000),
    timeZone: z
      .string()
      .superRefine((name, ctx) => {
        if (!isTimeZone(name)) ctx.addIssue({ code: 'custom', message: `unknown time zone "${name}": use an IANA name such as Asia/Shanghai, or UTC` });
      })
      .default('UTC')
      .describe('IANA time zone whose clock the windows follow (`Asia/Shanghai`: daily windows from local midnight, as HJ 212 reports them).'),
  })
  .strict();

export type WindowOptions = z.output<typeof options>;

/** The step's state: plain JSON, as small as the panes a window still needs. */
export interface WindowState {
  /** False until the first reading; `cur` means nothing before it. */
  started: boolean;
  /** The open pane: readings with ts in [cur.start, cur.end) go into it; older ones are late. */
  cur: Pane;
  /** Closed panes with samples that a coming sliding window still covers, oldest first (always empty when windows tumble). */
  ring: Pane[];
  /** twa: the hold of the latest sample no coming window covers; it covers the next window's beginning. */
  leadValue: number | null;
  leadUncertain: boolean;
  leadStatus: string | null;
  /** The unit of the latest reading, for the window's reading. */
  unit: string | null;
  /** The latest step of the gateway's clock while windows overlapping it may still close (absent in states of older versions). */
  clockStep?: ClockStep | null;
}

/** What the options mean for the clock, worked out once per options object (not per point: points may share options). */
interface Grid {
  zone: Zone;
  /** Pane length: `every`, or `size` when windows tumble. */
  step: number;
  /** Panes per window (1 when windows tumble). */
  panes: number;
  /** Readings beyond this many ms from 1970 are not windowed (their boundaries would leave Date's range). */
  limit: number;
}

const grids = new WeakMap<object, Grid>();

function gridOf(ctx: StepContext<WindowOptions>): Grid {
  let g = grids.get(ctx.options);
  if (!g) {
    const o = ctx.options;
    const step = o.every ?? o.size;
    g = {
      zone: zoneOf(o.timeZone),
      step,
      panes: Math.max(1, Math.floor(o.size / step)),
      limit: MAX_INSTANT - 2 * o.size - 30 * DAY,
    };
    grids.set(ctx.options, g);
  }
  return g;
}

export const windowStep = defineStep<WindowOptions, WindowState>({
  name: 'window',
  description: 'Clock-aligned windows: one avg, twa, min, max, sum, count, first, last or stddev per period, tumbling or sliding.',
  options,
  check(o) {
    const problems: string[] = [];
    if (o.every !== undefined && o.size % o.every !== 0) {
      problems.push(`size (${formatMs(o.size)}) must be a multiple of every (${formatMs(o.every)})`);
    } else if (o.every !== undefined && o.size / o.every > MAX_PANES) {
      problems.push(`size / every is ${o.size / o.every} panes, more than ${MAX_PANES}: the state would be too large; use a longer every`);
    }
    return problems;
  },
  init: () => ({
    started: false,
    cur: emptyPane(0, 0),
    ring: [],
    leadValue: null,
    leadUncertain: false,
    leadStatus: null,
    unit: null,
    clockStep: null,
  }),
  process(state, reading, ctx) {
    const p = state.cur;
    const ts = reading.ts;
    // The common case, kept small: the reading belongs to the open pane.
    if (ts >= p.start && ts < p.end) {
      addSample(p, reading, ctx.options.function);
      if (reading.unit !== undefined) state.unit = reading.unit;
      return undefined;
    }
    return arrive(state, reading, ctx);
  },
  tick(state, now, ctx) {
    // Called about once a second for every point: the usual answers cost a comparison or two.
    if (!state.started || now < state.cur.end + ctx.options.lateness || idle(state)) return undefined;
    return result(closeUntil(state, ctx, now - ctx.options.lateness, false));
  },
  clockStep(state, step, ctx) {
    if (!state.started) return undefined;
    state.clockStep = { from: step.from, to: step.to };
    if (step.to >= state.cur.start) return undefined; // forward, or back within the open pane: marking is enough
    // Back before the open pane: what is open closes now; panes start over on the new clock.
    const g = gridOf(ctx);
    const out = idle(state) ? undefined : closePane(state, g, ctx);
    state.ring = [];
    state.leadValue = null;
    state.leadUncertain = false;
    state.leadStatus = null;
    state.cur = paneAt(g, step.to);
    return out;
  },
  describe(state, ctx) {
    if (!state.started) return undefined;
    const g = gridOf(ctx);
    const end = state.cur.end;
    const start = windowStartOf(g, state.cur);
    let count = state.cur.n;
    for (const p of state.ring) if (p.start >= start) count += p.n;
    return { start, end, count };
  },
});

/** A reading outside the open pane: the first one, a late one, or one that closes windows. */
function arrive(state: WindowState, reading: Reading, ctx: StepContext<WindowOptions>): StepResult {
  const ts = reading.ts;
  if (!state.started) {
    const g = gridOf(ctx);
    if (!(Math.abs(ts) <= g.limit)) return undefined; // NaN or beyond Date's range: no window can hold it
    state.started = true;
    state.cur = paneAt(g, ts);
    addSample(state.cur, reading, ctx.options.function);
    if (reading.unit !== undefined) state.unit = reading.unit;
    return undefined;
  }
  // Late: its window is out already (or was skipped as empty), and an emitted window never reopens.
  if (!(ts >= state.cur.start)) return undefined;
  const g = gridOf(ctx);
  if (!(ts <= g.limit)) return undefined;
  const out = closeUntil(state, ctx, ts, true);
  addSample(state.cur, reading, ctx.options.function);
  if (reading.unit !== undefined) state.unit = reading.unit;
  return result(out);
}

/**
 * Closes every pane that ends at or before `until`, emitting the windows that end with them. When
 * nothing is left to emit, a reading (`jump`) opens its own pane directly, so a jump of years costs
 * no more than the panes of one window; a tick leaves the empty pane as it is.
 */
function closeUntil(state: WindowState, ctx: StepContext<WindowOptions>, until: number, jump: boolean): Reading[] | undefined {
  const g = gridOf(ctx);
  let out: Reading[] | undefined;
  while (state.cur.end <= until) {
    if (idle(state)) {
      if (jump) state.cur = paneAt(g, until);
      break;
    }
    const reading = closePane(state, g, ctx);
    if (reading) (out ??= []).push(reading);
  }
  return out;
}

/** Closes the open pane, emits the window ending with it, and opens the next pane. */
function closePane(state: WindowState, g: Grid, ctx: StepContext<WindowOptions>): Reading | undefined {
  const cur = state.cur;
  if (hasSamples(cur)) state.ring.push(cur);
  const end = cur.end;
  const start = windowStartOf(g, cur);
  prune(state, start);
  const reading =
    state.ring.length === 0
      ? undefined
      : windowReading(start, end, state.ring, leadOf(state), state.unit, settingsOf(ctx));
  if (state.clockStep) markClockStep(state, state.clockStep, start, end, reading);
  // Panes the next window does not cover leave now, so the state holds only what is still needed.
  prune(state, g.panes === 1 ? end : nextBoundary(g.zone, g.step, start));
  state.cur = emptyPane(end, nextBoundary(g.zone, g.step, end));
  return reading;
}

/**
 * A window the step cut is uncertain, with a status that says how: the window open at the step
 * (it holds `from`) misses its time after the step, or closed early when the clock went back; the
 * window the new clock starts in (it holds `to`) misses its time before. Windows wholly after the
 * step are whole, and good; the step is forgotten once they start.
 */
function markClockStep(state: WindowState, step: ClockStep, start: number, end: number, reading: Reading | undefined): void {
  if (start >= Math.max(step.from, step.to)) {
    state.clockStep = null;
    return;
  }
  const holdsFrom = start < step.from && step.from < end;
  const holdsTo = start < step.to && step.to < end;
  if (reading === undefined || !(holdsFrom || holdsTo)) return;
  const seconds = Math.round(Math.abs(step.to - step.from) / 1000);
  const how =
    step.to > step.from
      ? 'the window misses the time skipped'
      : holdsFrom && holdsTo
        ? 'the window may hold samples of the same time twice'
        : holdsFrom
          ? 'the window closed at the step with part of its samples'
          : 'the window began at the step';
  const why = `window: the gateway's clock stepped ${step.to > step.from ? 'forward' : 'back'} ${seconds} s at ${isoTime(step.to)}; ${how}`;
  reading.quality = worstQuality(reading.quality, 'uncertain');
  reading.status = reading.status === undefined ? why : `${reading.status}; ${why}`;
}

function isoTime(ms: number): string {
  return Math.abs(ms) <= MAX_INSTANT ? new Date(ms).toISOString() : String(ms);
}

/** Nothing is waiting to be emitted: the open pane is empty and no closed pane is still covered. */
function idle(state: WindowState): boolean {
  return state.ring.length === 0 && !hasSamples(state.cur);
}

/** Drops the panes that start before `from`; the last one dropped holds its value into what follows (twa). */
function prune(state: WindowState, from: number): void {
  let dropped = 0;
  while (dropped < state.ring.length && state.ring[dropped]!.start < from) dropped++;
  if (dropped === 0) return;
  const last = state.ring[dropped - 1]!;
  state.leadValue = last.held;
  state.leadUncertain = last.heldUncertain;
  state.leadStatus = last.heldStatus;
  state.ring.splice(0, dropped);
}

function leadOf(state: WindowState): Hold {
  return { value: state.leadValue, uncertain: state.leadUncertain, status: state.leadStatus };
}

function settingsOf(ctx: StepContext<WindowOptions>): ResultSettings {
  return { fn: ctx.options.function, minCount: ctx.options.minCount, point: ctx.point, round: ctx.round };
}

/** The start of the window that ends with pane `p`. */
function windowStartOf(g: Grid, p: Pane): number {
  return g.panes === 1 ? p.start : boundaryBefore(g.zone, g.step, p.end, g.panes);
}

function paneAt(g: Grid, ts: number): Pane {
  const start = windowStart(g.zone, g.step, ts);
  return emptyPane(start, nextBoundary(g.zone, g.step, start));
}

function result(out: Reading[] | undefined): StepResult {
  if (out === undefined) return undefined;
  return out.length === 1 ? out[0] : out;
}

/** `90000` as `90s`: the largest unit that divides it, for messages. */
function formatMs(ms: number): string {
  for (const [unit, size] of [['d', DAY], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
