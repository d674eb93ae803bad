/**
 * Splits an expression into tokens. Identifiers followed directly by `(` are function names, the
 * other identifiers and backticked references are points; `true`, `false` and `null` are keywords.
 * Nothing here looks anything up: names stay plain strings until the compiler resolves functions
 * in its own table and points to indexes in the values array.
 */
import type { Value } from '@sensegate/sdk';
import type { InputRef, Span } from './ast.js';
import { ExpressionError } from './errors.js';

/** Operator and punctuation tokens. */
export type Operator =
  | '+' | '-' | '*' | '/' | '%' | '**'
  | '<' | '<=' | '>' | '>=' | '==' | '!='
  | '&&' | '||' | '!' | '?' | ':' | '(' | ')' | ',';

/** One token, with its span in the source. */
export type Token =
  | (Span & { kind: 'number'; value: number })
  | (Span & { kind: 'string'; value: string })
  | (Span & { kind: 'keyword'; value: Value })
  | (Span & { kind: 'point'; ref: InputRef })
  | (Span & { kind: 'function'; name: string })
  | (Span & { kind: 'op'; op: Operator })
  | (Span & { kind: 'end' });

// Longest first, so `**` is not read as two `*`.
const OPERATORS: readonly Operator[] = ['**', '<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '<', '>', '!', '?', ':', '(', ')', ','];

/** Look-alikes that are not operators here, and what to write instead. */
const MISTAKES: ReadonlyMap<string, string> = new Map([
  ['=', '"==" to compare'],
  ['&', '"&&"'],
  ['|', '"||"'],
]);

const KEYWORDS: ReadonlyMap<string, Value> = new Map<string, Value>([
  ['true', true],
  ['false', false],
  ['null', null],
]);

const ESCAPES: ReadonlyMap<string, string> = new Map([
  ['\\', '\\'],
  ["'", "'"],
  ['"', '"'],
  ['n', '\n'],
  ['r', '\r'],
  ['t', '\t'],
]);

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isIdentStart = (c: string | undefined) => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
const isIdentPart = (c: string | undefined) => isIdentStart(c) || isDigit(c) || c === '.';
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/** The tokens of a source, ending with one `end` token; throws ExpressionError on the first bad character. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (at: number, problem: string, expected?: string): never => {
    throw new ExpressionError(source, at + 1, problem, expected);
  };
  while (i < source.length) {
    const c = source[i]!;
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === '.' && isDigit(source[i + 1]))) {
      i = scanNumber(source, i);
      // `12abc`, `1.2.3` and `1e` are typos, not a number followed by something.
      if (isIdentPart(source[i]) || source[i - 1] === 'e' || source[i - 1] === 'E' || source[i - 1] === '+' || source[i - 1] === '-') {
        while (isIdentPart(source[i]) || source[i] === '+' || source[i] === '-') i++;
        fail(start, `malformed number "${source.slice(start, i)}"`, 'digits, an optional fraction and an optional exponent such as 1.5e-3');
      }
      const value = Number(source.slice(start, i));
      if (!Number.isFinite(value)) fail(start, `number "${source.slice(start, i)}" is too large`);
      tokens.push({ kind: 'number', value, start, end: i });
      continue;
    }
    if (isIdentStart(c)) {
      while (isIdentPart(source[i])) i++;
      const name = source.slice(start, i);
      if (KEYWORDS.has(name)) tokens.push({ kind: 'keyword', value: KEYWORDS.get(name)!, start, end: i });
      else if (source[i] === '(') tokens.push({ kind: 'function', name, start, end: i });
      else tokens.push({ kind: 'point', ref: { point: name, text: name }, start, end: i });
      continue;
    }
    if (c === '"' || c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= source.length) fail(start, `unterminated string`, `a closing ${c} before the end of the expression`);
        const d = source[i]!;
        if (d === c) break;
        if (d === '\\') {
          const escaped = ESCAPES.get(source[i + 1] ?? '');
          if (escaped === undefined) fail(i, `unknown escape "${source.slice(i, i + 2)}" in a string`, '\\\\, \\", \\\', \\n, \\r or \\t');
          value += escaped;
          i += 2;
        } else {
          value += d;
          i++;
        }
      }
      i++;
      tokens.push({ kind: 'string', value, start, end: i });
      continue;
    }
    if (c === '`') {
      const close = source.indexOf('`', i + 1);
      if (close < 0) fail(start, 'unterminated point reference', 'a closing ` before the end of the expression');
      i = close + 1;
      tokens.push({ kind: 'point', ref: backtickRef(source, start, close), start, end: i });
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op !== undefined) {
      i += op.length;
      tokens.push({ kind: 'op', op, start, end: i });
      continue;
    }
    const instead = MISTAKES.get(c);
    if (instead !== undefined) fail(start, `"${c}" is not an operator`, instead);
    fail(start, `unexpected character ${JSON.stringify(c)}`);
  }
  tokens.push({ kind: 'end', start: source.length, end: source.length });
  return tokens;
}

/** The end of the number starting at `i`: digits, an optional fraction, an optional exponent. */
function scanNumber(source: string, i: number): number {
  while (isDigit(source[i])) i++;
  if (source[i] === '.') {
    i++;
    while (isDigit(source[i])) i++;
  }
  if (source[i] === 'e' || source[i] === 'E') {
    i++;
    if (source[i] === '+' || source[i] === '-') i++;
    // Without exponent digits the caller sees the `e` or sign last and reports a malformed number.
    while (isDigit(source[i])) i++;
  }
  return i;
}

/** `` `point` `` or `` `device/point` ``, between the backticks at `open` and `close`. */
function backtickRef(source: string, open: number, close: number): InputRef {
  const inner = source.slice(open + 1, close);
  const text = source.slice(open, close + 1);
  const fail = (problem: string): never => {
    throw new ExpressionError(source, open + 1, problem, 'a point id, or a device id, "/" and a point id, such as `meter-1/power`');
  };
  if (inner.length === 0) fail('empty point reference');
  const slash = inner.indexOf('/');
  if (slash < 0) return { point: inner, text };
  if (inner.indexOf('/', slash + 1) >= 0) fail(`point reference ${text} has more than one "/"`);
  const device = inner.slice(0, slash);
  const point = inner.slice(slash + 1);
  if (device.length === 0 || point.length === 0) fail(`point reference ${text} lacks a ${device.length === 0 ? 'device' : 'point'} id`);
  return { device, point, text };
}
