/**
 * The values clients see, by node id: value, status and whether it is frozen. The store outlives
 * a server restart; while a server runs, each point is attached to its variable and every change
 * goes to both. Client writes come back through the variable's `value_changed` event.
 */
import { SensegateError } from '@sensegate/sdk';
import { StatusCodes, type DataValue, type StatusCode, type UAVariable } from 'node-opcua';
import type { VariableSpec } from '../plant/catalog.js';
import { fromVariant, numberVariant, toVariant } from './value-forms.js';

interface Point {
  readonly spec: VariableSpec;
  value: unknown;
  status: StatusCode;
  frozen: boolean;
  variable: UAVariable | undefined;
  onWrite: ((dataValue: DataValue) => void) | undefined;
}

export class PointStore {
  private readonly points = new Map<string, Point>();
  /** True while the store itself sets a variable, so its own `value_changed` is not taken for a client write. */
  private pushing = false;

  constructor(specs: readonly VariableSpec[]) {
    for (const spec of specs) {
      this.points.set(spec.id, { spec, value: spec.initial, status: StatusCodes.Good, frozen: false, variable: undefined, onWrite: undefined });
    }
  }

  private point(id: string): Point {
    const p = this.points.get(id);
    if (!p) throw new SensegateError('SG_USAGE', `no variable "${id}" (ids look like Pump1.Speed, Tank1.Level, Types.Int64; see the README node list)`);
    return p;
  }

  has(id: string): boolean {
    return this.points.has(id);
  }

  spec(id: string): VariableSpec {
    return this.point(id).spec;
  }

  value(id: string): unknown {
    return this.point(id).value;
  }

  /** What the simulator was told about a point, for `status` lines. */
  faults(): { bad: Array<[string, string]>; frozen: string[] } {
    const bad: Array<[string, string]> = [];
    const frozen: string[] = [];
    for (const [id, p] of this.points) {
      if (p.status !== StatusCodes.Good) bad.push([id, p.status.name]);
      if (p.frozen) frozen.push(id);
    }
    return { bad, frozen };
  }

  /** Sets a value from the process side: served now, frozen or not. Throws SG_USAGE when it does not fit the type. */
  set(id: string, value: unknown): void {
    const p = this.point(id);
    const variant = toVariant(p.spec, value);
    p.value = fromVariant(p.spec, variant);
    this.push(p, variant);
  }

  /** A new reading from the plant or the bench; ignored while the point is frozen or when nothing changed. */
  update(id: string, value: number | boolean): void {
    const p = this.points.get(id);
    if (!p || p.frozen || p.value === value) return;
    p.value = value;
    if (p.variable) this.push(p, numberVariant(p.spec.dataType as 'Double' | 'Boolean', value));
  }

  /** Serves the point with `status` (undefined: Good again). */
  setStatus(id: string, status: StatusCode | undefined): void {
    const p = this.point(id);
    p.status = status ?? StatusCodes.Good;
    this.push(p, toVariant(p.spec, p.value));
  }

  freeze(id: string, frozen: boolean): void {
    this.point(id).frozen = frozen;
  }

  /** Connects a point to the variable that serves it (after a server start). */
  attach(id: string, variable: UAVariable): void {
    const p = this.point(id);
    p.variable = variable;
    if (p.status !== StatusCodes.Good) this.push(p, toVariant(p.spec, p.value));
    if (p.spec.writable) {
      p.onWrite = (dataValue: DataValue) => {
        if (this.pushing) return;
        p.value = fromVariant(p.spec, dataValue.value);
        // A client write carries its own status; a fault set on the point stays in force.
        if (p.status !== StatusCodes.Good) this.push(p, dataValue.value);
      };
      variable.on('value_changed', p.onWrite);
    }
  }

  /** Forgets every variable (the server stopped); values, statuses and freezes stay. */
  detachAll(): void {
    for (const p of this.points.values()) {
      if (p.variable && p.onWrite) p.variable.removeListener('value_changed', p.onWrite);
      p.variable = undefined;
      p.onWrite = undefined;
    }
  }

  private push(p: Point, variant: ReturnType<typeof toVariant>): void {
    if (!p.variable) return;
    this.pushing = true;
    try {
      p.variable.setValueFromSource(variant, p.status);
    } finally {
      this.pushing = false;
    }
  }
}
