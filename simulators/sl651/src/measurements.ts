/**
 * What the simulated station measures, over time: rain falls at a rate given by a generator and
 * accumulates in a tipping-bucket counter (0.1 mm), the water level and supply voltage follow their
 * generators. A minute-by-minute history answers "how much rain since ..." and "what was the level
 * at ..." for the 1-hour rainfall, the daily rainfall and the 5-minute series of the hourly report.
 * Nothing is known before the simulator started: such questions get no answer (sent as FF).
 */
import { compileGenerator, generatorSchema, seedFor, type Generator, type GeneratorSpec, type ValueSource } from '@sensegate/sdk/simulate';

export const QUANTITIES = ['rainRate', 'waterLevel', 'batteryVoltage', 'flow', 'velocity'] as const;
export type Quantity = (typeof QUANTITIES)[number];

/** Rain in bursts (a rate at or below 0 is dry), a river level swinging over 6 hours, a solar-charged battery. */
export const DEFAULT_GENERATORS: Readonly<Record<'rainRate' | 'waterLevel' | 'batteryVoltage', Generator>> = {
  rainRate: { kind: 'randomWalk', start: 0, step: 4, min: -20, max: 40, interval: '1m' },
  waterLevel: { kind: 'sine', min: 2.1, max: 3.4, period: '6h' },
  batteryVoltage: { kind: 'sine', min: 12.2, max: 13.4, period: '24h' },
};

interface Checkpoint {
  t: number;
  total: number;
  level: number | undefined;
}

const HISTORY_MS = 26 * 3_600_000;

/** Rainfall as a tipping-bucket counter shows it: whole 0.1 mm tips, never rounded up. */
export const tips = (mm: number): number => Math.floor(mm * 10 + 1e-6) / 10;

export class Measurements {
  private readonly sources = new Map<Quantity, ValueSource>();
  private readonly pinned = new Map<Quantity, number>();
  private readonly history: Checkpoint[] = [];
  private total: number;
  private last: number;

  constructor(
    generators: Partial<Record<Quantity, Generator | GeneratorSpec>>,
    seed: number,
    tick: number,
    readonly start: number,
    initialTotal = 0,
  ) {
    const specs: Partial<Record<Quantity, Generator | GeneratorSpec>> = { ...DEFAULT_GENERATORS, ...generators };
    for (const q of QUANTITIES) {
      const spec = specs[q];
      if (spec) this.sources.set(q, compileGenerator(generatorSchema.parse(spec), seedFor(seed, 0, q), tick));
    }
    this.total = initialTotal;
    this.last = start;
    this.history.push({ t: start, total: this.total, level: this.value('waterLevel', start) });
  }

  /** Moves time on to `now`: rain falls at the current rate; a checkpoint a minute. */
  advance(now: number): void {
    if (now <= this.last) return;
    const rate = this.value('rainRate', now) ?? 0;
    this.total += (rate * (now - this.last)) / 3_600_000;
    this.last = now;
    const previous = this.history[this.history.length - 1]!;
    if (now - previous.t >= 60_000) {
      this.history.push({ t: now, total: this.total, level: this.value('waterLevel', now) });
      while (this.history.length > 2 && now - this.history[0]!.t > HISTORY_MS) this.history.shift();
    }
  }

  /** Rain that fell at once (a control command): counted now. */
  addRain(mm: number): void {
    this.total += mm;
  }

  /** Cumulative rainfall in 0.1 mm tips. */
  get rainTotal(): number {
    return tips(this.total);
  }

  /** A quantity's value at `now`: pinned, else its generator; undefined if it has none. Rain rate is never negative. */
  value(quantity: Quantity, now: number): number | undefined {
    const pinned = this.pinned.get(quantity);
    const source = this.sources.get(quantity);
    const raw = pinned ?? (source ? Number(source.at(Math.max(0, now - this.start))) : undefined);
    if (raw === undefined || !Number.isFinite(raw)) return undefined;
    return quantity === 'rainRate' ? Math.max(0, raw) : raw;
  }

  has(quantity: Quantity): boolean {
    return this.pinned.has(quantity) || this.sources.has(quantity);
  }

  pin(quantity: Quantity, value: number): void {
    this.pinned.set(quantity, value);
  }

  release(quantity: Quantity): void {
    this.pinned.delete(quantity);
  }

  /** Cumulative rainfall at `t` (tips), or undefined before the simulator started. */
  totalAt(t: number): number | undefined {
    if (t < this.start) return undefined;
    if (t >= this.last) return tips(this.total);
    return tips(this.checkpointAt(t).total);
  }

  /** Rain between `from` and `to` (tips), or undefined if `from` is before the start. */
  rainBetween(from: number, to: number): number | undefined {
    const a = this.totalAt(from);
    const b = this.totalAt(to);
    return a === undefined || b === undefined ? undefined : Math.max(0, Math.round((b - a) * 10) / 10);
  }

  /** Water level at `t`, or undefined before the start. */
  levelAt(t: number): number | undefined {
    if (t < this.start) return undefined;
    if (t >= this.last) return this.value('waterLevel', t);
    return this.checkpointAt(t).level;
  }

  private checkpointAt(t: number): Checkpoint {
    let found = this.history[0]!;
    for (const c of this.history) {
      if (c.t > t) break;
      found = c;
    }
    return found;
  }
}
