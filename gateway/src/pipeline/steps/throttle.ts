/**
 * `throttle`: at most one reading per interval. The first reading of an interval passes, the rest
 * are dropped; a change of quality passes at once, because hiding a device going bad (or coming
 * back) behind a throttle would mislead.
 */
import { defineStep, duration, type Quality } from '@sensegate/sdk';
import { z } from 'zod';

const options = z
  .object({
    interval: duration('Minimum time between two readings that pass, on reading timestamps.'),
  })
  .strict();

interface ThrottleState {
  /** Timestamp of the last reading that passed; null before the first. */
  ts: number | null;
  quality: Quality;
}

export const throttleStep = defineStep<z.output<typeof options>, ThrottleState>({
  name: 'throttle',
  description: 'Minimum interval: pass at most one reading per interval (quality changes always pass).',
  options,
  check: (o) => (o.interval > 0 ? [] : ['interval must be greater than 0']),
  init: () => ({ ts: null, quality: 'good' }),
  process(state, reading, { options: o }) {
    // A timestamp before the last pass (a clock set back) starts afresh rather than silencing the point.
    if (state.ts !== null && reading.quality === state.quality && reading.ts >= state.ts && reading.ts - state.ts < o.interval) {
      return undefined;
    }
    state.ts = reading.ts;
    state.quality = reading.quality;
    return reading;
  },
});
