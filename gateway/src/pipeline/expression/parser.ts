/**
 * Recursive descent from tokens to a syntax tree. Precedence, low to high:
 *
 *   `? :` (right-associative) < `||` < `&&` < `== !=` < `< <= > >=` < `+ -` < `* / %`
 *   < unary `- + !` < `**` (right-associative) < calls and parentheses
 *
 * `**` binds tighter than a unary operator on its left, as in mathematics: `-2 ** 2` is
 * `-(2 ** 2)` = -4 (JavaScript rejects it; Python agrees). On its right a unary operator is allowed:
 * `2 ** -1` = 0.5.
 *
 * Depth counts the levels of parentheses, function calls, unary operators, `**` exponents and
 * `? :` branches; chains of left-associative operators (`a + b + c ...`) do not nest and are
 * bounded by the length limit alone.
 */
import type { BinaryOperator, Node } from './ast.js';
import { ExpressionError } from './errors.js';
import type { Operator, Token } from './lexer.js';

/** Longest source accepted, in characters. */
export const MAX_SOURCE_LENGTH = 4096;
/** Deepest nesting accepted (see the module comment for what counts). */
export const MAX_DEPTH = 64;

const OPERAND = 'a number, a point, a function call or "("';

/** Binary levels from low to high precedence, all left-associative; `**` is handled apart. */
const LEVELS: ReadonlyArray<ReadonlyArray<Operator & BinaryOperator>> = [
  ['||'],
  ['&&'],
  ['==', '!='],
  ['<', '<=', '>', '>='],
  ['+', '-'],
  ['*', '/', '%'],
];

/** Parses a whole expression; throws ExpressionError at the first token that does not fit. */
export function parse(source: string, tokens: readonly Token[]): Node {
  return new Parser(source, tokens).parseAll();
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
  ) {}

  parseAll(): Node {
    const node = this.conditional();
    this.expect(undefined, 'an operator or the end of the expression');
    return node;
  }

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private isOp(op: Operator): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.op === op;
  }

  /** Consumes `op` (or checks for the end when undefined), else reports what came instead. */
  private expect(op: Operator | undefined, expected: string): Token {
    const t = this.peek();
    if (op === undefined ? t.kind !== 'end' : !this.isOp(op)) this.unexpected(t, expected);
    this.pos++;
    return t;
  }

  private unexpected(t: Token, expected: string): never {
    const what = t.kind === 'end' ? 'unexpected end of expression' : `unexpected ${JSON.stringify(this.source.slice(t.start, t.end))}`;
    // `max (a)`: a function name must touch its "(", else it reads as a point.
    const prev = this.tokens[this.pos - 1];
    const hint = t.kind === 'op' && t.op === '(' && prev?.kind === 'point' && !prev.ref.text.startsWith('`')
      ? ` (to call ${prev.ref.text}(), write "(" right after the name)`
      : '';
    throw new ExpressionError(this.source, t.start + 1, what, expected + hint);
  }

  /** Runs `parse` one level deeper, refusing to go past MAX_DEPTH. */
  private nested<T>(at: Token, parse: () => T): T {
    if (++this.depth > MAX_DEPTH) {
      throw new ExpressionError(this.source, at.start + 1, 'nested too deeply', `at most ${MAX_DEPTH} levels of parentheses, function calls and operators`);
    }
    const node = parse();
    this.depth--;
    return node;
  }

  private conditional(): Node {
    const test = this.binary(0);
    const q = this.peek();
    if (!this.isOp('?')) return test;
    this.pos++;
    const then = this.nested(q, () => this.conditional());
    const colon = this.expect(':', 'an operator or ":"');
    const otherwise = this.nested(colon, () => this.conditional());
    return { kind: 'conditional', test, then, otherwise, start: test.start, end: otherwise.end };
  }

  private binary(level: number): Node {
    if (level === LEVELS.length) return this.unary();
    const ops = LEVELS[level]!;
    let left = this.binary(level + 1);
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || !ops.includes(t.op as BinaryOperator)) return left;
      this.pos++;
      const right = this.binary(level + 1);
      left = { kind: 'binary', op: t.op as BinaryOperator, left, right, start: left.start, end: right.end };
    }
  }

  private unary(): Node {
    const t = this.peek();
    if (t.kind === 'op' && (t.op === '-' || t.op === '+' || t.op === '!')) {
      this.pos++;
      const operand = this.nested(t, () => this.unary());
      return { kind: 'unary', op: t.op, operand, start: t.start, end: operand.end };
    }
    return this.power();
  }

  private power(): Node {
    const base = this.primary();
    const t = this.peek();
    if (!this.isOp('**')) return base;
    this.pos++;
    // The exponent is a unary expression, which makes `**` right-associative: 2 ** 3 ** 2 = 2 ** 9.
    const exponent = this.nested(t, () => this.unary());
    return { kind: 'binary', op: '**', left: base, right: exponent, start: base.start, end: exponent.end };
  }

  private primary(): Node {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
      case 'string':
      case 'keyword':
        this.pos++;
        return { kind: 'literal', value: t.value, start: t.start, end: t.end };
      case 'point':
        this.pos++;
        return { kind: 'point', ref: t.ref, start: t.start, end: t.end };
      case 'function':
        return this.call(t);
      case 'op':
        if (t.op === '(') {
          this.pos++;
          const inner = this.nested(t, () => this.conditional());
          const close = this.expect(')', 'an operator or ")"');
          // The span takes in the parentheses, so `(a + b) / c` is quoted whole.
          return { ...inner, start: t.start, end: close.end };
        }
    }
    return this.unexpected(t, OPERAND);
  }

  private call(name: Token & { kind: 'function' }): Node {
    this.pos += 2; // the name and its "("
    const args: Node[] = [];
    const close = this.nested(name, () => {
      if (this.isOp(')')) return this.expect(')', '")"');
      for (;;) {
        args.push(this.conditional());
        if (this.isOp(',')) {
          this.pos++;
          continue;
        }
        return this.expect(')', 'an operator, "," or ")"');
      }
    });
    return { kind: 'call', name: name.name, args, start: name.start, end: close.end };
  }
}
