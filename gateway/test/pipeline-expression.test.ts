import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '@sensegate/sdk/simulate';
import type { Value } from '@sensegate/sdk';
import {
  BUILTIN_FUNCTIONS,
  compileExpression,
  ExpressionError,
  MAX_DEPTH,
  MAX_SOURCE_LENGTH,
  type CompiledExpression,
  type ExpressionFunction,
} from '../src/pipeline/expression/index.js';

type Functions = Record<string, ExpressionFunction>;

/** The values array of an expression, from values by reference text (missing ones are null). */
function valuesFor(e: CompiledExpression, byText: Record<string, unknown>): Value[] {
  return e.inputs.map((ref) => (Object.hasOwn(byText, ref.text) ? (byText[ref.text] as Value) : null));
}

/** Compiles and evaluates once, inputs given by reference text. */
function ev(source: string, byText: Record<string, unknown> = {}, functions?: Functions): Value {
  const e = compileExpression(source, functions ? { functions } : {});
  return e.evaluate(valuesFor(e, byText));
}

/** Compiles, checks that the result is null, and returns the explanation. */
function why(source: string, byText: Record<string, unknown> = {}, functions?: Functions): string | undefined {
  const e = compileExpression(source, functions ? { functions } : {});
  const values = valuesFor(e, byText);
  assert.equal(e.evaluate(values), null, `${source} should be null`);
  return e.explain(values);
}

/** The ExpressionError compiling `source` throws. */
function compileError(source: string, functions?: Functions): ExpressionError {
  try {
    compileExpression(source, functions ? { functions } : {});
  } catch (err) {
    assert.ok(err instanceof ExpressionError, `expected an ExpressionError, got ${String(err)}`);
    assert.equal(err.source, source);
    return err;
  }
  assert.fail(`${JSON.stringify(source)} compiled`);
}

/** A user function that counts its calls. */
function counter(result: Value = 1): { fn: ExpressionFunction; calls: () => number } {
  let n = 0;
  return {
    fn: { minArgs: 0, maxArgs: 0, describe: 'f(): counts', call: () => (n++, result) },
    calls: () => n,
  };
}

describe('expression literals', () => {
  it('reads numbers in every written form', () => {
    assert.equal(ev('12'), 12);
    assert.equal(ev('0.5'), 0.5);
    assert.equal(ev('.5'), 0.5);
    assert.equal(ev('1e-3'), 0.001);
    assert.equal(ev('2.5E+2'), 250);
    assert.equal(ev('1.'), 1);
  });

  it('reads strings in either quote with escapes', () => {
    assert.equal(ev('"ok"'), 'ok');
    assert.equal(ev("'ok'"), 'ok');
    assert.equal(ev(String.raw`'it\'s'`), "it's");
    assert.equal(ev(String.raw`"say \"hi\""`), 'say "hi"');
    assert.equal(ev(String.raw`"a\\b"`), 'a\\b');
    assert.equal(ev(String.raw`"x\ny\tz\r"`), 'x\ny\tz\r');
    assert.equal(ev(`"it's"`), "it's");
    assert.equal(ev("''"), '');
  });

  it('reads true, false and null as keywords, not points', () => {
    assert.equal(ev('true'), true);
    assert.equal(ev('false'), false);
    assert.equal(ev('null'), null);
    assert.deepEqual(compileExpression('true || false || null').inputs, []);
    assert.deepEqual(compileExpression('True').inputs.map((r) => r.point), ['True']);
  });
});

describe('expression precedence and associativity', () => {
  const cases: Array<[string, Value]> = [
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3],
    ['100 / 10 / 5', 2],
    ['2 * 3 % 4', 2],
    ['7 % 4 * 2', 6],
    ['1 + 6 / 2 - 1', 3],
    // `**` binds tighter than a unary minus on its left: -(2 ** 2).
    ['-2 ** 2', -4],
    ['(-2) ** 2', 4],
    ['2 ** 3 ** 2', 512],
    ['(2 ** 3) ** 2', 64],
    ['2 ** -1', 0.5],
    ['2 * 3 ** 2', 18],
    ['- -3', 3],
    ['--3', 3],
    ['-3 + 5', 2],
    ['!0 == true', true],
    ['1 < 2 == true', true],
    ['1 + 1 == 2 && 3 > 2', true],
    ['true || false && false', true],
    ['false && true || true', true],
    ['2 > 1 == 3 > 2', true],
    ['1 < 2 < 3', true], // (1 < 2) < 3: true counts as 1
    ['3 > 2 > 1', false], // (3 > 2) > 1: 1 > 1
    ['false ? 1 : true ? 2 : 3', 2],
    ['true ? 1 : 0 + 10', 1],
    ['1 ? 2 ? 3 : 4 : 5', 3],
    ['0 ? 1 : 2 ? 3 : 4', 3],
    ['1 + 2 > 2 ? 10 : 20', 10],
    ['true || false ? 1 : 2', 1],
  ];
  for (const [source, expected] of cases) {
    it(`${source} = ${String(expected)}`, () => assert.equal(ev(source), expected));
  }

  it('applies unary minus after ** on a point too', () => {
    assert.equal(ev('-x ** 2', { x: 3 }), -9);
    assert.equal(ev('(-x) ** 2', { x: 3 }), 9);
  });

  it('computes the pump efficiency of the example', () => {
    const e = compileExpression('flow * head * 9.81 / (power * 1000) * 100');
    assert.deepEqual(e.inputs.map((r) => r.point), ['flow', 'head', 'power']);
    assert.equal(e.evaluate([0.05, 30, 20]), ((0.05 * 30 * 9.81) / (20 * 1000)) * 100);
  });
});

