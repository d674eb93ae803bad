/**
 * What one reading says about an alarm: raise, clear, neither (inside the hysteresis band), or
 * nothing at all (a bad reading that is held). Pure functions of the options and the reading,
 * allocation-free on the path every reading takes.
 */
import type { Reading, Value } from '@sensegate/sdk';
import type { AlarmOptions } from './alarm-options.js';

/**
 * `raise`: the raise condition holds; `clear`: the clear condition holds; `band`: neither (between
 * the raise and the clear threshold), which breaks a pending raise and a pending clear alike;
 * `ignore`: a bad reading under `onBad: hold`.
 */
export type Verdict = 'raise' | 'clear' | 'band' | 'ignore';

/** Which threshold a raise crossed. */
export type Condition = 'above' | 'below' | 'equals' | 'bad';

/** The clear thresholds: `above - hysteresis` and `below + hysteresis`, exact to the decimals written. */
export interface ClearLimits {
  readonly high: number | undefined;
  readonly low: number | undefined;
}

// Options objects live as long as their step instance; the limits are worked out once for each.
const limitsCache = new WeakMap<AlarmOptions, ClearLimits>();

/** The clear thresholds of these options (cached: no allocation after the first call). */
export function clearLimits(o: AlarmOptions): ClearLimits {
  let limits = limitsCache.get(o);
  if (limits === undefined) {
    const h = o.hysteresis ?? 0;
    limits = {
      high: o.above === undefined ? undefined : exactSum(o.above, -h),
      low: o.below === undefined ? undefined : exactSum(o.below, h),
    };
    limitsCache.set(o, limits);
  }
  return limits;
}

/**
 * Whether the alarm can judge the reading's value: bad quality never, and `above`/`below` need a
 * finite number (a string or boolean on a numeric alarm says nothing about the threshold).
 * Uncertain readings are judged like good ones: the source still vouches for a value.
 */
export function usable(o: AlarmOptions, reading: Reading): boolean {
  if (reading.quality === 'bad' || reading.value === null) return false;
  return o.equals !== undefined || (typeof reading.value === 'number' && Number.isFinite(reading.value));
}

/** What the reading says, given whether it is usable (see `usable`). */
export function verdictOf(o: AlarmOptions, reading: Reading, isUsable: boolean): Verdict {
  if (!isUsable) return o.onBad === 'hold' ? 'ignore' : o.onBad;
  const v = reading.value;
  if (o.equals !== undefined) return matches(v, o.equals) ? 'raise' : 'clear';
  const n = v as number;
  if ((o.above !== undefined && n > o.above) || (o.below !== undefined && n < o.below)) return 'raise';
  const { high, low } = clearLimits(o);
  if ((high === undefined || n <= high) && (low === undefined || n >= low)) return 'clear';
  return 'band';
}

/** `equals` compares strictly, except that `true`/`false` match 1/0: a fault bit may be read as a coil or as a register. */
export function matches(v: Value, target: number | boolean | string): boolean {
  if (v === target) return true;
  if (typeof target === 'boolean' && typeof v === 'number') return v === (target ? 1 : 0);
  if (typeof target === 'number' && typeof v === 'boolean') return target === (v ? 1 : 0);
  return false;
}

/** Which condition a raise on this value confirms, and its threshold (null for a bad reading: no threshold was crossed). */
export function raiseCondition(o: AlarmOptions, value: Value, bad: boolean): { condition: Condition; threshold: number | boolean | string | null } {
  if (bad) return { condition: 'bad', threshold: null };
  if (o.equals !== undefined) return { condition: 'equals', threshold: o.equals };
  if (o.above !== undefined && typeof value === 'number' && value > o.above) return { condition: 'above', threshold: o.above };
  return { condition: 'below', threshold: o.below ?? null };
}

/**
 * The threshold a clear on this value went back across: for an out-of-band alarm, the clear
 * limit nearer to the value (the side it came back from); null for a bad reading.
 */
export function clearThreshold(o: AlarmOptions, value: Value, bad: boolean): number | boolean | string | null {
  if (bad) return null;
  if (o.equals !== undefined) return o.equals;
  const { high, low } = clearLimits(o);
  if (high === undefined) return low ?? null;
  if (low === undefined || typeof value !== 'number') return high;
  return Math.abs(high - value) <= Math.abs(value - low) ? high : low;
}

/** a + b without binary noise: 0.3 - 0.1 is 0.2 here, as the user who wrote them expects. */
export function exactSum(a: number, b: number): number {
  const digits = Math.min(20, Math.max(decimalsOf(a), decimalsOf(b)));
  return Number((a + b).toFixed(digits));
}

function decimalsOf(x: number): number {
  const [mantissa, exponent] = String(x).split('e');
  const fraction = mantissa!.split('.')[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent ?? 0));
}
