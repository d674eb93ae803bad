/**
 * A camera's pan-tilt-zoom head: where it points, how it moves, and its presets. Positions are in
 * the ONVIF generic spaces (pan and tilt -1..1, zoom 0..1). Moves take time: an axis travels at
 * most `MAX_UNITS_PER_SECOND` at speed 1. The position is computed from the time a move began, so
 * no timer runs and a stopped or finished move costs nothing.
 */

export interface PtzVector {
  pan: number;
  tilt: number;
  zoom: number;
}

export interface PtzPosition extends PtzVector {
  /** True while any axis moves. */
  moving: boolean;
}

export interface PtzStatus {
  position: PtzVector;
  panTilt: 'IDLE' | 'MOVING';
  zoom: 'IDLE' | 'MOVING';
}

export interface PtzPreset {
  readonly token: string;
  readonly name: string;
  readonly position: PtzVector;
}

export const PTZ_LIMITS = { pan: [-1, 1], tilt: [-1, 1], zoom: [0, 1] } as const;
/** Generic units per second at speed (or velocity) 1, on every axis. */
export const MAX_UNITS_PER_SECOND = 1;
/** How long a ContinuousMove without a Timeout runs (the configuration's DefaultPTZTimeout). */
export const DEFAULT_PTZ_TIMEOUT_MS = 10_000;
export const MAX_PRESETS = 32;

/** A request the head refuses; `subcode` is the ONVIF `ter:` subcode, `sender` false for the device's own limits. */
export class PtzRefusal extends Error {
  constructor(
    readonly subcode: 'InvalidPosition' | 'InvalidTranslation' | 'InvalidVelocity' | 'InvalidSpeed' | 'NoToken' | 'PresetExist' | 'InvalidPresetName' | 'TooManyPresets',
    message: string,
    readonly sender = true,
  ) {
    super(message);
  }
}

type Motion = { kind: 'still' } | { kind: 'velocity'; velocity: number; until: number } | { kind: 'target'; target: number; speed: number };

/** One axis: its value at any time from where the current motion began. */
class Axis {
  private from: number;
  private since = 0;
  private motion: Motion = { kind: 'still' };

  constructor(
    readonly min: number,
    readonly max: number,
    value: number,
  ) {
    this.from = value;
  }

  at(t: number): number {
    const m = this.motion;
    if (m.kind === 'still') return this.from;
    const seconds = Math.max(0, Math.min(t, m.kind === 'velocity' ? m.until : t) - this.since) / 1000;
    if (m.kind === 'velocity') return clamp(this.from + m.velocity * MAX_UNITS_PER_SECOND * seconds, this.min, this.max);
    const distance = m.target - this.from;
    const step = m.speed * MAX_UNITS_PER_SECOND * seconds;
    return Math.abs(distance) <= step ? m.target : this.from + Math.sign(distance) * step;
  }

  moving(t: number): boolean {
    const m = this.motion;
    if (m.kind === 'still') return false;
    const value = this.at(t);
    if (m.kind === 'target') return value !== m.target;
    if (t >= m.until || m.velocity === 0) return false;
    return m.velocity > 0 ? value < this.max : value > this.min;
  }

  set(t: number, motion: Motion): void {
    this.from = this.at(t);
    this.since = t;
    this.motion = motion;
  }
}

function clamp(v: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, v));
}

const AXES = ['pan', 'tilt', 'zoom'] as const;
type AxisName = (typeof AXES)[number];

export interface PtzHeadOptions {
  /** Milliseconds, monotonic; default `performance.now`. Tests pass a fake one. */
  clock?: () => number;
}

export class PtzHead {
  private readonly clock: () => number;
  private readonly axes: Record<AxisName, Axis>;
  private readonly presetsByToken = new Map<string, PtzPreset>();
  private nextPreset = 1;
  private home: PtzVector = { pan: 0, tilt: 0, zoom: 0 };

  constructor(options: PtzHeadOptions = {}) {
    this.clock = options.clock ?? (() => performance.now());
    this.axes = { pan: new Axis(-1, 1, 0), tilt: new Axis(-1, 1, 0), zoom: new Axis(0, 1, 0) };
  }

  position(): PtzPosition {
    const t = this.clock();
    return { pan: this.axes.pan.at(t), tilt: this.axes.tilt.at(t), zoom: this.axes.zoom.at(t), moving: AXES.some((a) => this.axes[a].moving(t)) };
  }

  status(): PtzStatus {
    const t = this.clock();
    const { pan, tilt, zoom } = this.axes;
    return {
      position: { pan: pan.at(t), tilt: tilt.at(t), zoom: zoom.at(t) },
      panTilt: pan.moving(t) || tilt.moving(t) ? 'MOVING' : 'IDLE',
      zoom: zoom.moving(t) ? 'MOVING' : 'IDLE',
    };
  }