describe('expression arithmetic', () => {
  it('adds, subtracts, multiplies, divides, takes the modulo and the power', () => {
    assert.equal(ev('a + b', { a: 1.5, b: 2 }), 3.5);
    assert.equal(ev('a - b', { a: 1.5, b: 2 }), -0.5);
    assert.equal(ev('a * b', { a: 1.5, b: 2 }), 3);
    assert.equal(ev('a / b', { a: 3, b: 2 }), 1.5);
    assert.equal(ev('a % b', { a: 7, b: 3 }), 1);
    assert.equal(ev('-7 % 3'), -1, 'the sign follows the dividend, as in JavaScript');
    assert.equal(ev('a ** b', { a: 2, b: 10 }), 1024);
    assert.equal(ev('+a', { a: 4 }), 4);
    assert.equal(ev('-a', { a: 4 }), -4);
  });

  it('counts booleans as 1 and 0', () => {
    assert.equal(ev('true + true'), 2);
    assert.equal(ev('a * 10', { a: true }), 10);
    assert.equal(ev('a * 10', { a: false }), 0);
    assert.equal(ev('+true'), 1);
    assert.equal(ev('-true'), -1);
  });

  it('gives null for a null operand', () => {
    for (const op of ['+', '-', '*', '/', '%', '**']) {
      assert.equal(ev(`a ${op} 2`, { a: null }), null, op);
      assert.equal(ev(`2 ${op} a`, { a: null }), null, op);
    }
    assert.equal(ev('-a', { a: null }), null);
    assert.equal(ev('+a', { a: null }), null);
  });

  it('gives null for a string operand and says why; + does not concatenate', () => {
    assert.equal(why('"a" + "b"'), '`"a" + "b"` needs numbers, got the string "a"');
    assert.equal(why('a * 2', { a: '12' }), '`a * 2` needs numbers, got the string "12"');
    assert.equal(why('2 - a', { a: 'x' }), '`2 - a` needs numbers, got the string "x"');
    assert.equal(why('-a', { a: 'x' }), '`-a` needs a number, got the string "x"');
    assert.equal(why('+a', { a: 'x' }), '`+a` needs a number, got the string "x"');
  });

  it('gives null for a division or modulo by zero', () => {
    assert.equal(why('a / b', { a: 1, b: 0 }), 'division by zero in `a / b`');
    assert.equal(why('a % b', { a: 1, b: 0 }), 'modulo by zero in `a % b`');
    assert.equal(why('0 / 0'), 'division by zero in `0 / 0`');
    assert.equal(why('(a + 1) / (b - 2)', { a: 1, b: 2 }), 'division by zero in `(a + 1) / (b - 2)`');
    assert.equal(ev('a / b', { a: 1, b: false }), null);
  });

  it('gives null for any non-finite result', () => {
    assert.equal(why('10 ** 400'), '`10 ** 400` is not a finite number');
    assert.equal(why('a * a', { a: 1e200 }), '`a * a` is not a finite number');
    assert.equal(why('(-8) ** 0.5'), '`(-8) ** 0.5` is not a finite number');
    assert.equal(why('0 ** -1'), '`0 ** -1` is not a finite number');
    assert.equal(ev('a - a', { a: 1e308 }), 0);
  });
});

describe('expression comparison and equality', () => {
  it('orders numbers, and booleans as numbers', () => {
    assert.equal(ev('1 < 2'), true);
    assert.equal(ev('2 < 2'), false);
    assert.equal(ev('2 <= 2'), true);
    assert.equal(ev('3 > 2'), true);
    assert.equal(ev('2 >= 3'), false);
    assert.equal(ev('true > false'), true);
    assert.equal(ev('a >= 1', { a: true }), true);
  });

  it('orders two strings by text', () => {
    assert.equal(ev('"abc" < "abd"'), true);
    assert.equal(ev('"b" > "abc"'), true);
    assert.equal(ev('s >= "x"', { s: 'x' }), true);
  });

  it('gives null for a null operand or a string against a number', () => {
    assert.equal(why('a > 1', { a: null }), 'input a has no value');
    assert.equal(why('1 <= a', {}), 'input a has no value');
    assert.equal(why('s < 2', { s: '1' }), '`s < 2` cannot compare the string "1" with 2');
  });

  it('compares by value with == and !=', () => {
    assert.equal(ev('1 == 1'), true);
    assert.equal(ev('1 == 1.0'), true);
    assert.equal(ev('1 != 2'), true);
    assert.equal(ev('"a" == "a"'), true);
    assert.equal(ev('"a" != "A"'), true);
    assert.equal(ev('"1" == 1'), false, 'no conversion between strings and numbers');
    assert.equal(ev('true == 1'), true, 'booleans compare as 1 and 0');
    assert.equal(ev('false == 0'), true);
    assert.equal(ev('true == "true"'), false);
    assert.equal(ev('a == b', { a: true, b: true }), true);
  });

  it('compares null too: null == null, and never gives null', () => {
    assert.equal(ev('null == null'), true);
    assert.equal(ev('null != null'), false);
    assert.equal(ev('a == null', { a: null }), true);
    assert.equal(ev('a == null', { a: 0 }), false);
    assert.equal(ev('a != null', { a: '' }), true);
    assert.equal(ev('a == b', {}), true);
    assert.equal(ev('a == 0', { a: null }), false);
  });
});

