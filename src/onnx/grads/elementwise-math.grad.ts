import { GradientRule, only } from '../gradient-rule';

/** y = tanh x: ∂x = g·(1 − y²). */
export const tanhGrad: GradientRule = {
  op: 'Tanh',
  grad: (b, n, gs) => {
    const y = n.outputs[0]!;
    return [b.mul(only(gs), b.sub(b.scalar(1, y.dtype), b.mul(y, y)))];
  },
};

/** y = √x: ∂x = g / (2y). */
export const sqrtGrad: GradientRule = {
  op: 'Sqrt',
  grad: (b, n, gs) => {
    const y = n.outputs[0]!;
    return [b.div(b.mul(only(gs), b.scalar(0.5, y.dtype)), y)];
  },
};

/** y = 1/x: ∂x = −g·y². */
export const reciprocalGrad: GradientRule = {
  op: 'Reciprocal',
  grad: (b, n, gs) => {
    const y = n.outputs[0]!;
    return [b.neg(b.mul(only(gs), b.mul(y, y)))];
  },
};

/** y = eˣ: ∂x = g·y. */
export const expGrad: GradientRule = { op: 'Exp', grad: (b, n, gs) => [b.mul(only(gs), n.outputs[0]!)] };

/** y = log x: ∂x = g / x. */
export const logGrad: GradientRule = { op: 'Log', grad: (b, n, gs) => [b.div(only(gs), n.inputs[0]!)] };

/** Identity: ∂x = g. */
export const identityGrad: GradientRule = { op: 'Identity', grad: (_b, _n, gs) => [only(gs)] };

/** Cast between floating types: ∂x = cast(g) back to the input type. */
export const castGrad: GradientRule = {
  op: 'Cast',
  grad: (b, n, gs) => {
    const x = n.inputs[0]!;
    return x.dtype === 'float32' || x.dtype === 'float64' ? [b.cast(only(gs), x.dtype)] : [undefined];
  },
};
