import { GradientRule, only } from '../gradient-rule';

function axisOf(attrs: Readonly<Record<string, { kind: string; value?: unknown }>>): number {
  const a = attrs.axis;
  return a && a.kind === 'int' ? (a.value as number) : -1;
}

/** y = softmax(x): ∂x = y ⊙ (g − Σ_axis g ⊙ y). */
export const softmaxGrad: GradientRule = {
  op: 'Softmax',
  grad: (b, n, gs) => {
    const y = n.outputs[0]!;
    const g = only(gs);
    const axis = axisOf(n.attrs);
    return [b.mul(y, b.sub(g, b.reduceSum(b.mul(g, y), [axis], true)))];
  },
};

/** y = logsoftmax(x): ∂x = g − exp(y) ⊙ Σ_axis g. */
export const logSoftmaxGrad: GradientRule = {
  op: 'LogSoftmax',
  grad: (b, n, gs) => {
    const y = n.outputs[0]!;
    const g = only(gs);
    const axis = axisOf(n.attrs);
    return [b.sub(g, b.mul(b.exp(y), b.reduceSum(g, [axis], true)))];
  },
};
