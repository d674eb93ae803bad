/**
 * The water plant's physics, without OPC UA: intake pumps fill a raw-water tank, treatment moves
 * water by gravity into a clear-water tank, two outlet valves drain it, chlorine residual follows
 * its dose and turbidity wanders. One seeded random stream in a fixed order makes a run
 * reproducible step for step.
 */
import { SensegateError } from '@sensegate/sdk';
import { seededRandom } from '@sensegate/sdk/simulate';

/** Intake of one pump at 100 % speed, m3/h. */
const PUMP_FLOW = 120;
/** Transfer from tank 1 to tank 2 per sqrt(m) of tank 1 level, m3/h, for a three-pump plant. */
const TRANSFER_PER_ROOT_M = 92;
/** Outlet flow per % of summed valve opening at the nominal tank 2 level, m3/h, for a three-pump plant. */
const OUTLET_PER_PERCENT = 1.6;
const NOMINAL_TANK2_LEVEL = 3;
const TANK_AREA = [40, 60];
export const TANK_HEIGHT = [5, 6];
// Actuators move per tick, not per second, so a setpoint is reached in a few ticks at any tick
// rate: a test with a 50 ms tick does not wait longer than one with 500 ms.
/** Share of the gap to its target a pump's speed closes each tick. */
const SPEED_RESPONSE = 0.5;
/** Share of the gap to its setpoint a valve closes each tick, and its largest move, %. */
const VALVE_RESPONSE = 0.5;
const VALVE_MAX_STEP = 20;
/** Share of the gap to the dose the chlorine residual closes each tick. */
const CHLORINE_RESPONSE = 0.2;
/** A running pump trips about once every two hours. */
const MEAN_SECONDS_BETWEEN_TRIPS = 7200;
const TRIP_SECONDS = { min: 30, spread: 90 };
const TURBIDITY_BASE = 0.35;
/** A turbidity spike (a storm upstream) about every half hour. */
const MEAN_SECONDS_BETWEEN_SPIKES = 1800;

export const SETPOINT_RANGES = {
  speed: { low: 0, high: 100 },
  valve: { low: 0, high: 100 },
  dose: { low: 0, high: 4 },
} as const;

interface Pump {
  running: boolean;
  speed: number;
  /** Seconds of trip left; Infinity while held by `set(PumpN.Fault, true)`; 0 when healthy. */
  tripLeft: number;
  /** The setpoint seen last step: a change from it starts or stops the pump. */
  lastSetpoint: number;
}

/** Initial speed setpoints: two duty pumps and a standby one, repeating. */
const DEFAULT_SPEEDS = [75, 60, 0];
const DEFAULT_VALVES = [60, 40];
const DEFAULT_DOSE = 0.5;

export type PlantValue = number | boolean;

/** Reads the current value of a setpoint (written by clients or by `set`). */
export type SetpointReader = (id: string) => unknown;

export class WaterPlant {
  readonly pumps: number;
  private readonly random: () => number;
  private readonly pump: Pump[];
  private readonly valves: number[];
  private level: number[];
  private residual: number;
  private turbidity: number;
  private readonly scale: number;
  /** What the instruments show now (true state plus noise), by node id. */
  private readonly shown = new Map<string, PlantValue>();

  constructor(pumps: number, seed: number) {
    this.pumps = pumps;
    this.random = seededRandom(seed);
    // The plant is sized for its pumps: transfer and outlet capacity grow with them.
    this.scale = pumps / 3;
    this.pump = Array.from({ length: pumps }, (_, i) => {
      const sp = defaultSpeedSetpoint(i + 1);
      return { running: sp > 0, speed: sp, tripLeft: 0, lastSetpoint: sp };
    });
    this.valves = [...DEFAULT_VALVES];
    this.residual = DEFAULT_DOSE;
    this.turbidity = TURBIDITY_BASE;
    // Start at the steady state of the default setpoints, so values do not drift at first.
    const intake = this.intake();
    const level1 = (intake / (TRANSFER_PER_ROOT_M * this.scale)) ** 2;
    const level2 = NOMINAL_TANK2_LEVEL * (intake / (OUTLET_PER_PERCENT * this.scale * (this.valves[0]! + this.valves[1]!))) ** 2;
    this.level = [Math.min(level1, TANK_HEIGHT[0]!), Math.min(level2, TANK_HEIGHT[1]!)];
    this.show(0);
  }

