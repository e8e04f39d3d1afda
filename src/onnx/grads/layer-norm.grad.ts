import { GradientRule, only, unbroadcast } from '../gradient-rule';

/**
 * y = x̂·γ + β over the last axis, x̂ = (x − μ)·r, r = 1/√(σ² + ε) (ε as stored, float32):
 * ∂γ = Σ_rows g⊙x̂, ∂β = Σ_rows g, and with h = g⊙γ:
 * ∂x = r · (h − mean(h) − x̂ ⊙ mean(h ⊙ x̂)).
 * μ and r are recomputed here (onnxruntime's optional Mean/InvStdDev outputs are float32 even
 * for double inputs).
 */
export const layerNormGrad: GradientRule = {
  op: 'LayerNormalization',
  grad: (b, n, gs) => {
    const [x, gamma, beta] = n.inputs as [NonNullable<(typeof n.inputs)[0]>, NonNullable<(typeof n.inputs)[0]>, NonNullable<(typeof n.inputs)[0]>];
    const axis = n.attrs.axis;
    if (axis && axis.kind === 'int' && axis.value !== -1 && axis.value !== x.shape.length - 1)
      throw new Error('LayerNormalization gradient: only the last axis is supported');
    const epsAttr = n.attrs.epsilon;
    const eps = Math.fround(epsAttr && epsAttr.kind === 'float' ? epsAttr.value : 1e-5);
    const g = only(gs);
    const xc = b.sub(x, b.reduceMean(x, [-1], true));
    const r = b.reciprocal(b.sqrt(b.add(b.reduceMean(b.mul(xc, xc), [-1], true), b.scalar(eps, x.dtype))));
    const xhat = b.mul(xc, r);
    const h = b.mul(g, gamma);
    const dx = b.mul(r, b.sub(b.sub(h, b.reduceMean(h, [-1], true)), b.mul(xhat, b.reduceMean(b.mul(h, xhat), [-1], true))));
    return [dx, unbroadcast(b, b.mul(g, xhat), gamma.shape), unbroadcast(b, g, beta.shape)];
  },
};
