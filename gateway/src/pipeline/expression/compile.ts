/**
 * Turns a syntax tree into a tree of closures, once; evaluation is then a few calls per node with
 * no allocation (a call site fills its own preallocated argument array). Functions are resolved
 * here against a Map, never against an object, so `constructor(1)` is an unknown function rather
 * than a door to a prototype. Points become indexes into the values array, so `__proto__` is just
 * the name of an input.
 *
 * The compiled tree keeps each node with its closure so that `explain` (explain.ts) can replay the
 * evaluation node by node with the very same semantics.
 */
import type { Value } from '@sensegate/sdk';
import type { BinaryOperator, InputRef, Node } from './ast.js';
import { ExpressionError } from './errors.js';
import type { ExpressionFunction } from './functions.js';
import { clean, equals, finite, toNumber, truthy } from './values.js';

/** Evaluates a node against the values of the inputs. */
export type Evaluator = (values: ReadonlyArray<Value>) => Value;

/** A node with its closure and compiled children. */
export interface CompiledNode {
  readonly node: Node;
  readonly evaluate: Evaluator;
  readonly children: readonly CompiledNode[];
  /** For a point: its index in the values array. */
  readonly input?: number;
  /** For a call: the function it calls. */
  readonly fn?: ExpressionFunction;
  /** Whether the value is known at compile time (no inputs, only built-in functions). */
  readonly constant: boolean;
}

/** What compiling gives: the root, and the distinct inputs in order of first appearance. */
export interface CompiledTree {
  root: CompiledNode;
  inputs: InputRef[];
}

/**
 * Compiles a tree. `functions` is the table calls resolve against; `pure` holds the functions that
 * may be run at compile time on constant arguments (the built-ins).
 */
