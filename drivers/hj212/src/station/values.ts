/** A value as text becomes a number when it is one, else stays text; empty text is no value. */
import type { Value } from '@sensegate/sdk';

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

export function toValue(text: string): Value {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  return NUMBER.test(trimmed) ? Number(trimmed) : text;
}
