/**
 * Why an expression gave null. It walks the compiled tree from the root, re-evaluating children
 * with their own closures (the very semantics of `evaluate`), and follows the operand that made a
 * node null down to the cause: an input without a value, a string in arithmetic, a division by
 * zero. Slow by design: it runs only when a result is null. Replaying calls a caller's functions
 * again, which is harmless for the pure functions expressions are meant to use.
 */
import type { Value } from '@sensegate/sdk';
import type { CompiledNode } from './compile.js';
import { describeValue, toNumber, truthy } from './values.js';

/** Longest piece of source quoted in a reason. */
const SNIPPET_MAX = 60;

/** The reason `root` gives null for these values, or undefined when it does not. */
export function explainNull(root: CompiledNode, values: ReadonlyArray<Value>, source: string): string | undefined {
  if (root.evaluate(values) !== null) return undefined;
  return reason(root, values, source);
}

/** The piece of source a node was compiled from, in backquotes. */
function quote(c: CompiledNode, source: string): string {
  const text = source.slice(c.node.start, c.node.end);
  return `\`${text.length > SNIPPET_MAX ? `${text.slice(0, SNIPPET_MAX)}…` : text}\``;
}

/** The reason a node that evaluates to null does so. */
function reason(c: CompiledNode, values: ReadonlyArray<Value>, source: string): string {
  const node = c.node;
  const kids = c.children;
  // The first child that is null, explained: most nulls are passed up from an operand.
  const nullChild = (among: readonly CompiledNode[] = kids): string | undefined => {
    const k = among.find((k) => k.evaluate(values) === null);
    return k === undefined ? undefined : reason(k, values, source);
  };
  switch (node.kind) {
    case 'literal':
      return `${quote(c, source)} is a literal null`;
    case 'point': {
      const raw: unknown = values[c.input!];
      if (raw === undefined || raw === null) return `input ${node.ref.text} has no value`;
      if (typeof raw === 'number') return `input ${node.ref.text} is not a finite number (${raw})`;
      return `input ${node.ref.text} has an unusable value (${describeValue(raw)})`;
    }
    case 'unary':
      return nullChild() ?? `${quote(c, source)} needs a number, got ${describeValue(kids[0]!.evaluate(values))}`;
    case 'conditional': {
      // A null condition is the reason; otherwise the branch taken is null.
      const test = kids[0]!.evaluate(values);
      if (test === null) return reason(kids[0]!, values, source);
      return reason(truthy(test) ? kids[1]! : kids[2]!, values, source);
    }
    case 'binary': {
      const fromOperand = nullChild();
      if (fromOperand !== undefined) return fromOperand;
      const a = kids[0]!.evaluate(values);
      const b = kids[1]!.evaluate(values);
      switch (node.op) {
        case '<':
        case '<=':
        case '>':
        case '>=':
          return `${quote(c, source)} cannot compare ${describeValue(a)} with ${describeValue(b)}`;
        case '&&':
        case '||':
          return fallback(c, source);
        default: {
          const text = typeof a === 'string' ? a : typeof b === 'string' ? b : undefined;
          if (text !== undefined) return `${quote(c, source)} needs numbers, got ${describeValue(text)}`;
          if ((node.op === '/' || node.op === '%') && toNumber(b) === 0) return `${node.op === '/' ? 'division' : 'modulo'} by zero in ${quote(c, source)}`;
          return `${quote(c, source)} is not a finite number`;
        }
      }
    }
    case 'call': {
      const fn = c.fn!;
      const name = node.name;
      const args = kids.map((k) => k.evaluate(values));
      // Called again only to see whether it throws: `evaluate` turns a throw into a bare null.
      try {
        fn.call(args.slice());
      } catch (err) {
        return `${name}() failed: ${err instanceof Error ? err.message : String(err)}`;
      }
      let own: unknown;
      try {
        own = fn.explain?.(args);
      } catch {
        own = undefined;
      }
      return (typeof own === 'string' ? own : undefined) ?? nullChild() ?? fallback(c, source);
    }
  }
}

/** The last resort, when no operand and no rule explains the null. */
function fallback(c: CompiledNode, source: string): string {
  return `${quote(c, source)} gave no value`;
}
