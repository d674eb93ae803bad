/** A value as text becomes a number when it is one, else stays text; empty text is no value. */
import type { Value } from '@sensegate/sdk';

const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const E_UPPER = 0x45;
const E_LOWER = 0x65;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * Whether `text` is a decimal number: `/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/`, checked by
 * hand since every published value goes through it.
 */
function isNumberText(text: string): boolean {
  const n = text.length;
  let i = 0;
  let c = text.charCodeAt(i);
  if (c === PLUS || c === MINUS) c = text.charCodeAt(++i);
  const integer = i;
  while (isDigit(c)) c = text.charCodeAt(++i);
  let digits = i - integer;
  if (c === DOT) {
    const fraction = ++i;
    c = text.charCodeAt(i);
    while (isDigit(c)) c = text.charCodeAt(++i);
    digits += i - fraction;
  }
  if (digits === 0) return false;
  if (c === E_UPPER || c === E_LOWER) {
    c = text.charCodeAt(++i);
    if (c === PLUS || c === MINUS) c = text.charCodeAt(++i);
    const exponent = i;
    while (isDigit(c)) c = text.charCodeAt(++i);
    if (i === exponent) return false;
  }
  return i === n;
}

/** Whether a character might be whitespace that `trim` removes (all of it is space, control or non-ASCII). */
function mayBeSpace(c: number): boolean {
  return c <= 0x20 || c >= 0x7f;
}

export function toValue(text: string): Value {
  // Values almost never carry spaces: trim (a new string) only when an end might be one.
  const trimmed = text !== '' && (mayBeSpace(text.charCodeAt(0)) || mayBeSpace(text.charCodeAt(text.length - 1))) ? text.trim() : text;
  if (trimmed === '') return null;
  return isNumberText(trimmed) ? Number(trimmed) : text;
}
