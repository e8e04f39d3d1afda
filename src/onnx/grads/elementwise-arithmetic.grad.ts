import { GradientRule, only, unbroadcast } from '../gradient-rule';

/** d(a+b): ∂a = g, ∂b = g (each summed over broadcast axes). */
export const addGrad: GradientRule = {
  op: 'Add',
  grad: (b, n, gs) => [unbroadcast(b, only(gs), n.inputs[0]!.shape), unbroadcast(b, only(gs), n.inputs[1]!.shape)],
};

/** d(a−b): ∂a = g, ∂b = −g. */
export const subGrad: GradientRule = {
  op: 'Sub',
  grad: (b, n, gs) => [unbroadcast(b, only(gs), n.inputs[0]!.shape), unbroadcast(b, b.neg(only(gs)), n.inputs[1]!.shape)],
};

/** d(a·b): ∂a = g·b, ∂b = g·a. */
export const mulGrad: GradientRule = {
  op: 'Mul',
  grad: (b, n, gs) => {
    const [x, y] = n.inputs as [NonNullable<(typeof n.inputs)[0]>, NonNullable<(typeof n.inputs)[0]>];
    const g = only(gs);
    return [unbroadcast(b, b.mul(g, y), x.shape), unbroadcast(b, b.mul(g, x), y.shape)];
  },
};

/** d(a/b): ∂a = g/b, ∂b = −g·(a/b)/b. */
export const divGrad: GradientRule = {
  op: 'Div',
  grad: (b, n, gs) => {
    const x = n.inputs[0]!;
    const y = n.inputs[1]!;
    const g = only(gs);
    const ga = b.div(g, y);
    return [unbroadcast(b, ga, x.shape), unbroadcast(b, b.neg(b.mul(ga, n.outputs[0]!)), y.shape)];
  },
};

/** d(−x) = −g. */
export const negGrad: GradientRule = { op: 'Neg', grad: (b, _n, gs) => [b.neg(only(gs))] };
