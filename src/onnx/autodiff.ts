import { GraphBuilder } from './graph.builder';
import { Value } from './graph.types';
import { NON_DIFFERENTIABLE_OPS, gradientRuleFor } from './gradient.registry';

/** Raised when a node on the path from the parameters to the loss has no gradient rule. */
export class MissingGradientRuleError extends Error {
  override name = 'MissingGradientRuleError';
}

/** Gradients produced by {@link buildGradients}, by value name. */
export interface GradientMap {
  /** ∂loss/∂v, or undefined when v does not influence the loss. */
  get(v: Value): Value | undefined;
  /** ∂loss/∂v, or zeros of v's shape when v does not influence the loss. */
  getOrZeros(v: Value): Value;
}

/**
 * Reverse-mode autodiff over the builder's (topologically ordered) nodes. Seeds ∂loss/∂loss =
 * `seed` (default: ones of the loss shape), walks the nodes backwards, and for every node that
 * lies on a path from some value in `wrt` to the loss applies the op's registered
 * {@link GradientRule}, summing contributions of values used more than once. The backward nodes
 * are appended to the same graph. Gradients are available for `wrt` and for every intermediate
 * value on those paths (e.g. a layer output s, giving δ = ∂L/∂s).
 */
export function buildGradients(b: GraphBuilder, loss: Value, wrt: readonly Value[], seed?: Value): GradientMap {
  const nodes = [...b.nodes];
  // values that depend on some wrt value
  const live = new Set(wrt.map((v) => v.name));
  for (const n of nodes) {
    if (NON_DIFFERENTIABLE_OPS.has(n.op)) continue;
    if (n.inputs.some((x) => x && live.has(x.name))) for (const o of n.outputs) live.add(o.name);
  }
  if (!live.has(loss.name)) throw new Error(`loss ${loss.name} does not depend on any requested value`);
  const grads = new Map<string, Value>();
  const accumulate = (v: Value, g: Value): void => {
    const prev = grads.get(v.name);
    grads.set(v.name, prev ? b.add(prev, g) : g);
  };
  accumulate(loss, seed ?? b.expand(b.scalar(1, loss.dtype), loss.shape));
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    const outGrads = n.outputs.map((o) => grads.get(o.name));
    if (outGrads.every((g) => g === undefined)) continue;
    if (!n.inputs.some((x) => x && live.has(x.name))) continue;
    const rule = gradientRuleFor(n.op);
    if (!rule) throw new MissingGradientRuleError(`no gradient rule registered for op ${n.op} (node output ${n.outputs[0]?.name})`);
    const inGrads = rule.grad(b, n, outGrads);
    n.inputs.forEach((x, k) => {
      const g = inGrads[k];
      if (x && g && live.has(x.name)) accumulate(x, g);
    });
  }
  return {
    get: (v) => grads.get(v.name),
    getOrZeros: (v) => grads.get(v.name) ?? b.zeros(v.shape, v.dtype),
  };
}
