/**
 * A pane: the partial aggregate of the samples whose timestamps fall in one stretch of time. A
 * tumbling window is one pane; a sliding window is its last `size / every` panes merged. A pane is
 * a flat object of finite numbers, strings and nulls, so it goes through JSON unchanged, and a
 * sample updates it in place without allocating.
 */
import type { Reading, Value } from '@sensegate/sdk';

/** What a window computes. */
export type WindowFunction = 'avg' | 'twa' | 'min' | 'max' | 'sum' | 'count' | 'first' | 'last' | 'stddev';

/** Larger numbers count as bad samples: see addSample. */
export const MAX_MAGNITUDE = 1e100;

export const WINDOW_FUNCTIONS = ['avg', 'twa', 'min', 'max', 'sum', 'count', 'first', 'last', 'stddev'] as const;

export interface Pane {
  start: number;
  end: number;
  /** Valid samples: they went into the value. */
  n: number;
  /** Samples left out for carrying no usable value: bad quality, null, not finite (or beyond ±1e100), or text where a number is needed. */
  bad: number;
  /** twa only: samples that arrived out of order between two earlier samples of the pane, left out (see addTwa). */
  skipped: number;
  /** Uncertain samples among the valid ones, and the status of the earliest (by ts) of them. */
  uncertain: number;
  uncertainTs: number;
  uncertainStatus: string | null;
  /**
   * The running aggregate; what it means depends on the function:
   * avg, sum: `a` the sum and `b` its compensation (Neumaier); min, max: `a` the extreme;
   * stddev: `a` the mean and `b` the sum of squared deviations (Welford); twa: `a` the integral
   * of value over time between the pane's samples (ms), `b` its compensation.
   */
  a: number;
  b: number;
  /** first, last: the chosen sample's value and timestamp. */
  pick: Value;
  pickTs: number;
  /** twa: ms covered by a held value between the pane's samples. */
  covered: number;
  /** twa: the earliest and latest sample timestamps, valid or not. */
  firstTs: number;
  lastTs: number;
  /** twa: the value the latest sample holds after it (null: it was bad, it holds nothing), and that sample's quality. */
  held: number | null;
  heldUncertain: boolean;
  heldStatus: string | null;
}

export function emptyPane(start: number, end: number): Pane {
  return {
    start,
    end,
    n: 0,
    bad: 0,
    skipped: 0,
    uncertain: 0,
    uncertainTs: 0,
    uncertainStatus: null,
    a: 0,
    b: 0,
    pick: null,
    pickTs: 0,
    covered: 0,
    firstTs: 0,
    lastTs: 0,
    held: null,
    heldUncertain: false,
    heldStatus: null,
  };
}

/** Whether the pane has seen any sample, valid or not (an empty pane makes no output). */
export function hasSamples(p: Pane): boolean {
  return p.n + p.bad + p.skipped > 0;
}

/** Adds one reading to the pane. Runs for every raw reading: no allocation, no closure. */
export function addSample(p: Pane, r: Reading, fn: WindowFunction): void {
  const v = r.value;
  // Booleans count as 1 and 0, so the average of a pump's `running` is its duty cycle.
  const x = typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : NaN;
  // NaN and Infinity cannot be aggregated (nor saved as JSON); nor can magnitudes that would overflow
  // a running sum or a twa integral (value x ms), which no sensor reports but a garbled register can.
  const usable =
    r.quality !== 'bad' && (Math.abs(x) <= MAX_MAGNITUDE || (typeof v === 'string' && (fn === 'first' || fn === 'last' || fn === 'count')));
  if (fn === 'twa' && !addTwa(p, r.ts, usable ? x : null, r)) return;
  if (!usable) {
    p.bad++;
    return;
  }
  switch (fn) {
    case 'avg':
    case 'sum':
      addCompensated(p, x);
      break;
    case 'min':
      if (p.n === 0 || x < p.a) p.a = x;
      break;
    case 'max':
      if (p.n === 0 || x > p.a) p.a = x;
      break;
    case 'stddev': {
      const delta = x - p.a;
      p.a += delta / (p.n + 1);
      p.b += delta * (x - p.a);
      break;
    }
    case 'first':
      // By timestamp, not arrival; of equal timestamps the one that came first.
      if (p.n === 0 || r.ts < p.pickTs) {
        p.pick = v;
        p.pickTs = r.ts;
      }
      break;
    case 'last':
      if (p.n === 0 || r.ts >= p.pickTs) {
        p.pick = v;
        p.pickTs = r.ts;
      }
      break;
    default: // count needs nothing but n; twa was done above
      break;
  }
  p.n++;
  if (r.quality === 'uncertain' && (p.uncertain++ === 0 || r.ts < p.uncertainTs)) {
    p.uncertainTs = r.ts;
    p.uncertainStatus = r.status ?? null;
  }
}

