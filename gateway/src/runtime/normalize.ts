/**
 * Normalization: a raw value from a driver becomes a Reading with the point's scale, offset,
 * rounding and unit, and a Reading becomes the JSON text of the feed. The JSON is built by
 * concatenation with a prefix computed once per point, because this runs for every reading.
 */
import type { Quality, Reading, Value } from '@sensegate/sdk';
import type { PointConfig } from '../config/load.js';

export class PointNormalizer {
  readonly device: string;
  readonly point: string;
  readonly unit: string | undefined;
  /**
   * The point's place in the edge pipeline, set by the pipeline when the point has steps, copies
   * or dependents. Kept here, on the object every reading already carries, so the hot path needs
   * no lookup.
   */
  stage: unknown = undefined;
  private readonly scale: number;
  private readonly offset: number;
  private readonly factor: number | undefined;
  private readonly prefix: string;
  private readonly unitJson: string;

  constructor(device: string, point: PointConfig) {
    this.device = device;
    this.point = point.id;
    this.unit = point.unit;
    this.scale = point.scale;
    this.offset = point.offset;
    this.factor = point.decimals === undefined ? undefined : 10 ** point.decimals;
    this.prefix = `{"device":${JSON.stringify(device)},"point":${JSON.stringify(point.id)},"ts":`;
    this.unitJson = point.unit === undefined ? '' : `,"unit":${JSON.stringify(point.unit)}`;
  }

  /**
   * Applies scale, offset and rounding. A non-finite number (a NaN float register) has no value.
   * An array is scaled element by element; a non-finite element becomes null.
   */
  value(raw: Value): Value {
    if (typeof raw !== 'number') return Array.isArray(raw) ? this.array(raw) : raw;
    let v = this.scale === 1 && this.offset === 0 ? raw : raw * this.scale + this.offset;
    if (!Number.isFinite(v)) return null;
    if (this.factor !== undefined) v = Math.round(v * this.factor) / this.factor;
    return v;
  }

  private array(raw: readonly Value[]): Value {
    if (this.scale === 1 && this.offset === 0 && this.factor === undefined) return raw;
    return raw.map((x) => (typeof x === 'number' || Array.isArray(x) ? this.value(x) : x));
  }

  reading(raw: Value, quality: Quality, ts: number, status?: string, received?: number): Reading {
    const value = this.value(raw);
    if (value === null && quality !== 'bad') {
      quality = 'bad';
      status ??= raw === null ? 'no value' : `not a finite number (${String(raw)})`;
    }
    const r: Reading = { device: this.device, point: this.point, ts, value, quality };
    if (this.unit !== undefined) r.unit = this.unit;
    if (status !== undefined) r.status = status;
    if (received !== undefined && received !== ts) r.received = received;
    return r;
  }

  /** The reading's JSON object text, in the feed's field order. */
  json(r: Reading): string {
    let out = this.prefix + r.ts + ',"value":' + valueJson(r.value) + ',"quality":"' + r.quality + '"' + this.unitJson;
    if (r.status !== undefined) out += ',"status":' + JSON.stringify(r.status);
    if (r.received !== undefined) out += ',"received":' + r.received;
    if (r.count !== undefined) out += ',"count":' + r.count + ',"start":' + r.start;
    return out + '}';
  }
}

function valueJson(v: Value): string {
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return JSON.stringify(v);
    case 'object':
      // An array: JSON.stringify writes a non-finite element as null, as the feed wants.
      return v === null ? 'null' : JSON.stringify(v);
    default:
      return 'null';
  }
}
