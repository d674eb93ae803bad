/**
 * Running statistics of one period (a minute interval, an hour, a day) for every parameter of a
 * station: min, max, sum and count of the real-time samples, in one typed array so that a thousand
 * stations cost a few kilobytes. Samples are never stored.
 */
export interface Statistic {
  min: number;
  max: number;
  avg: number;
  count: number;
}

const FIELDS = 4; // min, max, sum, count

export class PeriodStats {
  private readonly values: Float64Array;
  /** Station time (ms) at which the period began. */
  start = 0;
  /** Station time (ms) at which it ends (exclusive). */
  end = 0;
  samples = 0;

  constructor(readonly parameters: number) {
    this.values = new Float64Array(parameters * FIELDS);
  }

  /** Begins the period [start, end), forgetting every sample. */
  reset(start: number, end: number): void {
    this.start = start;
    this.end = end;
    this.samples = 0;
    this.values.fill(0);
  }

  /** Adds one real-time sample (NaN: the parameter had no value, e.g. its analyser is off). */
  add(values: ArrayLike<number>): void {
    this.samples++;
    for (let i = 0; i < this.parameters; i++) {
      const v = values[i]!;
      if (Number.isNaN(v)) continue;
      const at = i * FIELDS;
      const n = this.values[at + 3]!;
      if (n === 0 || v < this.values[at]!) this.values[at] = v;
      if (n === 0 || v > this.values[at + 1]!) this.values[at + 1] = v;
      this.values[at + 2]! += v;
      this.values[at + 3] = n + 1;
    }
  }

  /** The statistic of parameter `i` so far, or undefined when it had no sample. */
  of(i: number): Statistic | undefined {
    const at = i * FIELDS;
    const count = this.values[at + 3]!;
    if (count === 0) return undefined;
    return { min: this.values[at]!, max: this.values[at + 1]!, avg: this.values[at + 2]! / count, count };
  }
}