  /** The default setpoints, by node id. */
  static setpointDefaults(pumps: number): Map<string, number> {
    const out = new Map<string, number>();
    for (let n = 1; n <= pumps; n++) out.set(`Pump${n}.SpeedSetpoint`, defaultSpeedSetpoint(n));
    out.set('Valve1.PositionSetpoint', DEFAULT_VALVES[0]!);
    out.set('Valve2.PositionSetpoint', DEFAULT_VALVES[1]!);
    out.set('Chlorine.DoseSetpoint', DEFAULT_DOSE);
    return out;
  }

  /** The instrument values, by node id. */
  measurements(): ReadonlyMap<string, PlantValue> {
    return this.shown;
  }

  /** Moves the plant on by `dt` seconds, reading setpoints through `setpoint`. */
  step(dt: number, setpoint: SetpointReader): void {
    const r = this.random;
    this.pump.forEach((p, i) => {
      const sp = number(setpoint(`Pump${i + 1}.SpeedSetpoint`), p.lastSetpoint, SETPOINT_RANGES.speed);
      if (sp !== p.lastSetpoint) {
        if (p.tripLeft === 0) p.running = sp > 0;
        p.lastSetpoint = sp;
      }
      if (p.running && p.tripLeft === 0 && r() < dt / MEAN_SECONDS_BETWEEN_TRIPS) {
        p.tripLeft = TRIP_SECONDS.min + r() * TRIP_SECONDS.spread;
      }
      if (p.tripLeft > 0) {
        p.running = false;
        p.tripLeft = Math.max(0, p.tripLeft - dt);
        if (p.tripLeft === 0) p.running = sp > 0; // reset: the pump restarts on its setpoint
      }
      const target = p.running ? sp : 0;
      p.speed += (target - p.speed) * SPEED_RESPONSE;
      if (Math.abs(target - p.speed) < 0.05) p.speed = target;
    });
    for (let v = 0; v < this.valves.length; v++) {
      const sp = number(setpoint(`Valve${v + 1}.PositionSetpoint`), this.valves[v]!, SETPOINT_RANGES.valve);
      const gap = sp - this.valves[v]!;
      this.valves[v] = Math.abs(gap) < 0.05 ? sp : this.valves[v]! + clamp(gap * VALVE_RESPONSE, -VALVE_MAX_STEP, VALVE_MAX_STEP);
    }
    const intake = this.intake();
    const transfer = this.transfer();
    const outlet = this.outlet();
    const hours = dt / 3600;
    this.level = [
      clamp(this.level[0]! + ((intake - transfer) * hours) / TANK_AREA[0]!, 0, TANK_HEIGHT[0]!),
      clamp(this.level[1]! + ((transfer - outlet) * hours) / TANK_AREA[1]!, 0, TANK_HEIGHT[1]!),
    ];
    const dose = number(setpoint('Chlorine.DoseSetpoint'), this.residual, SETPOINT_RANGES.dose);
    this.residual += (dose - this.residual) * CHLORINE_RESPONSE;
    this.turbidity += (TURBIDITY_BASE - this.turbidity) * Math.min(1, dt / 60) + gauss(r) * 0.01 * Math.sqrt(dt);
    if (r() < dt / MEAN_SECONDS_BETWEEN_SPIKES) this.turbidity += 1 + r() * 2;
    this.turbidity = clamp(this.turbidity, 0.02, 50);
    this.show(1);
  }

  /**
   * Sets the true state behind a measurement (the process side: a tank filled by hand, a pump
   * stopped at its panel); the physics goes on from there. Returns the ids whose shown value
   * changed (without noise), or undefined when `id` is not a measurement of this plant.
   */
  set(id: string, value: unknown): string[] | undefined {
    const pumpMatch = /^Pump(\d+)\.(Running|Speed|Current|Fault)$/.exec(id);
    if (pumpMatch) {
      const i = Number(pumpMatch[1]) - 1;
      const p = this.pump[i];
      if (!p) return undefined;
      switch (pumpMatch[2]) {
        case 'Running':
          p.running = toBoolean(id, value) && p.tripLeft === 0;
          break;
        case 'Fault':
          p.tripLeft = toBoolean(id, value) ? Infinity : 0;
          p.running = p.tripLeft === 0 && p.lastSetpoint > 0;
          break;
        case 'Speed':
          p.speed = clamp(toNumber(id, value), 0, 100);
          break;
        case 'Current':
          // Current follows speed; a set value shows until the next step.
          this.shown.set(id, toNumber(id, value));
          return [id];
      }
      this.showPump(i, 0);
      return ['Running', 'Speed', 'Current', 'Fault'].map((name) => `Pump${i + 1}.${name}`);
    }
    let shown: number;
    switch (id) {
      case 'Tank1.Level':
      case 'Tank2.Level': {
        const t = id === 'Tank1.Level' ? 0 : 1;
        shown = this.level[t] = clamp(toNumber(id, value), 0, TANK_HEIGHT[t]!);
        break;
      }
      case 'Valve1.Position':
      case 'Valve2.Position':
        shown = this.valves[id === 'Valve1.Position' ? 0 : 1] = clamp(toNumber(id, value), 0, 100);
        break;
      case 'Chlorine.Residual':
        shown = this.residual = Math.max(0, toNumber(id, value));
        break;
      case 'Turbidity':
        shown = this.turbidity = Math.max(0, toNumber(id, value));
        break;
      case 'Intake.Flow':
      case 'Outlet.Flow':
        // Flows follow pumps, levels and valves; a set value shows until the next step.
        shown = Math.max(0, toNumber(id, value));
        break;
      default:
        return undefined;
    }
    this.shown.set(id, shown);
    return [id];
  }

