import { GradientRule, only } from '../gradient-rule';

const C = Math.sqrt(2 / Math.PI);
const A = 0.044715;

/**
 * y = Gelu_tanh(x) = 0.5·x·(1 + t), t = tanh(u), u = c·(x + a·x³), c = √(2/π), a = 0.044715:
 * ∂x = g · 0.5·(1 + t)·(1 + x·(1 − t)·(c + 3ca·x²))
 * (from dy/dx = 0.5(1+t) + 0.5·x·(1 − t²)·du/dx with 1 − t² = (1 − t)(1 + t)).
 */
export const geluGrad: GradientRule = {
  op: 'Gelu',
  grad: (b, n, gs) => {
    const approx = n.attrs.approximate;
    if (!approx || approx.kind !== 'string' || approx.value !== 'tanh') throw new Error('Gelu gradient: only approximate="tanh" is supported');
    const x = n.inputs[0]!;
    const dt = x.dtype;
    const s = (v: number) => b.scalar(v, dt);
    const x2 = b.mul(x, x);
    const t = b.tanh(b.mul(x, b.add(b.mul(x2, s(C * A)), s(C))));
    const dudx = b.add(b.mul(x2, s(3 * C * A)), s(C));
    const inner = b.add(b.mul(b.mul(x, b.sub(s(1), t)), dudx), s(1));
    const onePlusT = b.add(t, s(1));
    return [b.mul(b.mul(only(gs), s(0.5)), b.mul(onePlusT, inner))];
  },
};
