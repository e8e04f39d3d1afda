import { GraphBuilder } from './graph.builder';
import { GraphNode, Value } from './graph.types';

/**
 * A reverse-mode rule for one ONNX op: given the node and the gradients of the loss with respect
 * to its outputs (`undefined` where an output does not reach the loss), emit nodes computing the
 * vector–Jacobian products for each input, `undefined` for inputs that are not differentiable.
 */
export interface GradientRule {
  readonly op: string;
  grad(b: GraphBuilder, node: GraphNode, outputGrads: ReadonlyArray<Value | undefined>): Array<Value | undefined>;
}

/**
 * Sums `grad` (shape = broadcast result) down to `shape`, undoing numpy broadcasting:
 * leading extra axes and axes where `shape` has 1 are reduced, then reshaped to `shape`.
 */
export function unbroadcast(b: GraphBuilder, grad: Value, shape: readonly number[]): Value {
  const lead = grad.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < grad.shape.length; i++) {
    const target = i < lead ? 1 : shape[i - lead]!;
    if (i < lead || (target === 1 && grad.shape[i] !== 1)) axes.push(i);
  }
  const reduced = axes.length ? b.reduceSum(grad, axes, true) : grad;
  return b.reshape(reduced, shape);
}

/** The single output gradient of a one-output node (rules are only called when it exists). */
export function only(outputGrads: ReadonlyArray<Value | undefined>): Value {
  return outputGrads[0]!;
}
