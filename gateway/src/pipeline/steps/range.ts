/**
 * `range`: a plausibility check. A value outside [min, max] is not a measurement the platform should
 * trust: it becomes bad quality with a status naming the limit, and is kept (so an operator can see
 * what the sensor said) unless `drop` is set.
 */
import { defineStep, type Reading } from '@sensegate/sdk';
import { z } from 'zod';

const options = z
  .object({
    min: z.number().optional().describe('Lowest plausible value, in the point\'s unit.'),
    max: z.number().optional().describe('Highest plausible value, in the point\'s unit.'),
    drop: z.boolean().default(false).describe('Drop out-of-range readings instead of passing them as bad quality.'),
  })
  .strict();

type RangeOptions = z.output<typeof options>;

export const rangeStep = defineStep<RangeOptions, null>({
  name: 'range',
  description: 'Range check: a value outside min..max becomes bad quality (or is dropped).',
  options,
  check(o) {
    if (o.min === undefined && o.max === undefined) return ['give `min`, `max` or both'];
    if (o.min !== undefined && o.max !== undefined && o.min > o.max) return [`min (${o.min}) is greater than max (${o.max})`];
    return [];
  },
  init: () => null,
  process(_state, reading, { options: o }) {
    const v = reading.value;
    if (typeof v !== 'number' || reading.quality === 'bad') return reading;
    if (o.min !== undefined && v < o.min) return o.drop ? undefined : outOfRange(reading, `range:below-min (${v} < ${o.min})`);
    if (o.max !== undefined && v > o.max) return o.drop ? undefined : outOfRange(reading, `range:above-max (${v} > ${o.max})`);
    return reading;
  },
});

function outOfRange(reading: Reading, status: string): Reading {
  return { ...reading, quality: 'bad', status: reading.status === undefined ? status : `${status}; ${reading.status}` };
}
