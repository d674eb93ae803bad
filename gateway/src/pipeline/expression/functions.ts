/**
 * The built-in functions, and the shape of a function a caller adds. Numeric functions follow the
 * operators' rules (values.ts): booleans count as 1/0, a string or a null argument gives null, and
 * so does a result that is not a finite number. Only `coalesce` and `isnull` look at nulls.
 */
import type { Value } from '@sensegate/sdk';
import { describeValue, finite, toNumber } from './values.js';

/**
 * A function callable from expressions. `call` gets the argument values (already checked against
 * minArgs..maxArgs at compile time) and returns a value; a non-finite number, undefined or
 * anything not a Value counts as null, and a throw counts as null too.
 *
 * The `args` array is reused by its call site on every evaluation: read it, never keep it.
 * Functions are treated as pure only when they are the built-ins; a caller's function is called
 * on every evaluation.
 */
export type ExpressionFunction = {
  minArgs: number;
  /** `Infinity` for any number of arguments. */
  maxArgs: number;
  call(args: Value[]): Value;
  /** One line for documentation and messages, such as `pow(x, y): x raised to the power y`. */
  describe: string;
  /**
   * Optional: why `call` gives null for these arguments, when the reason is the function's own (a
   * wrong type, a value out of its domain). Return undefined to let the caller blame a null
   * argument. Only used by `CompiledExpression.explain`, so it may be slow.
   */
  explain?(args: readonly Value[]): string | undefined;
};

/** The first argument that is neither null nor usable as a number, described, or undefined. */
function notNumber(name: string, args: readonly Value[]): string | undefined {
  for (const a of args) {
    if (a !== null && toNumber(a) !== toNumber(a)) return `${name}() needs ${args.length === 1 ? 'a number' : 'numbers'}, got ${describeValue(a)}`;
  }
  return undefined;
}

/** A function of one number, with an optional reason for the inputs outside its domain. */
function numeric1(name: string, describe: string, f: (x: number) => number, domain?: (x: number) => string | undefined): ExpressionFunction {
  return {
    minArgs: 1,
    maxArgs: 1,
    describe,
    call: (args) => {
      const x = toNumber(args[0]!);
      return x !== x ? null : finite(f(x));
    },
    explain: (args) => {
      const bad = notNumber(name, args);
      if (bad !== undefined || args[0] === null) return bad;
      const x = toNumber(args[0]!);
      return domain?.(x) ?? `${name}(${x}) is not a finite number`;
    },
  };
}

/** A function of one or more numbers folded left to right (min, max, sum). */
function numericN(name: string, describe: string, fold: (acc: number, x: number) => number): ExpressionFunction {
  return {
    minArgs: 1,
    maxArgs: Infinity,
    describe,
    call: (args) => {
      let acc = toNumber(args[0]!);
      if (acc !== acc) return null;
      for (let i = 1; i < args.length; i++) {
        const x = toNumber(args[i]!);
        if (x !== x) return null;
        acc = fold(acc, x);
      }
      return finite(acc);
    },
    explain: (args) => notNumber(name, args) ?? (args.includes(null) ? undefined : `${name}() of these values is not a finite number`),
  };
}

/**
 * Rounds half away from zero to `digits` decimals (negative: to tens, hundreds...). The scaled
 * value is nudged up by two ulps (relative) first, the most that storing a decimal and scaling it
 * can lose, so that decimals round as written: 1.005 is stored as 1.00499999999999989..., yet
 * round(1.005, 2) is 1.01. The price: a value truly within two ulps below a half rounds up.
 */
function roundTo(x: number, digits: number): number {
  const scale = 10 ** Math.abs(digits);
  const scaled = digits >= 0 ? Math.abs(x) * scale : Math.abs(x) / scale;
  const r = Math.round(scaled * (1 + 2 * Number.EPSILON));
  const back = digits >= 0 ? r / scale : r * scale;
  return x < 0 ? -back : back;
}

const MAX_ROUND_DIGITS = 15;

const round: ExpressionFunction = {
  minArgs: 1,
  maxArgs: 2,
  describe: 'round(x[, digits]): x rounded half away from zero to digits decimals (default 0; negative rounds to tens, hundreds...)',
  call: (args) => {
    const x = toNumber(args[0]!);
    const d = args.length > 1 ? toNumber(args[1]!) : 0;
    // NaN (a string or null) is not an integer either.
    if (x !== x || !Number.isInteger(d) || Math.abs(d) > MAX_ROUND_DIGITS) return null;
    return finite(roundTo(x, d));
  },
  explain: (args) => {
    const bad = notNumber('round', args);
    if (bad !== undefined || args.includes(null)) return bad;
    const d = toNumber(args[1] ?? 0);
    return Number.isInteger(d) && Math.abs(d) <= MAX_ROUND_DIGITS ? undefined : `round() needs whole digits from -${MAX_ROUND_DIGITS} to ${MAX_ROUND_DIGITS}, got ${d}`;
  },
};

