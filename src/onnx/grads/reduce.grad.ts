import { GraphBuilder } from '../graph.builder';
import { GraphNode, Value } from '../graph.types';
import { GradientRule, only } from '../gradient-rule';

/** Gradient of a reduction, broadcast back over the reduced axes (keepdims form, then Expand). */
function spread(b: GraphBuilder, n: GraphNode, g: Value): Value {
  const x = n.inputs[0]!;
  const keep = n.attrs.keepdims;
  const keepdims = keep && keep.kind === 'int' ? keep.value === 1 : true;
  const axes = reducedAxes(b, n);
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const gk = keepdims ? g : b.reshape(g, keptShape);
  return b.expand(gk, x.shape);
}

function reducedAxes(b: GraphBuilder, n: GraphNode): number[] {
  const axesValue = n.inputs[1];
  if (!axesValue) return n.inputs[0]!.shape.map((_, i) => i);
  const init = b.initializers.find((i) => i.value.name === axesValue.name);
  if (!init) throw new Error(`${n.op}: axes must be a constant for autodiff`);
  return Array.from(init.data as BigInt64Array, Number);
}

/** y = Σ_axes x: ∂x = broadcast(g). */
export const reduceSumGrad: GradientRule = {
  op: 'ReduceSum',
  grad: (b, n, gs) => [spread(b, n, only(gs)), undefined],
};

/** y = mean_axes x: ∂x = broadcast(g) / count. */
export const reduceMeanGrad: GradientRule = {
  op: 'ReduceMean',
  grad: (b, n, gs) => {
    const x = n.inputs[0]!;
    const count = reducedAxes(b, n).reduce((c, a) => c * x.shape[a]!, 1);
    return [spread(b, n, b.mul(only(gs), b.scalar(1 / count, x.dtype))), undefined];
  },
};
