/**
 * The syntax tree the parser builds and the compiler turns into closures. Every node keeps its
 * span in the source, so that `explain` can quote the part that gave no value (`a / b`).
 */
import type { Value } from '@sensegate/sdk';

/** A point an expression reads. */
export interface InputRef {
  /** Device id when the reference names another device (`\`meter-1/power\``), else undefined (same device). */
  device?: string;
  point: string;
  /** The reference as written (with its backticks, if any), for messages. */
  text: string;
}

/** Operators of two operands. `&&` and `||` are among them although they short-circuit. */
export type BinaryOperator = '+' | '-' | '*' | '/' | '%' | '**' | '<' | '<=' | '>' | '>=' | '==' | '!=' | '&&' | '||';

/** Operators of one operand, written before it. */
export type UnaryOperator = '-' | '+' | '!';

/** Where a node is written: `start` is the 0-based offset of its first character, `end` just past its last. */
export interface Span {
  start: number;
  end: number;
}

/** A node of the syntax tree. */
export type Node =
  | (Span & { kind: 'literal'; value: Value })
  | (Span & { kind: 'point'; ref: InputRef })
  | (Span & { kind: 'unary'; op: UnaryOperator; operand: Node })
  | (Span & { kind: 'binary'; op: BinaryOperator; left: Node; right: Node })
  | (Span & { kind: 'conditional'; test: Node; then: Node; otherwise: Node })
  | (Span & { kind: 'call'; name: string; args: Node[] });