export function compileTree(
  root: Node,
  source: string,
  functions: ReadonlyMap<string, ExpressionFunction>,
  pure: ReadonlySet<ExpressionFunction>,
): CompiledTree {
  const inputs: InputRef[] = [];
  const indexes = new Map<string, number>();

  const inputIndex = (ref: InputRef): number => {
    // Point ids and device ids never contain "/", so this key is unambiguous.
    const key = ref.device === undefined ? ref.point : `${ref.device}/${ref.point}`;
    let index = indexes.get(key);
    if (index === undefined) {
      index = inputs.length;
      indexes.set(key, index);
      inputs.push(Object.freeze({ ...ref }));
    }
    return index;
  };

  const resolve = (node: Node & { kind: 'call' }): ExpressionFunction => {
    const fn = functions.get(node.name);
    if (fn === undefined) {
      const known = [...functions.keys()].sort().join(', ');
      throw new ExpressionError(source, node.start + 1, `unknown function "${node.name}"`, `one of ${known}`);
    }
    const n = node.args.length;
    if (n < fn.minArgs || n > fn.maxArgs) {
      const range =
        fn.maxArgs === Infinity ? `at least ${fn.minArgs}` : fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs}`;
      throw new ExpressionError(
        source,
        node.start + 1,
        `${node.name}() called with ${n} argument${n === 1 ? '' : 's'}`,
        `${range} argument${fn.maxArgs === 1 || (fn.maxArgs === Infinity && fn.minArgs === 1) ? '' : 's'} (${fn.describe})`,
      );
    }
    return fn;
  };

  const compile = (node: Node): CompiledNode => {
    switch (node.kind) {
      case 'literal': {
        const value = node.value;
        return { node, evaluate: () => value, children: [], constant: true };
      }
      case 'point': {
        const i = inputIndex(node.ref);
        return { node, evaluate: (v) => clean(v[i]), children: [], input: i, constant: false };
      }
      case 'unary': {
        const operand = compile(node.operand);
        return fold({ node, evaluate: unary(node.op, operand.evaluate), children: [operand], constant: operand.constant });
      }
      case 'binary': {
        const left = compile(node.left);
        const right = compile(node.right);
        return fold({ node, evaluate: binary(node.op, left.evaluate, right.evaluate), children: [left, right], constant: left.constant && right.constant });
      }
      case 'conditional': {
        const kids = [compile(node.test), compile(node.then), compile(node.otherwise)];
        const [t, a, b] = kids.map((k) => k.evaluate) as [Evaluator, Evaluator, Evaluator];
        const evaluate: Evaluator = (v) => {
          const c = t(v);
          return c === null ? null : truthy(c) ? a(v) : b(v);
        };
        return fold({ node, evaluate, children: kids, constant: kids.every((k) => k.constant) });
      }
      case 'call': {
        const fn = resolve(node);
        const args = node.args.map(compile);
        return fold({ node, evaluate: call(fn, args.map((a) => a.evaluate)), children: args, fn, constant: pure.has(fn) && args.every((a) => a.constant) });
      }
    }
  };

  return { root: compile(root), inputs };
}

/**
 * A constant node evaluated once. Only a value replaces the closure: a constant that gives null
 * (`1 / 0`) keeps its closure, and `explain` its reason.
 */
function fold(c: CompiledNode): CompiledNode {
  if (!c.constant || c.node.kind === 'literal') return c;
  const value = c.evaluate([]);
  return value === null ? c : { ...c, evaluate: () => value };
}

function unary(op: '-' | '+' | '!', f: Evaluator): Evaluator {
  switch (op) {
    case '-':
      return (v) => {
        const x = toNumber(f(v));
        return x !== x ? null : -x;
      };
    case '+':
      return (v) => {
        const x = toNumber(f(v));
        return x !== x ? null : x;
      };
    case '!':
      return (v) => {
        const x = f(v);
        return x === null ? null : !truthy(x);
      };
  }
}

/**
 * Ordering: two strings by text, numbers and booleans by number; null or a string against a number
 * gives null.
 */
function ordering(l: Evaluator, r: Evaluator, test: (c: number) => boolean): Evaluator {
  return (v) => {
    const a = l(v);
    if (a === null) return null;
    const b = r(v);
    if (b === null) return null;
    if (typeof a === 'string' || typeof b === 'string') {
      if (typeof a !== 'string' || typeof b !== 'string') return null;
      return test(a < b ? -1 : a > b ? 1 : 0);
    }
    return test(toNumber(a) - toNumber(b));
  };
}

function binary(op: BinaryOperator, l: Evaluator, r: Evaluator): Evaluator {
  switch (op) {
    // Each operator gets its own closure (not one closure calling an operator function) so that
    // V8 sees one operation per call site. NaN from toNumber means "not a number": null.
    case '+':
      return (v) => {
        const a = toNumber(l(v));
        if (a !== a) return null;
        const b = toNumber(r(v));
        return b !== b ? null : finite(a + b);
      };
    case '-':
      return (v) => {
        const a = toNumber(l(v));
        if (a !== a) return null;
        const b = toNumber(r(v));
        return b !== b ? null : finite(a - b);
      };
    case '*':
      return (v) => {
        const a = toNumber(l(v));
        if (a !== a) return null;
        const b = toNumber(r(v));
        return b !== b ? null : finite(a * b);
      };
    case '/':
      return (v) => {
        const a = toNumber(l(v));
        if (a !== a) return null;
        const b = toNumber(r(v));
        return b !== b || b === 0 ? null : finite(a / b);
      };
    case '%':
      return (v) => {
        const a = toNumber(l(v));
        if (a !== a) return null;
        const b = toNumber(r(v));
        return b !== b || b === 0 ? null : finite(a % b);
      };
    case '**':
      return (v) => {
        const a = toNumber(l(v));
        if (a !== a) return null;
        const b = toNumber(r(v));
        return b !== b ? null : finite(a ** b);
      };
    case '<':
      return ordering(l, r, (c) => c < 0);
    case '<=':
      return ordering(l, r, (c) => c <= 0);
    case '>':
      return ordering(l, r, (c) => c > 0);
    case '>=':
      return ordering(l, r, (c) => c >= 0);
    case '==':
      return (v) => equals(l(v), r(v));
    case '!=':
      return (v) => !equals(l(v), r(v));
    // Three-valued (Kleene) logic: an unknown operand gives null unless the other one decides.
    case '&&':
      return (v) => {
        const a = l(v);
        if (a !== null && !truthy(a)) return false;
        const b = r(v);
        if (b !== null && !truthy(b)) return false;
        return a === null || b === null ? null : true;
      };
    case '||':
      return (v) => {
        const a = l(v);
        if (a !== null && truthy(a)) return true;
        const b = r(v);
        if (b !== null && truthy(b)) return true;
        return a === null || b === null ? null : false;
      };
  }
}

/** A call site: its own argument array, filled on each evaluation; whatever the function does, a Value or null comes out. */
function call(fn: ExpressionFunction, argEvaluators: readonly Evaluator[]): Evaluator {
  const n = argEvaluators.length;
  const args = new Array<Value>(n).fill(null);
  return (v) => {
    for (let i = 0; i < n; i++) args[i] = argEvaluators[i]!(v);
    try {
      return clean(fn.call(args));
    } catch {
      return null;
    }
  };
}
