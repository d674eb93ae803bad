/**
 * Testing a pipeline step without a gateway: `runSteps` feeds a series of readings and ticks
 * through a step and returns what came out; `checkStep` also proves the step's obligations: its
 * state survives JSON at every point of the series with the same output, it never throws, and it
 * never changes a reading it was given.
 *
 *   const out = checkStep(myStep, { alpha: 0.5 }, [reading(0, 1), reading(1000, 3), { tick: 5000 }]);
 */
import { isDeepStrictEqual } from 'node:util';
import type { DeviceEvent, Reading } from '../reading.js';
import type { Step, StepContext, StepPoint } from '../step.js';

/** One input of a series: a reading, or the clock moving on to `tick` (ms since the epoch). */
export type StepInput = Reading | { tick: number };

/** One output of a series, in order: a reading passed on or produced, or an event raised. */
export type StepOutput = { reading: Reading } | { event: DeviceEvent };

export interface RunStepsOptions {
  /** The point the step runs for; device `dev` and point `p` by default. */
  point?: Partial<StepPoint>;
  /** Send the state through JSON before input `i` when this returns true (a restart). */
  restartBefore?: (index: number) => boolean;
}

/** Validates `options` with the step's schema and `check`; throws with every problem. */
export function stepContext(step: Step, options: unknown, point: Partial<StepPoint> = {}): StepContext & { events: DeviceEvent[] } {
  const parsed = step.options.safeParse(options ?? {});
  if (!parsed.success) throw new Error(`${step.name}: options rejected: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const p: StepPoint = { device: 'dev', point: 'p', ...point };
  const problems = step.check?.(parsed.data, p) ?? [];
  if (problems.length > 0) throw new Error(`${step.name}: ${problems.join('; ')}`);
  const factor = p.decimals === undefined ? undefined : 10 ** p.decimals;
  const events: DeviceEvent[] = [];
  return {
    options: parsed.data,
    point: p,
    events,
    event: (e) => events.push(e),
    round: (v) => (factor === undefined ? v : Math.round(v * factor) / factor),
  };
}

/** Runs a series through one step and returns every output in order. */
export function runSteps(step: Step, options: unknown, inputs: readonly StepInput[], run: RunStepsOptions = {}): StepOutput[] {
  const ctx = stepContext(step, options, run.point);
  let state = step.init(ctx);
  const out: StepOutput[] = [];
  inputs.forEach((input, i) => {
    if (run.restartBefore?.(i)) state = JSON.parse(JSON.stringify(state));
    const result = 'tick' in input ? step.tick?.(state, input.tick, ctx) : step.process(state, input, ctx);
    if (result !== undefined) for (const r of Array.isArray(result) ? result : [result]) out.push({ reading: r as Reading });
    for (const e of ctx.events.splice(0)) out.push({ event: e });
  });
  return out;
}

/**
 * Runs the series as `runSteps` does, and fails (throws) unless the step keeps its obligations:
 * - its state is plain JSON data after every input;
 * - sending the state through JSON before any input (a restart there) changes no output;
 * - it never throws and never modifies a reading it was given.
 * Returns the outputs of the plain run.
 */
export function checkStep(step: Step, options: unknown, inputs: readonly StepInput[], run: Omit<RunStepsOptions, 'restartBefore'> = {}): StepOutput[] {
  const frozen = inputs.map((i) => Object.freeze({ ...i }));
  const ctx = stepContext(step, options, run.point);
  let state = step.init(ctx);
  frozen.forEach((input, i) => {
    const result = 'tick' in input ? step.tick?.(state, input.tick, ctx) : step.process(state, input as Reading, ctx);
    void result;
    const copy = JSON.parse(JSON.stringify(state)) as unknown;
    if (!isDeepStrictEqual(copy, state)) {
      throw new Error(`${step.name}: after input ${i} the state is not plain JSON data (it changes when saved and restored): ${JSON.stringify(state)}`);
    }
    state = copy;
  });
  const plain = runSteps(step, options, frozen, run);
  for (let at = 0; at < frozen.length; at++) {
    const restarted = runSteps(step, options, frozen, { ...run, restartBefore: (i) => i === at });
    if (!isDeepStrictEqual(restarted, plain)) {
      throw new Error(`${step.name}: a restart before input ${at} changes the output:\n  without: ${JSON.stringify(plain)}\n  with:    ${JSON.stringify(restarted)}`);
    }
  }
  return plain;
}
