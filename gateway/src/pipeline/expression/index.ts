/**
 * Expressions of derived points: `flow * head * 9.81 / (power * 1000) * 100`, `max(pm25, pm10 / 2)`.
 * The text is compiled once into a tree of closures and evaluated on every input update. It is a
 * closed language: no eval, no Function, no property access; names are either functions from a
 * fixed table or points whose values the caller passes in by position.
 *
 * Semantics in short: arithmetic on numbers (booleans as 1/0); null, a string, a division by zero
 * or a non-finite result gives null; `==` never gives null (`null == null`); `&&`, `||`, `!` use
 * three-valued logic (null when unknown); `? :` evaluates only the branch taken. `-2 ** 2` is -4.
 */
import type { Value } from '@sensegate/sdk';
import type { InputRef } from './ast.js';
import { compileTree } from './compile.js';
import { ExpressionError } from './errors.js';
import { explainNull } from './explain.js';
import { BUILTIN_FUNCTIONS, type ExpressionFunction } from './functions.js';
import { tokenize } from './lexer.js';
import { MAX_SOURCE_LENGTH, parse } from './parser.js';
import { shapeKey } from './shape.js';

export type { InputRef } from './ast.js';
export { ExpressionError } from './errors.js';
export { BUILTIN_FUNCTIONS, type ExpressionFunction } from './functions.js';
export { MAX_DEPTH, MAX_SOURCE_LENGTH } from './parser.js';

/** An expression ready to evaluate. */
export interface CompiledExpression {
  /** The expression as written. */
  readonly source: string;
  /** Distinct point references, in order of first appearance. */
  readonly inputs: readonly InputRef[];
  /** Evaluates with the current value of each input (same order as `inputs`). Never throws: a problem gives null. */
  evaluate(values: ReadonlyArray<Value>): Value;
  /**
   * Why `evaluate` gives null for these values (e.g. "division by zero in `a / b`", "input pm25
   * has no value"); undefined when the result is not null. Slow: call it only for a null result.
   */
  explain(values: ReadonlyArray<Value>): string | undefined;
}

/** Options of `compileExpression`. */
export interface CompileOptions {
  /** Functions callable besides the built-ins; one with a built-in's name replaces it. */
  functions?: Record<string, ExpressionFunction>;
}

const PURE: ReadonlySet<ExpressionFunction> = new Set(Object.values(BUILTIN_FUNCTIONS));

type Evaluator = CompiledExpression['evaluate'];
/** Evaluators by shape, per function table: expressions of one shape share one (see shape.ts). */
const byShape = new WeakMap<object, Map<string, Evaluator>>();
const NO_FUNCTIONS = {};

/** Compiles an expression; throws ExpressionError (with a column) when it is not valid. */
export function compileExpression(source: string, options: CompileOptions = {}): CompiledExpression {
  if (typeof source !== 'string') throw new TypeError(`an expression must be a string, got ${typeof source}`);
  if (source.length > MAX_SOURCE_LENGTH) {
    throw new ExpressionError(source, MAX_SOURCE_LENGTH + 1, `too long (${source.length} characters)`, `at most ${MAX_SOURCE_LENGTH} characters`);
  }
  const tree = parse(source, tokenize(source));
  // A Map, filled from own properties only: a name can never reach Object.prototype.
  const functions = new Map<string, ExpressionFunction>();
  for (const table of [BUILTIN_FUNCTIONS, options.functions ?? {}]) {
    for (const [name, fn] of Object.entries(table)) if (fn !== undefined) functions.set(name, fn);
  }
  const compiled = compileTree(tree, source, functions, PURE);
  const inputs = compiled.inputs;
  const table = options.functions ?? NO_FUNCTIONS;
  let shapes = byShape.get(table);
  if (!shapes) byShape.set(table, (shapes = new Map()));
  const shape = shapeKey(tree, inputs);
  const first = !shapes.has(shape);
  if (first) shapes.set(shape, compiled.root.evaluate);
  const evaluate = shapes.get(shape)!;
  // The first expression of a shape keeps its tree (the shared evaluator lives in it); the others
  // rebuild theirs only if `explain` is ever called, since it quotes their own text.
  let root = first ? compiled.root : undefined;
  return Object.freeze({
    source,
    inputs: Object.freeze(inputs),
    evaluate,
    explain: (values: ReadonlyArray<Value>) => {
      root ??= compileTree(parse(source, tokenize(source)), source, functions, PURE).root;
      return explainNull(root, values, source);
    },
  });
}
