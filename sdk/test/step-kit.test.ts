// A vendor's own pipeline step, written and tested with the SDK alone: an exponential moving
// average. `checkStep` runs it and proves its state survives a restart anywhere in the series; a
// step that keeps something JSON cannot carry is caught.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineStep, type Reading } from '@sensegate/sdk';
import { checkStep, runSteps } from '@sensegate/sdk/testing';
import { z } from 'zod';

const ema = defineStep<{ alpha: number }, { avg: number | null }>({
  name: '@acme/sensegate-ema',
  description: 'Exponential moving average of numeric readings.',
  options: z.object({ alpha: z.number().gt(0).lte(1).describe('Weight of the newest reading.') }).strict(),
  init: () => ({ avg: null }),
  process(state, reading, ctx) {
    if (typeof reading.value !== 'number' || reading.quality === 'bad') return reading;
    state.avg = state.avg === null ? reading.value : state.avg + ctx.options.alpha * (reading.value - state.avg);
    return { ...reading, value: ctx.round(state.avg) };
  },
});

const at = (s: number, value: number | null, quality: Reading['quality'] = 'good'): Reading => ({ device: 'dev', point: 'p', ts: s * 1000, value, quality });

describe('step kit', () => {
  it('runs a vendor step over a series, and proves it survives a restart at every input', () => {
    const series = [at(0, 10), at(1, 20), at(2, null, 'bad'), at(3, 20), { tick: 10_000 }];
    const out = checkStep(ema, { alpha: 0.5 }, series, { point: { decimals: 1 } });
    assert.deepEqual(
      out.map((o) => ('reading' in o ? o.reading.value : o.event.type)),
      [10, 15, null, 17.5],
    );
  });

  it('rejects options the step\'s schema refuses, naming the step', () => {
    assert.throws(() => runSteps(ema, { alpha: 2 }, []), /@acme\/sensegate-ema: options rejected: alpha/);
  });

  it('catches a step whose state does not survive JSON', () => {
    const leaky = defineStep<object, { seen: Set<number> }>({
      name: 'leaky',
      description: 'Keeps a Set, which JSON cannot carry.',
      options: z.object({}).strict(),
      init: () => ({ seen: new Set() }),
      process(state, reading) {
        state.seen.add(reading.ts);
        return reading;
      },
    });
    assert.throws(() => checkStep(leaky, {}, [at(0, 1)]), /leaky: after input 0 the state is not plain JSON data/);
  });

  it('catches a step that changes the reading it was given', () => {
    const mutating = defineStep<object, null>({
      name: 'mutating',
      description: 'Writes into its input.',
      options: z.object({}).strict(),
      init: () => null,
      process(_state, reading) {
        (reading as { value: number }).value = 0;
        return reading;
      },
    });
    assert.throws(() => checkStep(mutating, {}, [at(0, 1)]), TypeError);
  });
});
