/**
 * The pipeline step contract. Between normalization and the journal, every reading of a point
 * passes through that point's steps in order: filters (deadband, range, spike), windows, alarms.
 * A step is plain functions of (state, reading): the gateway keeps one state per point and step,
 * saves it with the journal and hands it back after a restart, so a window that was open or an
 * alarm that was raised carries on where it stopped.
 *
 * Obligations of every step:
 * - State is plain JSON data (objects, arrays, finite numbers, strings, booleans, null), because it
 *   is saved as JSON and restored; a step must behave the same on a state that went through
 *   `JSON.parse(JSON.stringify(state))`.
 * - `process` and `tick` never throw for any reading: a value the step cannot use passes through
 *   (or becomes bad quality, with a status that says why).
 * - A step never mutates a reading it was given; it returns the same object or a new one.
 * - Computed readings are never better than the worst reading that went into them, and their
 *   `status` says why when they are not good.
 */
import type { z } from 'zod';
import type { DeviceEvent, Reading } from './reading.js';

/** A step of the gateway's wall clock: what it showed (carried on from before) and what it shows now, in ms since the epoch. */
export interface ClockStep {
  from: number;
  to: number;
}

/** The point a step instance runs for. */
export interface StepPoint {
  readonly device: string;
  readonly point: string;
  readonly unit?: string;
  /** The point's `decimals`: computed numbers are rounded to it. */
  readonly decimals?: number;
}

/** What a step instance gets besides its state: its options, its point, and a way to raise events. */
export interface StepContext<O = unknown> {
  /** The step's options, validated by its schema (defaults applied). */
  readonly options: O;
  readonly point: StepPoint;
  /**
   * Adds an event (an alarm raised or cleared) to the feed, after the readings the step has
   * returned so far. The step's state is saved in the same journal commit as the event, so a
   * restart never repeats or loses the transition.
   */
  event(event: DeviceEvent): void;
  /** A computed number rounded to the point's `decimals` (unchanged when it has none). */
  round(value: number): number;
}

/**
 * What comes out of a step for one reading or tick: the reading to pass on (the same object or a
 * new one), several readings, or nothing (`undefined`: the reading is dropped and never journaled).
 */
export type StepResult = Reading | readonly Reading[] | undefined;

export interface StepDefinition<O, S> {
  /** The key that names the step in a pipeline: `- deadband: {...}`. Built-in names are short words; a package's step is named by its package. */
  name: string;
  /** One line for the docs and `sensegate validate`. */
  description: string;
  /** The step's options; every field with `.describe()`. A step without options takes `z.object({}).strict()`. */
  options: z.ZodType<O>;
  /**
   * Checks what the schema could not, given the point (a window longer than a day, a threshold
   * pair in the wrong order). Returns a message per problem; the gateway reports each with the
   * file, line and path of the step.
   */
  check?(options: O, point: StepPoint): string[];
  /** A fresh state for one point. */
  init(ctx: StepContext<O>): S;
  /** One reading in, what goes on out. */
  process(state: S, reading: Reading, ctx: StepContext<O>): StepResult;
  /**
   * The clock moved on without a reading for this point: close a window that has ended, raise
   * an alarm whose delay has passed. Called about once a second, once the point has spoken since
   * the start. `now` is ms since the epoch on the point's own clock: the gateway's clock minus how
   * far the point's latest timestamp lagged behind its arrival, so a station replaying an hour of
   * backlog is not cut into one-second windows.
   */
  tick?(state: S, now: number, ctx: StepContext<O>): StepResult;
  /**
   * The gateway's wall clock stepped (NTP set it, a person did) from `from` to `to` (ms since the
   * epoch; `to < from` when it went back), and this point's readings are stamped by that clock, so
   * the next ones jump with it. Called once per step, also at start when the clock is behind the
   * time the states were saved. A window open across the step decides here what it will report
   * (see docs/pipeline.md, Windows across a clock step). Not called for points whose readings carry
   * their device's own timestamps: a step of the gateway's clock does not move those.
   */
  clockStep?(state: S, step: ClockStep, ctx: StepContext<O>): StepResult;
  /**
   * A state saved by an earlier run that this step will not reuse, because its options changed:
   * the step starts from `init` instead. Called once at start, with the new options, so the step
   * can close what the old state left open (an alarm still raised clears itself with an event).
   */
  retire?(state: S, ctx: StepContext<O>): void;
  /** What the state means, for `status` and the console (an alarm's condition, a window's fill). */
  describe?(state: S, ctx: StepContext<O>): Record<string, unknown> | undefined;
}

/** A step ready to be used by the gateway: what `defineStep` returns and a step package default-exports. */
export interface Step<O = any, S = any> extends StepDefinition<O, S> {
  readonly kind: 'sensegate.step';
}

/** Declares a pipeline step. A step package default-exports the result. */
export function defineStep<O, S>(definition: StepDefinition<O, S>): Step<O, S> {
  if (!definition.name) throw new Error('defineStep: a step needs a name');
  return Object.freeze({ ...definition, kind: 'sensegate.step' as const });
}

export function isStep(value: unknown): value is Step {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'sensegate.step';
}