  /** Moves the given axes at `velocity` (-1..1) for `timeoutMs`, or until stopped or at a limit. */
  continuousMove(velocity: Partial<PtzVector>, timeoutMs = DEFAULT_PTZ_TIMEOUT_MS): void {
    for (const a of AXES) {
      const v = velocity[a];
      if (v !== undefined && !(v >= -1 && v <= 1)) throw new PtzRefusal('InvalidVelocity', `${a} velocity ${v} is outside -1..1`);
    }
    const t = this.clock();
    for (const a of AXES) {
      const v = velocity[a];
      if (v !== undefined) this.axes[a].set(t, v === 0 ? { kind: 'still' } : { kind: 'velocity', velocity: v, until: t + timeoutMs });
    }
  }

  /** Moves the given axes to `target`, at `speed` (0..1 of full speed; default full). */
  absoluteMove(target: Partial<PtzVector>, speed: Partial<PtzVector> = {}): void {
    for (const a of AXES) {
      const v = target[a];
      const [min, max] = PTZ_LIMITS[a];
      if (v !== undefined && !(v >= min && v <= max)) throw new PtzRefusal('InvalidPosition', `${a} ${v} is outside ${min}..${max}`);
    }
    this.moveTo(target, speed);
  }

  /** Moves the given axes by `translation` from where they are now; a target past a limit stops at the limit. */
  relativeMove(translation: Partial<PtzVector>, speed: Partial<PtzVector> = {}): void {
    const now = this.position();
    const target: Partial<PtzVector> = {};
    for (const a of AXES) {
      const d = translation[a];
      if (d === undefined) continue;
      const [min, max] = PTZ_LIMITS[a];
      const span = max - min;
      if (!(d >= -span && d <= span)) throw new PtzRefusal('InvalidTranslation', `${a} translation ${d} is outside ${-span}..${span}`);
      target[a] = clamp(now[a] + d, min, max);
    }
    this.moveTo(target, speed);
  }

  stop(which: { panTilt?: boolean; zoom?: boolean } = {}): void {
    const t = this.clock();
    const axes: AxisName[] = [...(which.panTilt ?? true ? (['pan', 'tilt'] as const) : []), ...(which.zoom ?? true ? (['zoom'] as const) : [])];
    for (const a of axes) this.axes[a].set(t, { kind: 'still' });
  }

  presets(): PtzPreset[] {
    return [...this.presetsByToken.values()];
  }

  /** Saves the current position as a preset, a new one or (with `token`) an existing one; returns its token. */
  setPreset(name: string | undefined, token?: string): string {
    if (token !== undefined && !this.presetsByToken.has(token)) throw new PtzRefusal('NoToken', `No preset "${token}"`);
    const label = name ?? token ?? `Preset ${this.nextPreset}`;
    if (label === '' || label.length > 64) throw new PtzRefusal('InvalidPresetName', 'A preset name needs 1 to 64 characters');
    const clash = this.presets().find((p) => p.name === label && p.token !== token);
    if (clash) throw new PtzRefusal('PresetExist', `Preset "${clash.token}" is already called "${label}"`);
    if (token === undefined && this.presetsByToken.size >= MAX_PRESETS) throw new PtzRefusal('TooManyPresets', `The camera holds at most ${MAX_PRESETS} presets`, false);
    const saved = token ?? `preset_${this.nextPreset++}`;
    const { pan, tilt, zoom } = this.position();
    this.presetsByToken.set(saved, { token: saved, name: label, position: { pan, tilt, zoom } });
    return saved;
  }

  removePreset(token: string): void {
    if (!this.presetsByToken.delete(token)) throw new PtzRefusal('NoToken', `No preset "${token}"`);
  }

  gotoPreset(token: string, speed: Partial<PtzVector> = {}): void {
    const preset = this.presetsByToken.get(token);
    if (!preset) throw new PtzRefusal('NoToken', `No preset "${token}"`);
    this.moveTo(preset.position, speed);
  }

  gotoHome(speed: Partial<PtzVector> = {}): void {
    this.moveTo(this.home, speed);
  }

  setHome(): void {
    const { pan, tilt, zoom } = this.position();
    this.home = { pan, tilt, zoom };
  }

  private moveTo(target: Partial<PtzVector>, speed: Partial<PtzVector>): void {
    for (const a of AXES) {
      const s = speed[a];
      if (s !== undefined && !(s >= 0 && s <= 1)) throw new PtzRefusal('InvalidSpeed', `${a} speed ${s} is outside 0..1`);
    }
    const t = this.clock();
    for (const a of AXES) {
      const v = target[a];
      // Speed 0 would never arrive: it means the default (full) speed, as on cameras that ignore it.
      if (v !== undefined) this.axes[a].set(t, { kind: 'target', target: v, speed: speed[a] || 1 });
    }
  }
}
