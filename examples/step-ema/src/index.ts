/**
 * An exponential moving average, as a pipeline step a vendor ships in its own package: each good
 * or uncertain number moves the average by `alpha` of its distance from it, and a gap longer than
 * `maxGap` starts the average afresh (a sensor that was off says nothing about the old average).
 * Bad readings and values that are not numbers pass through untouched.
 */
import { defineStep, duration, worstQuality, type Quality } from '@sensegate/sdk';
import { z } from 'zod';

const options = z
  .object({
    alpha: z.number().gt(0).lte(1).describe('Weight of the newest reading, above 0 and at most 1: 1 follows every reading, 0.1 smooths strongly.'),
    maxGap: duration('A reading this long after the previous one starts the average afresh.').default(600_000),
  })
  .strict();

export type EmaOptions = z.output<typeof options>;

interface EmaState {
  /** The average; null before the first number or after a gap. */
  avg: number | null;
  /** Timestamp of the last number taken in. */
  ts: number;
  /** The worst quality since the average last started afresh: an average is never better than what went in. */
  quality: Quality;
}

export default defineStep<EmaOptions, EmaState>({
  name: 'sensegate-step-ema',
  description: 'Exponential moving average of numeric readings; a gap longer than maxGap starts it afresh.',
  options,
  init: () => ({ avg: null, ts: 0, quality: 'good' }),
  process(state, reading, ctx) {
    const v = reading.value;
    if (typeof v !== 'number' || reading.quality === 'bad') return reading;
    if (state.avg === null || reading.ts - state.ts > ctx.options.maxGap) {
      state.avg = v;
      state.quality = reading.quality;
    } else {
      state.avg += ctx.options.alpha * (v - state.avg);
      state.quality = worstQuality(state.quality, reading.quality);
    }
    state.ts = reading.ts;
    const out = { ...reading, value: ctx.round(state.avg), quality: state.quality };
    if (state.quality !== 'good' && reading.status === undefined) out.status = 'ema: an uncertain reading went into the average';
    return out;
  },
  describe: (state) => (state.avg === null ? undefined : { average: state.avg, since: state.ts }),
});
