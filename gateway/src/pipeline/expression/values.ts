/**
 * The value rules shared by operators and built-in functions, so that `a + b` and `sum(a, b)`
 * agree: booleans count as 1/0 in arithmetic, strings and null are not numbers, and a result that
 * is not a finite number is no value.
 */
import type { Value } from '@sensegate/sdk';

/**
 * The number a value stands for in arithmetic: itself, or 1/0 for a boolean; NaN for a string or
 * null. NaN is the "not a number" signal (`x !== x`), which keeps the hot path free of allocation.
 */
export function toNumber(v: Value): number {
  return typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : NaN;
}

/** The number when it is finite, else null (NaN and ±Infinity are never results). */
export function finite(n: number): number | null {
  // x - x is 0 exactly for finite x, NaN for NaN and ±Infinity.
  return n - n === 0 ? n : null;
}

/** Truthiness of a non-null value: non-zero numbers, true, and non-empty strings (and arrays). */
export function truthy(v: Exclude<Value, null>): boolean {
  return typeof v === 'boolean' ? v : typeof v === 'number' ? v !== 0 && v === v : v.length > 0;
}

/**
 * Anything a function or the caller hands in, made a Value: finite numbers, strings and booleans
 * pass; everything else (undefined, NaN, objects a misbehaving function returns) is null, so no
 * JS object ever travels through an evaluation.
 */
export function clean(v: unknown): Value {
  switch (typeof v) {
    case 'number':
      return v - v === 0 ? v : null;
    case 'string':
    case 'boolean':
      return v;
    default:
      return null;
  }
}

/** `==` between two values: numbers and booleans by number (`true == 1`), strings by text, null only equals null. */
export function equals(a: Value, b: Value): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return toNumber(a) === toNumber(b);
}

/** A value as a message shows it: `the string "x"`, `true`, `12.5`, `null`. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (v === undefined) return 'no value';
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return `an array of ${v.length} values`;
  return `a value of type ${typeof v}`;
}