describe('expression logic', () => {
  it('returns booleans from &&, || and !', () => {
    assert.equal(ev('2 && 3'), true);
    assert.equal(ev('2 && 0'), false);
    assert.equal(ev('0 || ""'), false);
    assert.equal(ev('0 || "x"'), true);
    assert.equal(ev('!""'), true);
    assert.equal(ev('!"x"'), false);
    assert.equal(ev('!0'), true);
    assert.equal(ev('!!5'), true);
  });

  it('treats null as unknown: null unless the other operand decides', () => {
    const table: Array<[Value, Value, Value, Value]> = [
      // a, b, a && b, a || b
      [null, null, null, null],
      [null, true, null, true],
      [null, false, false, null],
      [true, null, null, true],
      [false, null, false, null],
    ];
    for (const [a, b, and, or] of table) {
      assert.equal(ev('a && b', { a, b }), and, `${a} && ${b}`);
      assert.equal(ev('a || b', { a, b }), or, `${a} || ${b}`);
    }
    assert.equal(ev('!a', { a: null }), null);
    assert.equal(why('a && b', { a: true }), 'input b has no value');
    assert.equal(why('a || b', { b: false }), 'input a has no value');
    assert.equal(why('!a'), 'input a has no value');
  });

  it('short-circuits && and ||', () => {
    const f = counter(true);
    assert.equal(ev('false && f()', {}, { f: f.fn }), false);
    assert.equal(ev('0 && f()', {}, { f: f.fn }), false);
    assert.equal(ev('true || f()', {}, { f: f.fn }), true);
    assert.equal(f.calls(), 0);
    assert.equal(ev('true && f()', {}, { f: f.fn }), true);
    assert.equal(f.calls(), 1);
  });

  it('evaluates only the branch ? : takes', () => {
    const yes = counter(1);
    const no = counter(2);
    const e = compileExpression('c ? yes() : no()', { functions: { yes: yes.fn, no: no.fn } });
    assert.equal(e.evaluate([true]), 1);
    assert.equal(e.evaluate(['x']), 1);
    assert.equal(e.evaluate([0]), 2);
    assert.equal(e.evaluate(['']), 2);
    assert.deepEqual([yes.calls(), no.calls()], [2, 2]);
  });

  it('gives null for a null condition, without evaluating either branch', () => {
    const f = counter(1);
    const e = compileExpression('c ? f() : f()', { functions: { f: f.fn } });
    assert.equal(e.evaluate([null]), null);
    assert.equal(f.calls(), 0);
    assert.equal(e.explain([null]), 'input c has no value');
    assert.equal(why('c ? a : b', { c: 1, b: 2 }), 'input a has no value');
    assert.equal(why('c ? a : null', { c: 0, a: 2 }), '`null` is a literal null');
  });
});

