/**
 * The shape of an expression: its tree with every point replaced by its position among the inputs.
 * Two expressions of one shape (`p1 * 0.25 + 1.5` and `p2 * 0.25 + 1.5`, written once per pump from
 * one template) evaluate identically given their values in order, so they share one compiled
 * evaluator: a site with thousands of such points keeps one closure tree hot instead of thousands.
 */
import type { InputRef, Node } from './ast.js';

const refKey = (ref: InputRef) => (ref.device === undefined ? ref.point : `${ref.device}/${ref.point}`);

/** A string that is equal for two trees exactly when they compute the same function of their inputs' values. */
export function shapeKey(node: Node, inputs: readonly InputRef[]): string {
  const index = new Map(inputs.map((ref, i) => [refKey(ref), i]));
  const key = (n: Node): string => {
    switch (n.kind) {
      case 'literal':
        return `L${typeof n.value}:${JSON.stringify(n.value)}`;
      case 'point':
        return `P${index.get(refKey(n.ref))}`;
      case 'unary':
        return `U${n.op}(${key(n.operand)})`;
      case 'binary':
        return `B${n.op}(${key(n.left)},${key(n.right)})`;
      case 'conditional':
        return `C(${key(n.test)},${key(n.then)},${key(n.otherwise)})`;
      case 'call':
        return `F${n.name}(${n.args.map(key).join(',')})`;
    }
  };
  return key(node);
}
