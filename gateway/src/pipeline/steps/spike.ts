/**
 * `spike`: rate-of-change rejection. A reading that jumps from the last accepted value faster than
 * `maxRate` (or by more than `maxStep`) is a spike: bad quality, or dropped. A real step change
 * persists, so after `confirm` consecutive rejected readings that agree with each other the new
 * level is accepted.
 */
import { defineStep, type Reading } from '@sensegate/sdk';
import { z } from 'zod';

const options = z
  .object({
    maxRate: z.number().positive().optional().describe('Largest plausible change per second, in the point\'s unit per second.'),
    maxStep: z.number().positive().optional().describe('Largest plausible change between two consecutive readings, in the point\'s unit.'),
    confirm: z
      .number()
      .int()
      .min(1)
      .default(3)
      .describe('After this many consecutive rejected readings that agree with each other (within the same limits), accept the new level.'),
    drop: z.boolean().default(false).describe('Drop spikes instead of passing them as bad quality.'),
  })
  .strict();

type SpikeOptions = z.output<typeof options>;

interface SpikeState {
  /** Last accepted value and its timestamp; null before the first good reading. */
  value: number | null;
  ts: number;
  /** Consecutive rejected readings, and the last of them, to recognise a real step change. */
  rejected: number;
  candidate: number;
  candidateTs: number;
}

export const spikeStep = defineStep<SpikeOptions, SpikeState>({
  name: 'spike',
  description: 'Spike rejection: a jump faster than maxRate or larger than maxStep becomes bad quality (or is dropped).',
  options,
  check: (o) => (o.maxRate === undefined && o.maxStep === undefined ? ['give `maxRate`, `maxStep` or both'] : []),
  init: () => ({ value: null, ts: 0, rejected: 0, candidate: 0, candidateTs: 0 }),
  process(state, reading, { options: o }) {
    const v = reading.value;
    // Only good and uncertain numbers are judged, and only they become the reference.
    if (typeof v !== 'number' || reading.quality === 'bad') return reading;
    if (state.value === null || !jumps(state.value, state.ts, v, reading.ts, o)) return accept(state, v, reading.ts, reading);
    // A run of rejected readings that agree with each other is a new level, not a spike.
    if (state.rejected > 0 && !jumps(state.candidate, state.candidateTs, v, reading.ts, o)) state.rejected++;
    else state.rejected = 1;
    state.candidate = v;
    state.candidateTs = reading.ts;
    if (state.rejected > o.confirm) return accept(state, v, reading.ts, reading);
    if (o.drop) return undefined;
    const why = `spike (${describeJump(state.value, state.ts, v, reading.ts)})`;
    const spiked: Reading = { ...reading, quality: 'bad', status: reading.status === undefined ? why : `${why}; ${reading.status}` };
    return spiked;
  },
});

function accept(state: SpikeState, v: number, ts: number, reading: Reading): Reading {
  state.value = v;
  state.ts = ts;
  state.rejected = 0;
  return reading;
}

function jumps(from: number, fromTs: number, to: number, toTs: number, o: SpikeOptions): boolean {
  const delta = Math.abs(to - from);
  if (o.maxStep !== undefined && delta > o.maxStep) return true;
  // Readings out of order or at the same instant have no rate; maxStep alone judges them.
  const seconds = (toTs - fromTs) / 1000;
  return o.maxRate !== undefined && seconds > 0 && delta / seconds > o.maxRate;
}

function describeJump(from: number, fromTs: number, to: number, toTs: number): string {
  const seconds = (toTs - fromTs) / 1000;
  return seconds > 0 ? `${from} to ${to} in ${seconds} s` : `${from} to ${to}`;
}