describe('expression built-in functions', () => {
  it('abs, floor, ceil, sqrt, exp, log, log10', () => {
    assert.equal(ev('abs(-2.5)'), 2.5);
    assert.equal(ev('floor(-2.5)'), -3);
    assert.equal(ev('ceil(2.1)'), 3);
    assert.equal(ev('sqrt(16)'), 4);
    assert.equal(ev('exp(0)'), 1);
    assert.equal(ev('log(exp(2))'), 2);
    assert.equal(ev('log10(1000)'), 3);
    assert.equal(ev('abs(x)', { x: true }), 1);
  });

  it('explains values outside a function\'s domain', () => {
    assert.equal(why('sqrt(x)', { x: -4 }), 'sqrt() needs a number >= 0, got -4');
    assert.equal(why('log(0)'), 'log() needs a number > 0, got 0');
    assert.equal(why('log10(-1)'), 'log10() needs a number > 0, got -1');
    assert.equal(why('exp(1000)'), 'exp(1000) is not a finite number');
    assert.equal(why('abs("x")'), 'abs() needs a number, got the string "x"');
  });

  it('min, max, sum, avg over one or more arguments', () => {
    assert.equal(ev('min(3, 1, 2)'), 1);
    assert.equal(ev('max(3, 1, 2)'), 3);
    assert.equal(ev('sum(3, 1, 2)'), 6);
    assert.equal(ev('avg(3, 1, 2)'), 2);
    assert.equal(ev('min(7)'), 7);
    assert.equal(ev('avg(7)'), 7);
    assert.equal(ev('max(a, true)', { a: 0.5 }), 1);
    assert.equal(ev('max(pm25, pm10 / 2)', { pm25: 30, pm10: 80 }), 40);
  });

  it('min, max, sum, avg give null for any null or string argument', () => {
    for (const name of ['min', 'max', 'sum', 'avg']) {
      assert.equal(why(`${name}(1, a, 3)`), 'input a has no value', name);
      assert.equal(why(`${name}(1, a)`, { a: 'x' }), `${name}() needs numbers, got the string "x"`, name);
    }
    assert.equal(why('max(pm25, pm10 / 2)', { pm10: 80 }), 'input pm25 has no value');
    assert.equal(why('sum(a, a)', { a: 1e308 }), 'sum() of these values is not a finite number');
  });

  it('round, half away from zero, to digits', () => {
    assert.equal(ev('round(2.5)'), 3);
    assert.equal(ev('round(-2.5)'), -3);
    assert.equal(ev('round(2.4)'), 2);
    assert.equal(ev('round(3.14159, 2)'), 3.14);
    assert.equal(ev('round(1.005, 2)'), 1.01, 'rounds the decimal as written');
    assert.equal(ev('round(2.675, 2)'), 2.68);
    assert.equal(ev('round(-1.005, 2)'), -1.01);
    assert.equal(ev('round(1.0049, 2)'), 1);
    assert.equal(ev('round(1234.5, -2)'), 1200);
    assert.equal(ev('round(1250, -2)'), 1300);
    assert.equal(ev('round(x, 0)', { x: 0.5 }), 1);
  });

  it('round refuses digits that are not whole or out of range', () => {
    assert.equal(why('round(1.5, 0.5)'), 'round() needs whole digits from -15 to 15, got 0.5');
    assert.equal(why('round(1.5, 16)'), 'round() needs whole digits from -15 to 15, got 16');
    assert.equal(why('round(1.5, d)'), 'input d has no value');
  });

  it('pow and clamp', () => {
    assert.equal(ev('pow(2, 10)'), 1024);
    assert.equal(ev('pow(2, -2)'), 0.25);
    assert.equal(why('pow(-8, 1 / 3)'), `pow(-8, ${1 / 3}) is not a finite number`);
    assert.equal(ev('clamp(5, 0, 10)'), 5);
    assert.equal(ev('clamp(-5, 0, 10)'), 0);
    assert.equal(ev('clamp(50, 0, 10)'), 10);
    assert.equal(ev('clamp(3, 3, 3)'), 3);
    assert.equal(why('clamp(5, 10, 0)'), 'clamp() needs lo <= hi, got lo 10 and hi 0');
    assert.equal(why('clamp(x, 0, 10)'), 'input x has no value');
    assert.equal(why('clamp(1, "a", 10)'), 'clamp() needs numbers, got the string "a"');
  });

  it('coalesce gives the first argument with a value, of any type', () => {
    assert.equal(ev('coalesce(a, b, 3)', { b: 2 }), 2);
    assert.equal(ev('coalesce(a, b, 3)', {}), 3);
    assert.equal(ev('coalesce(a, "none")', {}), 'none');
    assert.equal(ev('coalesce(a, 0)', { a: false }), false);
    assert.equal(ev('coalesce(a)', { a: 'x' }), 'x');
    assert.equal(why('coalesce(a, b)'), 'input a has no value');
    assert.equal(ev('min(coalesce(a, 0), 5)'), 0);
  });

  it('isnull tells whether a value is missing', () => {
    assert.equal(ev('isnull(a)', { a: null }), true);
    assert.equal(ev('isnull(a)', { a: 0 }), false);
    assert.equal(ev('isnull(1 / 0)'), true);
  });

  it('describes every built-in, and is frozen without a prototype', () => {
    assert.deepEqual(Object.keys(BUILTIN_FUNCTIONS).sort(), [
      'abs', 'avg', 'ceil', 'clamp', 'coalesce', 'exp', 'floor', 'isnull', 'log', 'log10', 'max', 'min', 'pow', 'round', 'sqrt', 'sum',
    ]);
    for (const [name, fn] of Object.entries(BUILTIN_FUNCTIONS)) assert.ok(fn.describe.startsWith(`${name}(`), name);
    assert.equal(Object.getPrototypeOf(BUILTIN_FUNCTIONS), null);
    assert.ok(Object.isFrozen(BUILTIN_FUNCTIONS));
    assert.ok(Object.isFrozen(BUILTIN_FUNCTIONS.min));
  });
});

describe('expression user functions', () => {
  const twice: ExpressionFunction = {
    minArgs: 1,
    maxArgs: 1,
    describe: 'twice(x): 2x',
    call: ([x]) => (typeof x === 'number' ? 2 * x : null),
    explain: ([x]) => (typeof x === 'number' ? undefined : 'twice() needs a number'),
  };

  it('are merged over the built-ins and may replace one', () => {
    assert.equal(ev('twice(abs(-2))', {}, { twice }), 4);
    assert.equal(ev('abs(3)', {}, { abs: { ...twice, describe: 'abs(x): not really' } }), 6);
    assert.equal(ev('max(1, 2)', {}, { twice }), 2, 'the other built-ins stay');
  });

  it('explain themselves when they can, else blame a null argument', () => {
    assert.equal(why('twice("x")', {}, { twice }), 'twice() needs a number');
    const plain: ExpressionFunction = { minArgs: 1, maxArgs: 1, describe: 'plain(x)', call: ([x]) => x ?? null };
    assert.equal(why('plain(a)', {}, { plain }), 'input a has no value');
    assert.equal(why('plain(null)', {}, { plain }), '`null` is a literal null');
  });

  it('give null when they throw or return something that is not a finite value', () => {
    const results: unknown[] = [undefined, NaN, Infinity, {}, [], () => 1, Symbol('x'), 10n];
    for (const r of results) {
      const odd: ExpressionFunction = { minArgs: 0, maxArgs: 0, describe: 'odd()', call: () => r as Value };
      assert.equal(ev('odd()', {}, { odd }), null, String(typeof r));
    }
    const boom: ExpressionFunction = {
      minArgs: 0,
      maxArgs: 0,
      describe: 'boom()',
      call: () => {
        throw new Error('out of order');
      },
    };
    assert.equal(why('1 + boom()', {}, { boom }), 'boom() failed: out of order');
    const weird: ExpressionFunction = { minArgs: 0, maxArgs: 0, describe: 'weird()', call: () => NaN };
    assert.equal(why('weird()', {}, { weird }), '`weird()` gave no value');
  });

  it('are called on every evaluation (never folded at compile time)', () => {
    const f = counter(5);
    const e = compileExpression('f() * 2', { functions: { f: f.fn } });
    assert.equal(e.evaluate([]), 10);
    assert.equal(e.evaluate([]), 10);
    assert.equal(f.calls(), 2);
  });

  it('get their arguments in order, for any count within the bounds', () => {
    const seen: Value[][] = [];
    const list: ExpressionFunction = { minArgs: 0, maxArgs: 5, describe: 'list(...)', call: (args) => (seen.push([...args]), args.length) };
    const e = compileExpression('list() + list(a) + list(a, "s", true, null, 2)', { functions: { list } });
    assert.equal(e.evaluate([7]), 6);
    assert.deepEqual(seen, [[], [7], [7, 's', true, null, 2]]);
  });
});

