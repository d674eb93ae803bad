/**
 * The analysers of one station: each parameter's value over time (an sdk generator), the value a
 * test pinned, and the data flag (`N` normal, `M` maintenance, ...) sent with it. A sample is the
 * value of every parameter at one instant, rounded to the decimals the frame carries.
 */
import { SensegateError } from '@sensegate/sdk';
import { compileGenerator, generatorSchema, seedFor, type Generator, type ValueSource } from '@sensegate/sdk/simulate';
import { STATION_MODELS, type ParameterModel, type StationKind } from './stations.js';

/** Decimals of a parameter that is not in the station's model (added through `simulate`). */
const EXTRA_DECIMALS = 2;

export interface InstrumentOptions {
  kind: StationKind;
  /** Codes to measure, in this order (default: every parameter of the kind's model). */
  parameters?: readonly string[] | undefined;
  /** Generators replacing the model's, or adding parameters the model does not have. */
  simulate?: Readonly<Record<string, Generator>> | undefined;
  /** Initial data flags by code (default N). */
  flags?: Readonly<Record<string, string>> | undefined;
  seed: number;
  /** Distinguishes the random walks of stations that share a seed. */
  index: number;
}

export const roundTo = (value: number, decimals: number): number => {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
};

export class Instruments {
  readonly parameters: readonly ParameterModel[];
  private readonly sources: ValueSource[];
  private readonly flags: string[];
  /** Pinned values (NaN: follow the generator). */
  private readonly pinned: Float64Array;
  /** The latest sample, reused to avoid an allocation per sample. */
  private readonly sample: Float64Array;

  constructor(options: InstrumentOptions) {
    const model = STATION_MODELS[options.kind];
    const simulate = options.simulate ?? {};
    const byCode = new Map(model.map((p) => [p.code, p] as const));
    for (const [code, generator] of Object.entries(simulate)) {
      if (!byCode.has(code)) byCode.set(code, { code, decimals: EXTRA_DECIMALS, simulate: generator });
    }
    const codes = options.parameters ?? [...byCode.keys()];
    this.parameters = codes.map((code) => {
      const p = byCode.get(code);
      if (!p) {
        throw new SensegateError('SG_CONFIG_INVALID', `parameter ${code} is not measured by an ${options.kind} station; give it a generator in simulate.${code}`);
      }
      return simulate[code] ? { ...p, simulate: simulate[code]! } : p;
    });
    this.sources = this.parameters.map((p) => {
      const parsed = generatorSchema.safeParse(p.simulate);
      if (!parsed.success) throw new SensegateError('SG_CONFIG_INVALID', `simulate.${p.code}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
      return compileGenerator(parsed.data, seedFor(options.seed, options.index, p.code), 1000);
    });
    this.flags = this.parameters.map(() => 'N');
    for (const [code, flag] of Object.entries(options.flags ?? {})) this.setFlag(code, flag);
    this.pinned = new Float64Array(this.parameters.length).fill(NaN);
    this.sample = new Float64Array(this.parameters.length);
  }

  indexOf(code: string): number {
    const i = this.parameters.findIndex((p) => p.code === code);
    if (i < 0) throw new SensegateError('SG_USAGE', `no parameter ${code} (parameters: ${this.parameters.map((p) => p.code).join(', ')})`);
    return i;
  }

  /** Every parameter's value `elapsed` ms (station time) after the station started, rounded. */
  sampleAt(elapsed: number): Float64Array {
    for (let i = 0; i < this.sources.length; i++) {
      const pinned = this.pinned[i]!;
      const raw = Number.isNaN(pinned) ? this.sources[i]!.at(elapsed) : pinned;
      this.sample[i] = typeof raw === 'number' && Number.isFinite(raw) ? roundTo(raw, this.parameters[i]!.decimals) : NaN;
    }
    return this.sample;
  }

  flag(i: number): string {
    return this.flags[i]!;
  }

  /** Sends `flag` with the parameter from now on (`N` again to clear). */
  setFlag(code: string, flag: string): void {
    if (!/^[A-Za-z]$/.test(flag)) throw new SensegateError('SG_USAGE', `a data flag is one letter (N, F, M, S, D, C, T, B), got "${flag}"`);
    this.flags[this.indexOf(code)] = flag;
  }

  /** Holds a parameter at `value` (undefined: back to its generator). */
  pin(code: string, value: number | undefined): void {
    this.pinned[this.indexOf(code)] = value === undefined ? NaN : value;
  }
}