/**
 * Sample-and-hold: each sample's value holds until the next sample by timestamp. In order, the
 * previous sample's hold ends at this one. A sample earlier than every other of the pane is placed
 * exactly too (it holds until the pane's first sample; the hold from before the pane ends at it).
 * A sample that lands between two earlier samples cannot be placed without keeping every sample,
 * so it is left out and counted (`skipped`): the result then says so and is at best uncertain.
 * Returns false when the sample was left out.
 */
function addTwa(p: Pane, ts: number, x: number | null, r: Reading): boolean {
  if (p.n + p.bad === 0) {
    p.firstTs = ts;
    setHeld(p, ts, x, r);
  } else if (ts >= p.lastTs) {
    if (p.held !== null) integrate(p, p.held, ts - p.lastTs);
    setHeld(p, ts, x, r);
  } else if (ts < p.firstTs) {
    if (x !== null) integrate(p, x, p.firstTs - ts);
    p.firstTs = ts;
  } else {
    p.skipped++;
    return false;
  }
  return true;
}

function setHeld(p: Pane, ts: number, x: number | null, r: Reading): void {
  p.lastTs = ts;
  p.held = x;
  p.heldUncertain = r.quality === 'uncertain';
  p.heldStatus = r.status ?? null;
}

/** Adds a value held for `ms` to a twa integral. */
export function integrate(p: Pane, value: number, ms: number): void {
  if (ms <= 0) return;
  addCompensated(p, value * ms);
  p.covered += ms;
}

/** Neumaier's compensated sum: the error stays at one rounding of the total, however many samples. */
function addCompensated(p: Pane, x: number): void {
  const t = p.a + x;
  if (Math.abs(p.a) >= Math.abs(x)) p.b += p.a - t + x;
  else p.b += x - t + p.a;
  p.a = t;
}

/**
 * Adds pane `q`'s samples to the aggregate `acc` (both for the same function). twa's holds
 * between panes are the caller's business: merging adds only what lies inside `q`.
 */
export function mergePane(acc: Pane, q: Pane, fn: WindowFunction): void {
  if (q.n > 0) {
    switch (fn) {
      case 'avg':
      case 'sum':
      case 'twa':
        addCompensated(acc, q.a);
        acc.b += q.b;
        break;
      case 'min':
        if (acc.n === 0 || q.a < acc.a) acc.a = q.a;
        break;
      case 'max':
        if (acc.n === 0 || q.a > acc.a) acc.a = q.a;
        break;
      case 'stddev': {
        // Chan et al.: the two partial means and squared deviations combine exactly.
        const n = acc.n + q.n;
        const delta = q.a - acc.a;
        acc.a += (delta * q.n) / n;
        acc.b += q.b + (delta * delta * acc.n * q.n) / n;
        break;
      }
      case 'first':
        if (acc.n === 0 || q.pickTs < acc.pickTs) {
          acc.pick = q.pick;
          acc.pickTs = q.pickTs;
        }
        break;
      case 'last':
        if (acc.n === 0 || q.pickTs >= acc.pickTs) {
          acc.pick = q.pick;
          acc.pickTs = q.pickTs;
        }
        break;
      default:
        break;
    }
  }
  if (q.uncertain > 0 && (acc.uncertain === 0 || q.uncertainTs < acc.uncertainTs)) {
    acc.uncertainTs = q.uncertainTs;
    acc.uncertainStatus = q.uncertainStatus;
  }
  acc.n += q.n;
  acc.bad += q.bad;
  acc.skipped += q.skipped;
  acc.uncertain += q.uncertain;
  acc.covered += q.covered;
}