const pow: ExpressionFunction = {
  minArgs: 2,
  maxArgs: 2,
  describe: 'pow(x, y): x raised to the power y, like x ** y',
  call: (args) => {
    const x = toNumber(args[0]!);
    const y = toNumber(args[1]!);
    return x !== x || y !== y ? null : finite(x ** y);
  },
  explain: (args) => notNumber('pow', args) ?? (args.includes(null) ? undefined : `pow(${args.map(toNumber).join(', ')}) is not a finite number`),
};

const clamp: ExpressionFunction = {
  minArgs: 3,
  maxArgs: 3,
  describe: 'clamp(x, lo, hi): x limited to the range lo..hi',
  call: (args) => {
    const x = toNumber(args[0]!);
    const lo = toNumber(args[1]!);
    const hi = toNumber(args[2]!);
    // NaN fails every comparison, so a string or null anywhere ends here too.
    if (!(lo <= hi) || x !== x) return null;
    return x < lo ? lo : x > hi ? hi : x;
  },
  explain: (args) => {
    const bad = notNumber('clamp', args);
    if (bad !== undefined || args.includes(null)) return bad;
    return `clamp() needs lo <= hi, got lo ${toNumber(args[1]!)} and hi ${toNumber(args[2]!)}`;
  },
};

const avg: ExpressionFunction = {
  minArgs: 1,
  maxArgs: Infinity,
  describe: 'avg(x, ...): the mean of its arguments',
  call: (args) => {
    let sum = 0;
    for (let i = 0; i < args.length; i++) {
      const x = toNumber(args[i]!);
      if (x !== x) return null;
      sum += x;
    }
    return finite(sum / args.length);
  },
  explain: (args) => notNumber('avg', args) ?? (args.includes(null) ? undefined : 'avg() of these values is not a finite number'),
};

const coalesce: ExpressionFunction = {
  minArgs: 1,
  maxArgs: Infinity,
  describe: 'coalesce(a, b, ...): the first argument that has a value',
  call: (args) => {
    for (let i = 0; i < args.length; i++) if (args[i] !== null) return args[i]!;
    return null;
  },
};

const isnull: ExpressionFunction = {
  minArgs: 1,
  maxArgs: 1,
  describe: 'isnull(x): true when x has no value',
  call: (args) => args[0] === null,
};

const positive = (name: string) => (x: number) => (x <= 0 ? `${name}() needs a number > 0, got ${x}` : undefined);

/**
 * The functions every expression can call. A caller's `functions` are merged over them (and may
 * replace one). The object has no prototype and is frozen, as is each function.
 */
export const BUILTIN_FUNCTIONS: Readonly<Record<string, ExpressionFunction>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, ExpressionFunction>, {
    abs: numeric1('abs', 'abs(x): the absolute value of x', Math.abs),
    min: numericN('min', 'min(x, ...): the smallest of its arguments', (a, x) => (x < a ? x : a)),
    max: numericN('max', 'max(x, ...): the largest of its arguments', (a, x) => (x > a ? x : a)),
    sum: numericN('sum', 'sum(x, ...): the sum of its arguments', (a, x) => a + x),
    avg,
    round,
    floor: numeric1('floor', 'floor(x): the largest integer <= x', Math.floor),
    ceil: numeric1('ceil', 'ceil(x): the smallest integer >= x', Math.ceil),
    sqrt: numeric1('sqrt', 'sqrt(x): the square root of x', Math.sqrt, (x) => (x < 0 ? `sqrt() needs a number >= 0, got ${x}` : undefined)),
    pow,
    exp: numeric1('exp', 'exp(x): e raised to the power x', Math.exp),
    log: numeric1('log', 'log(x): the natural logarithm of x', Math.log, positive('log')),
    log10: numeric1('log10', 'log10(x): the base-10 logarithm of x', Math.log10, positive('log10')),
    clamp,
    coalesce,
    isnull,
  }),
);
for (const f of Object.values(BUILTIN_FUNCTIONS)) Object.freeze(f);
