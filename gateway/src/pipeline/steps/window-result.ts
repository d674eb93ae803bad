/**
 * Turns the panes of a closed window into its reading: the value, and a quality no better than
 * the samples that went into it, with a status that names every reason it is not good.
 */
import { worstQuality, type Quality, type Reading, type StepPoint, type Value } from '@sensegate/sdk';
import { emptyPane, integrate, mergePane, type Pane, type WindowFunction } from './window-pane.js';

/** twa: the value that holds at a window's start, from the latest sample before it. */
export interface Hold {
  /** null: no sample before, or the latest was bad (a bad sample ends the hold). */
  value: number | null;
  uncertain: boolean;
  status: string | null;
}

export interface ResultSettings {
  fn: WindowFunction;
  minCount: number;
  point: StepPoint;
  round(value: number): number;
}

/**
 * The reading of the window [start, end) made of `panes` (those with samples, oldest first, all
 * inside the window); undefined when they hold no sample at all (a gap stays a gap).
 */
export function windowReading(
  start: number,
  end: number,
  panes: readonly Pane[],
  lead: Hold,
  unit: string | null,
  s: ResultSettings,
): Reading | undefined {
  let acc: Pane;
  let leadUncertain = false;
  if (panes.length === 1 && s.fn !== 'twa') {
    acc = panes[0]!; // read only: a tumbling window is its one pane
  } else {
    acc = emptyPane(start, end);
    let hold = lead;
    let from = start;
    for (let i = 0; i < panes.length; i++) {
      const p = panes[i]!;
      if (s.fn === 'twa') {
        // Sample-and-hold across the gaps between panes: the previous sample's value covers them.
        if (hold.value !== null && p.firstTs > from) {
          integrate(acc, hold.value, p.firstTs - from);
          if (i === 0) leadUncertain = hold.uncertain;
        }
        hold = { value: p.held, uncertain: p.heldUncertain, status: p.heldStatus };
        from = p.lastTs;
      }
      mergePane(acc, p, s.fn);
    }
    if (s.fn === 'twa' && hold.value !== null) integrate(acc, hold.value, end - from); // the last sample holds to the end
  }

  const total = acc.n + acc.bad + acc.skipped;
  if (total === 0) return undefined;
  let value: Value = null;
  let quality: Quality = 'good';
  const reasons: string[] = [];
  if (acc.n === 0) {
    quality = 'bad';
    const skipped = acc.skipped > 0 ? `, ${acc.skipped} out of order` : '';
    reasons.push(`window: no valid sample (${acc.bad} bad${skipped})`);
  } else {
    value = valueOf(acc, s);
    if (value === null) {
      quality = 'bad';
      reasons.push('window: no time covered by a valid value');
    }
    if (acc.n < s.minCount) {
      quality = 'bad';
      reasons.push(`window: ${acc.n} valid ${acc.n === 1 ? 'sample' : 'samples'}, fewer than minCount ${s.minCount}`);
    }
    if (acc.bad > 0) {
      quality = worstQuality(quality, 'uncertain');
      reasons.push(`window: ${acc.bad} of ${total} samples bad, left out`);
    }
    if (acc.skipped > 0) {
      quality = worstQuality(quality, 'uncertain');
      reasons.push(`window: ${acc.skipped} of ${total} samples out of order, left out`);
    }
    if (acc.uncertain > 0) {
      quality = worstQuality(quality, 'uncertain');
      reasons.push(`window: ${acc.uncertain} of ${total} samples uncertain${paren(acc.uncertainStatus)}`);
    }
    if (leadUncertain) {
      quality = worstQuality(quality, 'uncertain');
      reasons.push(`window: value held from before the window uncertain${paren(lead.status)}`);
    }
  }

  const out: Reading = { device: s.point.device, point: s.point.point, ts: end, value, quality };
  if (unit !== null) out.unit = unit;
  if (reasons.length > 0) out.status = reasons.join('; ');
  out.count = acc.n;
  out.start = start;
  return out;
}

/** The window's value from its aggregate (n > 0); null when twa found no time covered. */
function valueOf(acc: Pane, s: ResultSettings): Value {
  switch (s.fn) {
    case 'avg':
      return computed((acc.a + acc.b) / acc.n, s);
    case 'sum':
      return computed(acc.a + acc.b, s);
    case 'twa':
      return acc.covered > 0 ? computed((acc.a + acc.b) / acc.covered, s) : null;
    case 'stddev':
      return acc.n < 2 ? 0 : computed(Math.sqrt(Math.max(0, acc.b) / (acc.n - 1)), s);
    case 'min':
    case 'max':
      return acc.a + 0;
    case 'count':
      return acc.n;
    case 'first':
    case 'last':
      return typeof acc.pick === 'number' ? acc.pick + 0 : acc.pick;
  }
}

/** Rounded to the point's decimals; `+ 0` turns -0 into 0, which JSON would do anyway. */
function computed(x: number, s: ResultSettings): number {
  return s.round(x) + 0;
}

function paren(status: string | null): string {
  return status === null ? '' : ` (${status})`;
}
