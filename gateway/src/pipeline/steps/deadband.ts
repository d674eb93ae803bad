/**
 * `deadband`: report on change. A numeric reading passes when it moved more than the deadband from
 * the last value that passed; any other change (quality, status, a non-numeric value) always passes,
 * and `maxSilence` lets an unchanged value through now and then, so a consumer can tell a steady
 * value from a dead link.
 */
import { defineStep, duration, type Quality, type Value } from '@sensegate/sdk';
import { z } from 'zod';

const options = z
  .object({
    absolute: z
      .number()
      .nonnegative()
      .default(0)
      .describe('Pass a numeric reading when it differs from the last passed value by more than this (in the point\'s unit). 0: any change passes.'),
    percent: z
      .number()
      .positive()
      .optional()
      .describe('Pass a numeric reading when it differs from the last passed value by more than this percentage of that value. With `absolute`, either one passes it.'),
    maxSilence: duration('Pass the next reading anyway once nothing has passed for this long (a heartbeat), measured on reading timestamps.').optional(),
  })
  .strict();

interface DeadbandState {
  /** Nothing has passed yet. */
  empty: boolean;
  value: Value;
  quality: Quality;
  status: string | null;
  /** Timestamp of the last reading that passed. */
  ts: number;
}

export const deadbandStep = defineStep<z.output<typeof options>, DeadbandState>({
  name: 'deadband',
  description: 'Report on change: drop readings within a deadband of the last reported value, with an optional heartbeat.',
  options,
  init: () => ({ empty: true, value: null, quality: 'good', status: null, ts: 0 }),
  process(state, reading, { options: o }) {
    if (!state.empty && reading.quality === state.quality && (reading.status ?? null) === state.status) {
      const silent = o.maxSilence !== undefined && reading.ts - state.ts >= o.maxSilence;
      if (!silent && !changed(state.value, reading.value, o.absolute, o.percent)) return undefined;
    }
    state.empty = false;
    state.value = reading.value;
    state.quality = reading.quality;
    state.status = reading.status ?? null;
    state.ts = reading.ts;
    return reading;
  },
  describe: (state) => (state.empty ? undefined : { last: state.value, at: state.ts }),
});

function changed(last: Value, next: Value, absolute: number, percent: number | undefined): boolean {
  if (typeof last !== 'number' || typeof next !== 'number') return last !== next;
  const delta = Math.abs(next - last);
  if (percent !== undefined && delta > (Math.abs(last) * percent) / 100) return true;
  if (percent !== undefined && absolute === 0) return false; // percent alone decides
  return delta > absolute;
}