  private intake(): number {
    return this.pump.reduce((sum, p) => sum + (p.speed / 100) * PUMP_FLOW, 0);
  }

  private transfer(): number {
    return TRANSFER_PER_ROOT_M * this.scale * Math.sqrt(Math.max(0, this.level[0]!));
  }

  private outlet(): number {
    const opening = this.valves[0]! + this.valves[1]!;
    return OUTLET_PER_PERCENT * this.scale * opening * Math.sqrt(Math.max(0, this.level[1]!) / NOMINAL_TANK2_LEVEL);
  }

  /** Publishes the instrument readings: the true state plus `noise` times each instrument's noise. */
  private show(noise: number): void {
    this.pump.forEach((_, i) => this.showPump(i, noise));
    const jitter = this.jitter(noise);
    this.shown.set('Tank1.Level', round(clamp(this.level[0]! + jitter(0.003), 0, TANK_HEIGHT[0]!), 3));
    this.shown.set('Tank2.Level', round(clamp(this.level[1]! + jitter(0.003), 0, TANK_HEIGHT[1]!), 3));
    const intake = this.intake();
    const outlet = this.outlet();
    this.shown.set('Intake.Flow', round(intake > 0 ? Math.max(0, intake + jitter(0.8)) : 0, 1));
    this.shown.set('Outlet.Flow', round(outlet > 0 ? Math.max(0, outlet + jitter(0.8)) : 0, 1));
    this.shown.set('Valve1.Position', round(clamp(this.valves[0]! + jitter(0.05), 0, 100), 2));
    this.shown.set('Valve2.Position', round(clamp(this.valves[1]! + jitter(0.05), 0, 100), 2));
    this.shown.set('Chlorine.Residual', round(Math.max(0, this.residual + jitter(0.004)), 3));
    this.shown.set('Turbidity', round(Math.max(0, this.turbidity + jitter(0.005)), 3));
  }

  private showPump(i: number, noise: number): void {
    const p = this.pump[i]!;
    const n = i + 1;
    const jitter = this.jitter(noise);
    this.shown.set(`Pump${n}.Running`, p.running);
    this.shown.set(`Pump${n}.Speed`, round(p.speed > 0 ? clamp(p.speed + jitter(0.1), 0, 100) : 0, 2));
    this.shown.set(`Pump${n}.Current`, round(p.running ? Math.max(0, 4 + 0.26 * p.speed + jitter(0.15)) : 0, 2));
    this.shown.set(`Pump${n}.Fault`, p.tripLeft > 0);
  }

  /** Gaussian noise of a given standard deviation, scaled by `noise` (0: none, and no random number drawn). */
  private jitter(noise: number): (sd: number) => number {
    return (sd) => (noise ? gauss(this.random) * sd * noise : 0);
  }
}

function defaultSpeedSetpoint(pumpNumber: number): number {
  return DEFAULT_SPEEDS[(pumpNumber - 1) % DEFAULT_SPEEDS.length]!;
}

/** Roughly normal, mean 0 and standard deviation 1 (Irwin-Hall with four uniforms). */
function gauss(r: () => number): number {
  return (r() + r() + r() + r() - 2) * Math.sqrt(3);
}

function clamp(v: number, low: number, high: number): number {
  return v < low ? low : v > high ? high : v;
}

function round(v: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(v * f) / f;
}

/** A setpoint as a number within its range, or `fallback` when it is not a finite number. */
function number(v: unknown, fallback: number, range: { low: number; high: number }): number {
  return typeof v === 'number' && Number.isFinite(v) ? clamp(v, range.low, range.high) : fallback;
}

function toNumber(id: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SensegateError('SG_USAGE', `${id} takes a finite number, got ${String(v)}`);
  return v;
}

function toBoolean(id: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new SensegateError('SG_USAGE', `${id} takes true or false, got ${String(v)}`);
  return v;
}
