/**
 * The words of an alarm event, for the operator who reads them on a console or a phone: what
 * crossed which threshold for how long, or what it came back to. A configured template replaces
 * the default text; the data of the event stays the same either way.
 */
import type { Value } from '@sensegate/sdk';
import { clearLimits, type Condition } from './alarm-condition.js';
import type { AlarmOptions } from './alarm-options.js';

/** The placeholders a `message` or `clearMessage` template may use. */
export const PLACEHOLDERS: readonly string[] = ['device', 'point', 'value', 'threshold', 'unit', 'name'];

/** What an alarm event says, in the terms of its data. */
export interface MessageFacts {
  device: string;
  point: string;
  unit: string | undefined;
  name: string;
  value: Value;
  /** The threshold crossed (raise) or returned to (clear); null for a bad reading. */
  threshold: Value;
  /** The reading was bad (or not a number for a numeric alarm). */
  bad: boolean;
  /** The bad reading's status, if it had one. */
  status: string | null;
}

/** The text of a raise event on a `condition`. */
export function raiseMessage(o: AlarmOptions, f: MessageFacts, condition: Condition): string {
  if (o.message !== undefined) return fill(o.message, f);
  const held = o.onDelay > 0 ? ` for ${formatDuration(o.onDelay)}` : '';
  switch (condition) {
    case 'bad':
      return `${f.point} reading bad${held}: ${badValue(f)}`;
    case 'equals':
      return `${f.point} is ${formatValue(f.threshold)}${held}`;
    default:
      return `${f.point} ${condition} ${withUnit(f.threshold, f.unit)}${held}: ${withUnit(f.value, f.unit)}`;
  }
}

/** The text of a clear event. */
export function clearMessage(o: AlarmOptions, f: MessageFacts): string {
  if (o.clearMessage !== undefined) return fill(o.clearMessage, f);
  const held = o.offDelay > 0 ? ` for ${formatDuration(o.offDelay)}` : '';
  if (f.bad) return `${f.point} ${f.name} alarm cleared by a bad reading${held}: ${badValue(f)}`;
  if (o.equals !== undefined) return `${f.point} no longer ${formatValue(o.equals)}${held}: ${formatValue(f.value)}`;
  const { high, low } = clearLimits(o);
  const value = withUnit(f.value, f.unit);
  if (high !== undefined && low !== undefined) return `${f.point} back between ${low} and ${withUnit(high, f.unit)}${held}: ${value}`;
  if (high !== undefined) return `${f.point} back to ${withUnit(high, f.unit)} or below${held}: ${value}`;
  return `${f.point} back to ${withUnit(low ?? null, f.unit)} or above${held}: ${value}`;
}

/** Fills a template's placeholders; spaces left doubled by an empty one (no unit) are closed up. */
export function fill(template: string, f: MessageFacts): string {
  const text: Record<string, string> = {
    device: f.device,
    point: f.point,
    value: formatValue(f.value),
    threshold: f.threshold === null ? '' : formatValue(f.threshold),
    unit: f.unit ?? '',
    name: f.name,
  };
  return template
    .replace(/\{(\w+)\}/g, (whole, key: string) => text[key] ?? whole)
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** `2m`, `30s`, `1h`, `1500ms`: the largest unit that divides the duration, as durations are written in the configuration. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function formatValue(v: Value): string {
  return v === null ? 'no value' : String(v);
}

function withUnit(v: Value, unit: string | undefined): string {
  return unit && typeof v === 'number' ? `${v} ${unit}` : formatValue(v);
}

function badValue(f: MessageFacts): string {
  return f.status === null ? withUnit(f.value, f.unit) : `${withUnit(f.value, f.unit)} (${f.status})`;
}
