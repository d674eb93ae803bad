/**
 * Value generators for simulators: how a simulated point's engineering value moves over time.
 * Shared by every protocol's simulator, so a `simulate:` entry means the same thing everywhere.
 */
import { z } from 'zod';
import { duration } from '../schema.js';

const num = (description: string) => z.number().describe(description);

const constantGenerator = z
  .object({
    kind: z.literal('constant').describe('Holds one value.'),
    value: z.union([z.number(), z.boolean(), z.string()]).describe('The engineering value (a number, true/false, or text for string points).'),
  })
  .strict();

const sineGenerator = z
  .object({
    kind: z.literal('sine').describe('Oscillates between min and max, starting at the midpoint and rising.'),
    min: num('Lowest value.'),
    max: num('Highest value.'),
    period: duration('Time of one full oscillation.'),
  })
  .strict();

const rampGenerator = z
  .object({
    kind: z.literal('ramp').describe('Sawtooth: rises linearly from `from` to `to` over `period`, then starts again.'),
    from: num('Value at the start of each period.'),
    to: num('Value approached at the end of each period.'),
    period: duration('Length of one ramp.'),
  })
  .strict();

const randomWalkGenerator = z
  .object({
    kind: z.literal('randomWalk').describe('Moves by a random amount of at most `step` each interval, kept within min..max; deterministic with `--seed`.'),
    start: num('First value.'),
    step: z.number().nonnegative().describe('Largest change per interval.'),
    min: num('Lower bound.'),
    max: num('Upper bound.'),
    interval: duration('Time between steps (default: every simulator tick).').optional(),
  })
  .strict();

const csvGenerator = z
  .object({
    kind: z.literal('csv').describe('Replays a column of a CSV file (with a header row), one row per interval.'),
    file: z.string().min(1).describe('CSV file, relative to the profile file (or absolute).'),
    column: z.string().min(1).describe('Header name of the column to replay.'),
    interval: duration('Time each row is held.').default(1000),
    loop: z.boolean().default(true).describe('Start again from the first row after the last; false holds the last row.'),
  })
  .strict();

const counterGenerator = z
  .object({
    kind: z.literal('counter').describe('A totalizer: increases by `step` every `interval`.'),
    start: num('First value.').default(0),
    step: num('Increase per interval.').default(1),
    interval: duration('Time between increases.').default(1000),
  })
  .strict();

export const generatorSchema = z
  .discriminatedUnion('kind', [constantGenerator, sineGenerator, rampGenerator, randomWalkGenerator, csvGenerator, counterGenerator])
  .describe('How a point\'s engineering value moves in the simulator.');

/** A `simulate:` entry as written. */
export type Generator = z.input<typeof generatorSchema>;
/** A validated `simulate:` entry (durations in ms, defaults filled). */
export type GeneratorSpec = z.output<typeof generatorSchema>;
export type GeneratorKind = GeneratorSpec['kind'];