describe('expression point references', () => {
  it('reads bare identifiers with dots as points of the same device', () => {
    const e = compileExpression('pm25.hour.avg * 2 + _x1');
    assert.deepEqual(e.inputs, [
      { point: 'pm25.hour.avg', text: 'pm25.hour.avg' },
      { point: '_x1', text: '_x1' },
    ]);
    assert.equal(e.evaluate([10, 1]), 21);
  });

  it('reads ids with other characters in backticks', () => {
    const e = compileExpression('`flow-in` - `flow:out` + `7day`');
    assert.deepEqual(e.inputs, [
      { point: 'flow-in', text: '`flow-in`' },
      { point: 'flow:out', text: '`flow:out`' },
      { point: '7day', text: '`7day`' },
    ]);
    assert.equal(e.evaluate([5, 3, 1]), 3);
  });

  it('reads another device\'s point as `device/point`', () => {
    const e = compileExpression('`meter-1/power` / power');
    assert.deepEqual(e.inputs, [
      { device: 'meter-1', point: 'power', text: '`meter-1/power`' },
      { point: 'power', text: 'power' },
    ]);
    assert.equal(e.evaluate([10, 4]), 2.5);
    assert.equal(e.explain([null, 4]), 'input `meter-1/power` has no value');
  });

  it('lists each distinct input once, in order of first appearance', () => {
    const e = compileExpression('b + a * b - `a` + `d/a` + max(c, `b`, `d/a`) + a');
    assert.deepEqual(
      e.inputs.map((r) => [r.device, r.point, r.text]),
      [
        [undefined, 'b', 'b'],
        [undefined, 'a', 'a'],
        ['d', 'a', '`d/a`'],
        [undefined, 'c', 'c'],
      ],
    );
    assert.equal(e.evaluate([1, 2, 3, 4]), 1 + 2 * 1 - 2 + 3 + 4 + 2);
    assert.ok(Object.isFrozen(e.inputs));
  });

  it('treats a missing, non-finite or foreign value as no value', () => {
    const e = compileExpression('a + b');
    assert.equal(e.evaluate([1]), null);
    assert.equal(e.explain([1]), 'input b has no value');
    assert.equal(e.evaluate([NaN, 1]), null);
    assert.equal(e.explain([NaN, 1]), 'input a is not a finite number (NaN)');
    assert.equal(e.explain([1, -Infinity]), 'input b is not a finite number (-Infinity)');
    const foreign = [{ valueOf: () => 1 }, [1], () => 1, undefined] as unknown as Value[];
    for (const x of foreign) assert.equal(e.evaluate([x, 1]), null);
    assert.equal(e.explain([{} as unknown as Value, 1]), 'input a has an unusable value (a value of type object)');
    assert.equal(compileExpression('a').evaluate([[1, 2] as unknown as Value]), null);
  });

  it('passes strings and booleans through', () => {
    assert.equal(ev('s', { s: 'ok' }), 'ok');
    assert.equal(ev('a ? s : "off"', { a: true, s: 'on' }), 'on');
  });
});

describe('expression explain', () => {
  it('is undefined when the result is not null', () => {
    const e = compileExpression('a / b');
    assert.equal(e.explain([1, 2]), undefined);
    assert.equal(compileExpression('a == null').explain([null]), undefined);
  });

  it('follows the null down to its cause', () => {
    assert.equal(why('round(a / b, 1) + 1', { a: 1, b: 0 }), 'division by zero in `a / b`');
    assert.equal(why('abs(x) + 1'), 'input x has no value');
    assert.equal(why('max(1, -a)', { a: 'x' }), '`-a` needs a number, got the string "x"');
    assert.equal(why('min(a, "x")', { a: 1 }), 'min() needs numbers, got the string "x"');
    assert.equal(why('c > 0 ? a / (b - b) : 0', { c: 1, a: 1, b: 3 }), 'division by zero in `a / (b - b)`');
  });

  it('shortens a long piece of source', () => {
    const long = `(${Array.from({ length: 30 }, (_, i) => `p${i}`).join(' + ')}) / 0`;
    const reason = why(long, Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`p${i}`, 1])))!;
    assert.match(reason, /^division by zero in `\(p0 \+ p1 .*…`$/);
    assert.ok(reason.length < 100, reason);
  });
});

