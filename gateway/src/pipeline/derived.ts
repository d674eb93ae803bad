/**
 * Derived points: values computed at the edge from the values the feed carries for other points.
 * A derived point is evaluated once per burst of input updates (one poll, one station packet, one
 * closing window), after the burst, so inputs that change together are seen together.
 *
 * Its quality is never better than its worst input: an uncertain input makes it uncertain, an
 * input without a value makes it uncertain (or bad when the result needs it), a stale input
 * (`maxAge`) makes it uncertain, and the status names the input and the reason.
 */
import { worstQuality, type Quality, type Value } from '@sensegate/sdk';
import type { DerivedConfig } from '../config/pipeline.js';
import { dailyAqi, hourlyAqi, type AqiResult } from './aqi.js';

/**
 * The latest output of a point, as a derived point reads it. Copied out of the reading rather than
 * holding it, so readings die young and the garbage collector's cheap path takes them.
 */
export interface InputSlot {
  readonly id: string;
  /** Whether the point has had an output since the start. */
  seen: boolean;
  value: Value;
  quality: Quality;
  ts: number;
  status: string | undefined;
  /** Whether `ts` is the device's own timestamp (the reading carried `received`), not the gateway's clock. */
  deviceStamped: boolean;
}

/** One output value of an evaluation. */
export interface DerivedValue {
  value: Value;
  quality: Quality;
  status: string | undefined;
}

/**
 * What one evaluation produces: one value per output of the derived point, in output order. The
 * caller keeps one per derived point and it is filled in place, because this runs for every
 * update of an input.
 */
export interface Evaluation {
  ts: number;
  /** Whether `ts` came from an input stamped by its device: the derived reading then carries `received` too. */
  deviceStamped: boolean;
  outputs: DerivedValue[];
}

export function newEvaluation(outputs: number): Evaluation {
  return { ts: 0, deviceStamped: false, outputs: Array.from({ length: outputs }, () => ({ value: null, quality: 'good' as Quality, status: undefined })) };
}

/** Computes a derived point into `into`; false when none of its inputs has a value yet. */
export function evaluateDerived(config: DerivedConfig, inputs: readonly InputSlot[], values: Value[], into: Evaluation): boolean {
  let ts = -Infinity;
  let deviceStamped = false;
  let quality: Quality = 'good';
  let why: string | undefined;
  let missing: string[] | undefined;
  for (let i = 0; i < inputs.length; i++) {
    const r = inputs[i]!;
    if (!r.seen || r.value === null) {
      values[i] = null;
      (missing ??= []).push(inputs[i]!.id);
      continue;
    }
    values[i] = r.value;
    if (r.ts > ts) {
      ts = r.ts;
      deviceStamped = r.deviceStamped;
    }
    if (r.quality !== 'good' && worstQuality(quality, r.quality) !== quality) {
      quality = r.quality;
      why = `input ${inputs[i]!.id}: ${r.status ?? r.quality}`;
    }
  }
  if (ts === -Infinity) return false; // nothing to compute from yet
  if (config.maxAge !== undefined) {
    for (const r of inputs) {
      if (r.seen && r.value !== null && ts - r.ts > config.maxAge) {
        if (quality === 'good') quality = 'uncertain';
        why = joinWhy(why, `input ${r.id} is ${Math.round((ts - r.ts) / 1000)} s older than the newest input`);
      }
    }
  }
  // The AQI says itself which pollutants it missed: an SO2 24-hour average, say, only when needed.
  if (missing !== undefined && config.source.kind !== 'aqi') {
    if (quality === 'good') quality = 'uncertain';
    why = joinWhy(why, `no value for ${missing.join(', ')}`);
  }
  into.ts = ts;
  into.deviceStamped = deviceStamped;
  const source = config.source;
  if (source.kind === 'expression') {
    const value = source.expression.evaluate(values);
    if (value === null) set(into.outputs[0]!, null, 'bad', source.expression.explain(values) ?? why ?? 'no value');
    else set(into.outputs[0]!, value, quality, quality === 'good' ? undefined : why);
    return true;
  }
  if (source.kind === 'aqi') {
    aqiOutputs(source.report, source.pollutants, values, quality, why, into.outputs);
    return true;
  }
  return false; // `from` points are copies, not computations
}

function set(out: DerivedValue, value: Value, quality: Quality, status: string | undefined): void {
  out.value = value;
  out.quality = quality;
  out.status = status;
}

function aqiOutputs(
  report: 'hourly' | 'daily',
  pollutants: readonly string[],
  values: readonly Value[],
  quality: Quality,
  why: string | undefined,
  outputs: DerivedValue[],
): void {
  const concentrations: Record<string, number | null> = {};
  pollutants.forEach((p, i) => {
    const v = values[i];
    concentrations[p] = typeof v === 'number' ? v : null;
  });
  const result: AqiResult = report === 'daily' ? dailyAqi(concentrations) : hourlyAqi(concentrations);
  // Pollutants the site did not configure are not missing; the SO2 24-hour average is, when needed.
  const missing = result.missing.filter((p) => p === 'so2_24h' || pollutants.includes(p));
  const gaps = [
    ...(missing.length > 0 ? [`no value for ${missing.join(', ')}`] : []),
    ...(result.invalid.length > 0 ? [`not a valid concentration: ${result.invalid.join(', ')}`] : []),
  ];
  if (gaps.length > 0) {
    if (quality === 'good') quality = 'uncertain';
    why = why === undefined ? gaps.join('; ') : `${why}; ${gaps.join('; ')}`;
  }
  const status = quality === 'good' ? undefined : why;
  if (result.aqi === null) {
    for (const out of outputs) set(out, null, 'bad', why ?? 'no pollutant has a value');
    return;
  }
  set(outputs[0]!, result.aqi, quality, status);
  set(outputs[1]!, result.primary.join(','), quality, status);
  set(outputs[2]!, result.level, quality, status);
  let k = 3;
  pollutants.forEach((p, i) => {
    if (p === 'so2_24h') return; // stands in for the 1-hour SO2; no IAQI of its own
    const iaqi = (result.iaqi as Record<string, number | undefined>)[p];
    if (iaqi === undefined) set(outputs[k]!, null, 'bad', values[i] === null ? `no value for ${p}` : `no IAQI for ${p} at ${String(values[i])}`);
    else set(outputs[k]!, iaqi, quality, status);
    k++;
  });
}

function joinWhy(a: string | undefined, b: string): string {
  return a === undefined ? b : `${a}; ${b}`;
}
