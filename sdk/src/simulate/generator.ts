/**
 * Generators turn elapsed time into an engineering value. Most are pure functions of time, so a
 * value does not depend on how late a tick ran; the random walk keeps state and steps per interval.
 */
import type { Value } from '../reading.js';
import { readCsvColumn } from './csv.js';
import type { GeneratorSpec } from './schema.js';
import { seededRandom } from './random.js';

export interface ValueSource {
  /** The value at `elapsed` ms after the simulator started. */
  at(elapsed: number): Value;
  /** True when the value never changes (encoded once, skipped by the tick). */
  readonly constant: boolean;
}

export function compileGenerator(spec: GeneratorSpec, seed: number, tick: number): ValueSource {
  switch (spec.kind) {
    case 'constant': {
      const value = spec.value;
      return { constant: true, at: () => value };
    }
    case 'sine': {
      const mid = (spec.min + spec.max) / 2;
      const amplitude = (spec.max - spec.min) / 2;
      const w = (2 * Math.PI) / spec.period;
      return { constant: false, at: (t) => mid + amplitude * Math.sin(w * t) };
    }
    case 'ramp': {
      const { from, to, period } = spec;
      return { constant: false, at: (t) => from + ((to - from) * (t % period)) / period };
    }
    case 'counter': {
      const { start, step, interval } = spec;
      return { constant: false, at: (t) => start + step * Math.floor(t / interval) };
    }
    case 'csv': {
      const rows = readCsvColumn(spec.file, spec.column);
      const { interval, loop } = spec;
      return {
        constant: rows.length === 1,
        at: (t) => {
          const i = Math.floor(t / interval);
          return rows[loop ? i % rows.length : Math.min(i, rows.length - 1)]!;
        },
      };
    }
    case 'randomWalk': {
      const random = seededRandom(seed);
      const { min, max, step } = spec;
      const interval = spec.interval ?? tick;
      let value = Math.min(max, Math.max(min, spec.start));
      let steps = 0;
      return {
        constant: false,
        at: (t) => {
          // Catch up on every interval that passed, so the walk is the same however ticks fall.
          const due = interval > 0 ? Math.floor(t / interval) : steps + 1;
          for (; steps < due; steps++) {
            value += (random() * 2 - 1) * step;
            if (value < min) value = min;
            else if (value > max) value = max;
          }
          return value;
        },
      };
    }
  }
}