describe('expression compile errors', () => {
  it('names the expression, the column and what was expected', () => {
    const err = compileError('flow * * 2');
    assert.equal(err.message, 'expression "flow * * 2": unexpected "*" at column 8; expected a number, a point, a function call or "("');
    assert.equal(err.column, 8);
    assert.equal(err.name, 'ExpressionError');
    assert.ok(err instanceof Error);
  });

  it('reports unexpected tokens and the end', () => {
    assert.equal(compileError('').message, 'expression "": unexpected end of expression at column 1; expected a number, a point, a function call or "("');
    assert.equal(compileError('a +').column, 4);
    assert.equal(compileError('a b').message, 'expression "a b": unexpected "b" at column 3; expected an operator or the end of the expression');
    assert.equal(compileError('(a + b').message, 'expression "(a + b": unexpected end of expression at column 7; expected an operator or ")"');
    assert.equal(compileError('max(a b)').message, 'expression "max(a b)": unexpected "b" at column 7; expected an operator, "," or ")"');
    assert.equal(compileError('max(a,)').column, 7);
    assert.equal(compileError('a ? b').message, 'expression "a ? b": unexpected end of expression at column 6; expected an operator or ":"');
    assert.equal(compileError('a )').column, 3);
    assert.equal(compileError('true(1)').column, 5);
    assert.equal(compileError('* 2').column, 1);
  });

  it('hints at a space between a function name and its "("', () => {
    const err = compileError('max (a, b)');
    assert.equal(err.column, 5);
    assert.match(err.message, /to call max\(\), write "\(" right after the name/);
  });

  it('reports characters that are no part of the language', () => {
    assert.equal(compileError('a = 1').message, 'expression "a = 1": "=" is not an operator at column 3; expected "==" to compare');
    assert.match(compileError('a & b').message, /"&" is not an operator at column 3; expected "&&"/);
    assert.match(compileError('a | b').message, /"\|" is not an operator at column 3; expected "\|\|"/);
    assert.equal(compileError('a @ b').message, 'expression "a @ b": unexpected character "@" at column 3');
    assert.equal(compileError('a["x"]').column, 2);
    assert.equal(compileError('a; b').column, 2);
    assert.equal(compileError('µ').column, 1);
  });

  it('reports malformed and too large numbers', () => {
    assert.match(compileError('1e').message, /malformed number "1e" at column 1/);
    assert.match(compileError('2 * 1e+').message, /malformed number "1e\+" at column 5/);
    assert.match(compileError('12abc').message, /malformed number "12abc" at column 1/);
    assert.match(compileError('1.2.3').message, /malformed number "1.2.3" at column 1/);
    assert.match(compileError('x + 1e999').message, /number "1e999" is too large at column 5/);
  });

  it('reports an unterminated string or reference at its start', () => {
    assert.equal(
      compileError('a == "abc').message,
      'expression "a == \\"abc": unterminated string at column 6; expected a closing " before the end of the expression',
    );
    assert.equal(compileError("'abc\\'").column, 1);
    assert.equal(compileError('1 + `flow-in').column, 5);
    assert.match(compileError('1 + `flow-in').message, /unterminated point reference at column 5/);
    assert.match(compileError('"a\\qb"').message, /unknown escape "\\q" in a string at column 3/);
  });

  it('reports malformed backtick references', () => {
    assert.match(compileError('``').message, /empty point reference at column 1/);
    assert.match(compileError('1 + `a/b/c`').message, /point reference `a\/b\/c` has more than one "\/" at column 5/);
    assert.match(compileError('`/p`').message, /lacks a device id/);
    assert.match(compileError('`d/`').message, /lacks a point id/);
  });

  it('reports an unknown function at its name, listing the known ones', () => {
    const err = compileError('1 + foo(2)');
    assert.equal(err.column, 5);
    assert.match(err.message, /unknown function "foo" at column 5; expected one of abs, avg, .*, sum$/);
    assert.match(compileError('foo(1)', { foo_bar: BUILTIN_FUNCTIONS.abs! }).message, /foo_bar/);
  });

  it('reports a wrong argument count at the function name', () => {
    assert.equal(
      compileError('1 + pow(1)').message,
      'expression "1 + pow(1)": pow() called with 1 argument at column 5; expected 2 arguments (pow(x, y): x raised to the power y, like x ** y)',
    );
    assert.match(compileError('max()').message, /max\(\) called with 0 arguments at column 1; expected at least 1 argument \(/);
    assert.match(compileError('round(1, 2, 3)').message, /round\(\) called with 3 arguments at column 1; expected 1 to 2 arguments/);
    assert.match(compileError('abs(1, 2)').message, /abs\(\) called with 2 arguments at column 1; expected 1 argument \(/);
    assert.equal(compileError('clamp(1, 2)').column, 1);
    assert.equal(compileError('isnull()').column, 1);
    assert.equal(compileError('coalesce()').column, 1);
  });

  it(`accepts ${MAX_DEPTH} levels of nesting and refuses one more`, () => {
    const parens = (n: number) => `${'('.repeat(n)}a${')'.repeat(n)}`;
    const calls = (n: number) => `${'abs('.repeat(n)}a${')'.repeat(n)}`;
    const minus = (n: number) => `${'-'.repeat(n)}a`;
    assert.equal(compileExpression(parens(MAX_DEPTH)).evaluate([2]), 2);
    assert.equal(compileExpression(calls(MAX_DEPTH)).evaluate([-2]), 2);
    assert.equal(compileExpression(minus(MAX_DEPTH)).evaluate([2]), 2);
    const err = compileError(parens(MAX_DEPTH + 1));
    assert.equal(err.column, MAX_DEPTH + 1);
    assert.match(err.message, /nested too deeply at column 65; expected at most 64 levels/);
    assert.equal(compileError(calls(MAX_DEPTH + 1)).column, 4 * MAX_DEPTH + 1);
    assert.equal(compileError(minus(MAX_DEPTH + 1)).column, MAX_DEPTH + 1);
    assert.equal(compileError(`${'2 ** '.repeat(MAX_DEPTH + 1)}2`).column, 5 * MAX_DEPTH + 3);
    assert.ok(compileError('a ? '.repeat(MAX_DEPTH + 1) + 'b' + ' : c'.repeat(MAX_DEPTH + 1)));
  });

  it('does not count a long flat chain as nesting', () => {
    const chain = Array.from({ length: 1000 }, (_, i) => `${i % 10}`).join('+');
    assert.ok(chain.length <= MAX_SOURCE_LENGTH);
    assert.equal(compileExpression(chain).evaluate([]), 4500);
    const e = compileExpression(`${Array.from({ length: 1000 }, () => 'a').join(' - ')}`);
    assert.equal(e.inputs.length, 1);
    assert.equal(e.explain([null]), 'input a has no value');
  });

  it(`accepts ${MAX_SOURCE_LENGTH} characters and refuses more`, () => {
    const fits = `1${' '.repeat(MAX_SOURCE_LENGTH - 1)}`;
    assert.equal(compileExpression(fits).evaluate([]), 1);
    const err = compileError(`${fits} `);
    assert.equal(err.column, MAX_SOURCE_LENGTH + 1);
    assert.match(err.message, /too long \(4097 characters\) at column 4097; expected at most 4096 characters/);
    assert.ok(err.message.length < 300, 'a long source is quoted in part');
  });

  it('quotes a long expression around the column', () => {
    const source = `${'a + '.repeat(100)}* 2`;
    const err = compileError(source);
    assert.equal(err.column, 401);
    assert.match(err.message, /^expression "…[a +]+\* 2": unexpected "\*" at column 401/);
  });
});

describe('expression safety', () => {
  const names = ['constructor', '__proto__', 'prototype', 'process', 'globalThis', 'this', 'toString', 'valueOf', 'hasOwnProperty', 'require', 'eval', 'Function'];

  it('reads JS names as ordinary points whose values come from the values array', () => {
    for (const name of names) {
      const e = compileExpression(`${name} + 1`);
      assert.deepEqual(e.inputs, [{ point: name, text: name }], name);
      assert.equal(e.evaluate([41]), 42, name);
      assert.equal(e.evaluate([]), null, name);
      assert.equal(e.explain([]), `input ${name} has no value`, name);
    }
    assert.equal(compileExpression('__proto__').evaluate(['x']), 'x');
  });

  it('keeps dotted paths as one point name, never a property access', () => {
    for (const source of ['a.constructor', 'process.env', 'globalThis.process', '__proto__.polluted', 'this.constructor.constructor']) {
      const e = compileExpression(source);
      assert.deepEqual(e.inputs, [{ point: source, text: source }]);
      assert.equal(e.evaluate([]), null);
      assert.equal(e.evaluate([3]), 3);
    }
    assert.deepEqual(compileExpression('`__proto__/constructor`').inputs, [{ device: '__proto__', point: 'constructor', text: '`__proto__/constructor`' }]);
  });

  it('knows no function by a JS name', () => {
    for (const name of [...names, 'process.exit', 'a.constructor', 'Math.max', 'setTimeout', 'import']) {
      const err = compileError(`${name}(1)`);
      assert.match(err.message, new RegExp(`unknown function "${name.replace(/\./g, '\\.')}"`), name);
    }
  });

  it('ignores inherited properties of the functions option', () => {
    const functions = Object.create({ evil: BUILTIN_FUNCTIONS.abs }) as Functions;
    assert.match(compileError('evil(1)', functions).message, /unknown function "evil"/);
  });

  it('has no syntax for indexing, members, assignment, statements or templates', () => {
    for (const source of ['a[0]', 'a.b()', '(a).b', 'a = 1', 'a; b', '`${a}`', '{}', '[1]', 'a => a', 'new a', 'x ?? y']) {
      let message = '';
      try {
        const e = compileExpression(source);
        // What compiles must still be a plain expression over points.
        assert.ok(e.inputs.every((r) => typeof r.point === 'string'), source);
        continue;
      } catch (err) {
        assert.ok(err instanceof ExpressionError, source);
        message = err.message;
      }
      assert.ok(message.startsWith(`expression ${JSON.stringify(source)}`), message);
    }
  });

  it('never returns a JS object, and never touches Object.prototype', () => {
    const e = compileExpression('coalesce(__proto__, constructor, a)');
    assert.equal(e.evaluate([{ x: 1 } as unknown as Value, Object as unknown as Value, 'ok']), 'ok');
    assert.equal((({}) as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf({}), Object.prototype);
  });
});

describe('expression evaluation', () => {
  it('compiles once and evaluates with new values each time', () => {
    const e = compileExpression('a > b ? a - b : b - a');
    assert.equal(e.source, 'a > b ? a - b : b - a');
    assert.equal(e.evaluate([5, 3]), 2);
    assert.equal(e.evaluate([3, 5]), 2);
    assert.equal(e.evaluate([3, null]), null);
    assert.equal(e.evaluate([10, 1]), 9);
  });

  it('folds constants without changing any result', () => {
    assert.equal(ev('x * (9.81 * 1000)', { x: 2 }), 2 * 9.81 * 1000);
    assert.equal(ev('round(2.5) + sqrt(16)'), 7);
    assert.equal(why('1 / 0 + x', { x: 1 }), 'division by zero in `1 / 0`');
    assert.equal(ev('"a" == "a" ? 1 : 2'), 1);
  });
});

// --- property check: random arithmetic against a reference evaluator written here ---

type Tree =
  | { kind: 'num'; value: number }
  | { kind: 'var'; index: number }
  | { kind: 'neg'; operand: Tree }
  | { kind: 'bin'; op: '+' | '-' | '*' | '/' | '%' | '**'; left: Tree; right: Tree };


const VARS = ['x', 'y', 'z.avg', '`w-1`'];
const LITERALS = [0, 1, 2, 3, 0.5, 10, 1.5, 100, 1e-7, 0.25];
const VALUES = [0, 1, -1, 2, 0.5, -3.25, 7, 1e10, 1e-7, 1e300, 3];
const BIN_OPS = ['+', '-', '*', '/', '%', '**'] as const;

function generate(rnd: () => number, depth: number): Tree {
  if (depth === 0 || rnd() < 0.25) {
    return rnd() < 0.5
      ? { kind: 'num', value: LITERALS[Math.floor(rnd() * LITERALS.length)]! }
      : { kind: 'var', index: Math.floor(rnd() * VARS.length) };
  }
  if (rnd() < 0.15) return { kind: 'neg', operand: generate(rnd, depth - 1) };
  // `**` is rarer: stacked powers overflow to null too often to say much.
  const op = rnd() < 0.08 ? '**' : BIN_OPS[Math.floor(rnd() * 5)]!;
  return { kind: 'bin', op, left: generate(rnd, depth - 1), right: generate(rnd, depth - 1) };
}

const PREC = { atom: 9, '**': 7, neg: 6, '*': 5, '/': 5, '%': 5, '+': 4, '-': 4 } as const;

/** The tree as text with only the parentheses precedence needs (plus a few extra at random). */
function render(t: Tree, rnd: () => number): { text: string; prec: number } {
  const wrap = (r: { text: string; prec: number }, needed: boolean) => (needed || rnd() < 0.05 ? `(${r.text})` : r.text);
  switch (t.kind) {
    case 'num':
      return { text: String(t.value), prec: PREC.atom };
    case 'var':
      return { text: VARS[t.index]!, prec: PREC.atom };
    case 'neg': {
      const o = render(t.operand, rnd);
      return { text: `-${wrap(o, o.prec < PREC.neg)}`, prec: PREC.neg };
    }
    case 'bin': {
      const p = PREC[t.op];
      const l = render(t.left, rnd);
      const r = render(t.right, rnd);
      if (t.op === '**') {
        // Right-associative, and a unary minus on the left would apply to the whole power.
        return { text: `${wrap(l, l.prec <= p)} ** ${wrap(r, r.prec < PREC.neg)}`, prec: p };
      }
      return { text: `${wrap(l, l.prec < p)} ${t.op} ${wrap(r, r.prec <= p)}`, prec: p };
    }
  }
}

/** The straightforward meaning: JS arithmetic, with null for null operands, zero divisors and non-finite results. */
function reference(t: Tree, vars: readonly number[]): number | null {
  const fin = (n: number) => (Number.isFinite(n) ? n : null);
  switch (t.kind) {
    case 'num':
      return t.value;
    case 'var':
      return vars[t.index]!;
    case 'neg': {
      const o = reference(t.operand, vars);
      return o === null ? null : -o;
    }
    case 'bin': {
      const a = reference(t.left, vars);
      const b = reference(t.right, vars);
      if (a === null || b === null) return null;
      switch (t.op) {
        case '+':
          return fin(a + b);
        case '-':
          return fin(a - b);
        case '*':
          return fin(a * b);
        case '/':
          return b === 0 ? null : fin(a / b);
        case '%':
          return b === 0 ? null : fin(a % b);
        case '**':
          return fin(a ** b);
      }
    }
  }
}

describe('expression property: random arithmetic', () => {
  it('agrees with the reference evaluator on 3000 random expressions', () => {
    const rnd = seededRandom(20240611);
    let nulls = 0;
    for (let n = 0; n < 3000; n++) {
      const tree = generate(rnd, 1 + Math.floor(rnd() * 5));
      const text = render(tree, rnd).text;
      const vars = VARS.map(() => VALUES[Math.floor(rnd() * VALUES.length)]!);
      const e = compileExpression(text);
      const values = e.inputs.map((ref) => vars[VARS.indexOf(ref.text)]!);
      const expected = reference(tree, vars);
      const got = e.evaluate(values);
      assert.equal(got, expected, `${text} with ${VARS.map((v, i) => `${v}=${vars[i]}`).join(', ')}`);
      if (got === null) {
        nulls++;
        assert.equal(typeof e.explain(values), 'string', text);
      } else {
        assert.equal(e.explain(values), undefined, text);
      }
    }
    // Both outcomes are exercised.
    assert.ok(nulls > 100 && nulls < 2500, `${nulls} nulls`);
  });
});

describe('expressions of one shape', () => {
  it('share one evaluator, and each explains in its own words', () => {
    const a = compileExpression('pump1.flow / pump1.power * 0.25');
    const b = compileExpression('`pump-2/flow` / `pump-2/power` * 0.25');
    const c = compileExpression('pump1.flow / pump1.power * 0.5');
    const d = compileExpression('pump1.power / pump1.flow * 0.25');
    assert.equal(a.evaluate, b.evaluate, 'same shape, one evaluator');
    assert.notEqual(a.evaluate, c.evaluate, 'another constant is another shape');
    assert.equal(b.evaluate([8, 2]), 1);
    assert.equal(d.evaluate([8, 2]), 1, 'inputs are numbered by first appearance');
    assert.match(b.explain([8, 0])!, /division by zero in `` `pump-2\/flow` \/ `pump-2\/power` ``|division by zero in .*pump-2\/flow/);
    assert.match(a.explain([8, 0])!, /division by zero in .*pump1\.flow \/ pump1\.power/);
  });
});
